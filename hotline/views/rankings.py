"""The streets' daily rates and monthly ranking (三率), and their export."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from core import exports

from .. import rates
from ..choices import RankCategory
from ..forms import RankingsForm
from ._common import _formula, _present, _today


def _choose_period(form):
    """(day, (year, month)) from a valid RankingsForm: the one not given follows the other."""
    today = _today()
    day, month = form.cleaned_data.get("day"), form.cleaned_data.get("month")
    if month is None:
        month = ((day or today).year, (day or today).month)
    if day is None:
        first, after = rates.month_range(*month)
        day = today if first <= today < after else min(after - timedelta(days=1), today)
    return day, month


@login_required
def rankings(request):
    form = RankingsForm(request.GET or None)
    context = {"form": form, "formula": _formula()}
    if not form.is_bound or form.is_valid():
        if not form.is_bound:
            form = RankingsForm({})
            form.is_valid()
            context["form"] = RankingsForm()
        day, (year, month) = _choose_period(form)
        table = rates.daily(day)
        monthly = rates.monthly(year, month)
        ranked = [_present(r) for r in monthly["streets"] if r.rank is not None]
        below = [_present(r) for r in monthly["streets"] if r.rank is None]
        context.update(
            {
                "day": day,
                "month_code": f"{year}-{month:02d}",
                "top": [_present(r) for r in table["top"]],
                "daily": [_present(r) for r in table["streets"]],
                "ranked": ranked,
                "below": below,
                "previous_day": day - timedelta(days=1),
                "next_day": day + timedelta(days=1) if day < _today() else None,
            }
        )
    return render(request, "hotline/rankings.html", context)


EXPORT_COLUMNS = [
    "Rank",
    "Previous month's rank",
    "Street or township",
    "District",
    "Requests",
    "Valid call-backs",
    "Response rate (%)",
    "Resolution rate (%)",
    "Satisfaction rate (%)",
    "Composite score",
    "Category",
    "Remark",
]


def _export_headers(monthly: bool) -> list[str]:
    labels = {
        "Rank": _("Rank"),
        "Previous month's rank": _("Previous month's rank"),
        "Street or township": _("Street or township"),
        "District": _("District"),
        "Requests": _("Requests"),
        "Valid call-backs": _("Valid call-backs"),
        "Response rate (%)": _("Response rate (%)"),
        "Resolution rate (%)": _("Resolution rate (%)"),
        "Satisfaction rate (%)": _("Satisfaction rate (%)"),
        "Composite score": _("Composite score"),
        "Category": _("Category"),
        "Remark": _("Remark"),
    }
    columns = EXPORT_COLUMNS if monthly else [c for c in EXPORT_COLUMNS if "month" not in c]
    return [labels[c] for c in columns if monthly or c != "Category"]


def _export_row(row, monthly: bool) -> list:
    def pct(value):
        return None if value is None else (Decimal(value) * 100).quantize(Decimal("0.01"))

    values = [
        row.rank,
        row.previous_rank,
        row.street,
        row.district,
        row.volume,
        row.valid,
        pct(row.response_rate),
        pct(row.resolution_rate),
        pct(row.satisfaction_rate),
        pct(row.composite),
        "、".join(str(RankCategory(c).label) for c in row.categories),
        "" if row.rank is not None else _("Below the minimum of valid call-backs"),
    ]
    if not monthly:
        del values[10]  # category
        del values[1]  # previous rank
    return values


@login_required
def rankings_export(request):
    kind = request.GET.get("format", "csv")
    if kind not in exports.FORMATS:
        return exports.bad_request(_("Choose the format: csv or xlsx."))
    form = RankingsForm(request.GET)
    if not form.is_valid():
        return exports.bad_request(
            " ".join(str(e) for errors in form.errors.values() for e in errors)
        )
    monthly = form.cleaned_data["day"] is None
    day, (year, month) = _choose_period(form)
    if monthly:
        rows = rates.monthly(year, month)["streets"]
        name = f"12345-ranking-{year}-{month:02d}"
    else:
        rows = rates.daily(day)["streets"]
        name = f"12345-rates-{day.isoformat()}"
    return exports.table(
        kind,
        headers=_export_headers(monthly),
        # an empty value is an empty text in the sheet (nothing in the CSV, as None would be)
        rows=[["" if v is None else v for v in _export_row(row, monthly)] for row in rows],
        name=name,
        sheet=name[-10:] if not monthly else f"{year}-{month:02d}",
        freeze="C2" if monthly else "B2",
    )
