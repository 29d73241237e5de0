"""How the pages write numbers that more than one app shows."""

from decimal import ROUND_HALF_UP, Decimal


def percent(ratio) -> str:
    """A ratio as a percentage with one decimal (0.875 → "87.5%"); no ratio: "—"."""
    if ratio is None:
        return "—"
    return f"{(Decimal(ratio) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
