"""A street's drill-down: its month so far, 30 days of its rates as a chart, its latest
requests."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Street
from core.charts import LineChart

from .. import rates, services
from ..models import ServiceRequest
from ._common import _formula, _present, _today, percent

SERIES = [
    ("composite", "Composite score", "#c0392b"),
    ("response_rate", "Response rate", "#2e86de"),
    ("resolution_rate", "Resolution rate", "#27ae60"),
    ("satisfaction_rate", "Satisfaction rate", "#e67e22"),
]


def _series_label(key):
    return {
        "composite": _("Composite score"),
        "response_rate": _("Response rate"),
        "resolution_rate": _("Resolution rate"),
        "satisfaction_rate": _("Satisfaction rate"),
    }[key]


def _trend_chart(days) -> dict:
    """30 days of a street's rates as SVG geometry (0–100 %); days without a valid call-back
    break the lines."""
    chart = LineChart(points=len(days), height=240, maximum=1)
    series = []
    for key, _msgid, color in SERIES:
        segments, dots = chart.line(
            [getattr(day, key) for day in days],
            lambda i, value: {"text": percent(value), "day": days[i].day},
        )
        series.append(
            {
                "key": key,
                "name": _series_label(key),
                "color": color,
                "segments": segments,
                "dots": dots,
            }
        )
    return {
        **chart.frame(),
        "grid": chart.grid((f"{v}%", v / 100) for v in (0, 25, 50, 75, 100)),
        "days": [
            {"x": chart.x(i), "label": d.day.strftime("%m-%d")}
            for i, d in enumerate(days)
            if i % 5 == 0 or i == len(days) - 1
        ],
        "series": series,
        "empty": not any(s["dots"] for s in series),
    }


@login_required
def street_detail(request, pk):
    user = request.user
    street = get_object_or_404(Street.objects.visible_to(user).select_related("district"), pk=pk)
    today = _today()
    month = rates.monthly(today.year, today.month)
    row = next((r for r in month["streets"] if r.street_id == street.pk), None)
    ranked_count = sum(1 for r in month["streets"] if r.rank is not None)
    trend = rates.street_trend(street.pk, days=30, end=today)
    recent = (
        ServiceRequest.objects.visible_to(user)
        .filter(street=street)
        .select_related("category")
        .order_by("-received_at", "-id")[:20]
    )
    return render(
        request,
        "hotline/street_detail.html",
        {
            "street": street,
            "row": _present(row) if row else None,
            "ranked_count": ranked_count,
            "month_code": f"{today.year}-{today.month:02d}",
            "chart": _trend_chart(trend),
            "recent": list(recent),
            "now": timezone.now(),
            "formula": _formula(),
            "is_operator": services.is_operator(user),
        },
    )
