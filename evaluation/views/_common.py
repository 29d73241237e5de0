"""What the evaluation's pages share: the reviewer's check, minutes and percentages as text,
a check-in's timeliness in words, a period's label."""

import math
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from core.formats import percent  # noqa: F401 (the pages of this app use it from here)

from .. import scoring, services
from ..choices import Timeliness

# the reviewers of that district (services.may_review: nobody for a score without a district)
_may_review = services.may_review


def _whole_minutes(seconds) -> int:
    return int(Decimal(seconds / 60).quantize(Decimal(1), ROUND_HALF_UP))


def minutes(seconds) -> str:
    """Seconds as minutes with one decimal ("12.5"), or "—"."""
    if seconds is None:
        return "—"
    return str(Decimal(seconds / 60).quantize(Decimal("0.1"), ROUND_HALF_UP))


def timeliness_words(check_in) -> tuple[str, str]:
    """(kind, words) of a check-in: "On site in time, 12 min", "Late by 8 min", ..."""
    kind, late, seconds = scoring.timeliness(check_in)
    if kind == Timeliness.ON_TIME:
        return kind, _("On site in time, %(minutes)s min") % {"minutes": _whole_minutes(seconds)}
    if kind == Timeliness.LATE:
        return kind, _("Late by %(minutes)s min") % {"minutes": max(1, math.ceil(late / 60))}
    if kind == Timeliness.NO_SHOW:
        return kind, str(Timeliness.NO_SHOW.label)
    if check_in.released_at is not None:
        return kind, str(Timeliness.NOT_NEEDED.label)
    return "waiting", _("Not on site yet")


def period_label(code) -> str:
    period = scoring.parse_period(code)
    if period is None:
        return code
    if len(code) == 7 and code[5] == "Q":
        return _("Q%(quarter)s %(year)s") % {"year": code[:4], "quarter": code[6]}
    if len(code) == 7:
        return _("%(month)s/%(year)s") % {"year": code[:4], "month": int(code[5:])}
    return _("Year %(year)s") % {"year": code}
