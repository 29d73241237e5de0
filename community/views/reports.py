"""Reports from the front line: filed from a phone, handled from the chief's queue, escalated
to a whistle or a supervision order; and patrols."""

import hashlib

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.filters import OfficeFilter
from accounts.services import timeline
from accounts.views_offices import assign, offices_of
from config.errors import Conflict
from core.filters import filtered
from core.forms import apply_service_errors
from core.photos import private_image
from dispatch import services as dispatch_services
from dispatch.forms import BlowWhistleForm

from .. import services
from ..choices import OPEN_STATUSES, ReportStatus, allowed_actions
from ..forms import OrderForm, OutcomeForm, PatrolForm, ReportForm
from ..models import FrontlineReport, ReportPhoto
from ..scope import frontline_of
from ._common import alleys_to_report, reports_of

QUEUE_POLL_MS = 5000


def _alleys_or_403(user):
    alleys = alleys_to_report(user)
    if not alleys:  # evaluates (and keeps) the rows
        raise PermissionDenied(_("Only stewards and chiefs report from an alley."))
    return alleys


@login_required
def report_new(request):
    user = request.user
    alleys = _alleys_or_403(user)
    form = ReportForm(request.POST or None, request.FILES or None, alleys=alleys)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.file_report(
                user,
                alley=data["alley"],
                category=data["category"],
                text=data["text"],
                photos=data["photos"],
                latitude=data["latitude"],
                longitude=data["longitude"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Report %(number)s sent to the alley's chief.") % {"number": report.number},
            )
            return redirect("community:report", pk=report.pk)
    return render(request, "community/report_new.html", {"form": form, "alleys": alleys})


@login_required
def report_list(request):
    user = request.user
    reports = reports_of(user)
    status = request.GET.get("status", "")
    if status == "open":
        reports = reports.filter(status__in=OPEN_STATUSES)
    elif status in ReportStatus.values:
        reports = reports.filter(status=status)
    else:
        status = ""
    # by the street's office (六办一队三中心): another street's office lists nothing, with why
    office_filter, reports = filtered(ReportOfficeFilter, request, reports)
    page = Paginator(reports.order_by("-reported_at", "-id"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "community/report_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ReportStatus.choices,
            "office_filter": office_filter,
            "office": request.GET.get("office", ""),
        },
    )


class ReportOfficeFilter(django_filters.FilterSet):
    office = OfficeFilter()

    class Meta:
        model = FrontlineReport
        fields = ["office"]


def _queue_rows(user):
    return list(
        reports_of(user)
        .filter(alley_id__in=frontline_of(user).chief_alley_ids, status__in=OPEN_STATUSES)
        .order_by("status", "reported_at", "id")
    )


def _signature(rows) -> str:
    text = "|".join(f"{r.pk}:{r.status}:{r.overdue_at is not None}" for r in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@login_required
def queue(request):
    """The chief's queue: the open reports of the alleys they lead, new first, oldest first."""
    user = request.user
    if not frontline_of(user).chief_alley_ids:
        raise PermissionDenied(_("The queue is for alley chiefs."))
    rows = _queue_rows(user)
    return render(
        request,
        "community/queue.html",
        {
            "rows": rows,
            "version": _signature(rows),
            "now": timezone.now(),
            "poll_ms": QUEUE_POLL_MS,
        },
    )


@login_required
def queue_items(request):
    """The queue's live part: 204 while nothing changed, the fragment otherwise."""
    user = request.user
    if not frontline_of(user).chief_alley_ids:
        raise PermissionDenied(_("The queue is for alley chiefs."))
    rows = _queue_rows(user)
    version = _signature(rows)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    return render(
        request,
        "community/_queue_items.html",
        {"rows": rows, "version": version, "now": timezone.now(), "poll_ms": QUEUE_POLL_MS},
    )


def _report(user, pk):
    return get_object_or_404(reports_of(user).prefetch_related("photos"), pk=pk)


@login_required
def report_detail(request, pk):
    user = request.user
    report = _report(user, pk)
    handles = services.handles_report(user, report)
    actions = allowed_actions(report.status) if handles else set()
    may_summon = handles and dispatch_services.may_coordinate(user, report.street_id)
    return render(
        request,
        "community/report_detail.html",
        {
            "r": report,
            "actions": actions,
            "may_summon": may_summon,
            "outcome_form": OutcomeForm(),
            "order_form": OrderForm(street=report.street) if may_summon else None,
            "show_contact": services.acts_for_street(user, report.street_id)
            or (report.steward is not None and report.steward.user_id == user.pk),
            "events": timeline(report),
            "now": timezone.now(),
            **_office_context(user, report),
        },
    )


def _office_context(user, report) -> dict:
    """The assignment control (六办一队三中心), for the street's people."""
    if not services.acts_for_street(user, report.street_id):
        return {}
    return {
        "office_choices": offices_of(report.street_id),
        "office_current": report.office_id,
        "office_action": reverse("community:report-office", args=[report.pk]),
    }


@login_required
@require_POST
def report_office(request, pk):
    user = request.user
    report = _report(user, pk)
    services.require_street(user, report.street_id)
    return assign(
        request,
        report,
        services.assign_office,
        redirect("community:report", pk=report.pk),
    )


def _act(request, pk, run, success):
    user = request.user
    report = _report(user, pk)
    services.require_handler(user, report)  # in scope, not theirs to handle: 403
    try:
        run(user, report)
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
    else:
        messages.success(request, success)
    if request.POST.get("back") == "queue":  # accepted from the queue: stay on it
        return redirect("community:queue")
    return redirect("community:report", pk=report.pk)


@login_required
@require_POST
def report_accept(request, pk):
    return _act(request, pk, services.accept, _("Accepted: the steward is told."))


@login_required
@require_POST
def report_resolve(request, pk):
    form = OutcomeForm(request.POST)
    outcome = form.data.get("outcome", "")
    return _act(
        request,
        pk,
        lambda user, report: services.resolve(user, report, outcome=outcome),
        _("Fixed: the steward is told of the outcome."),
    )


@login_required
@require_POST
def report_order(request, pk):
    user = request.user
    report = _report(user, pk)
    services.require_handler(user, report)
    form = OrderForm(request.POST, street=report.street)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for message in errors:
                messages.error(request, f"{label}：{message}" if label else message)
        return redirect("community:report", pk=pk)
    data = form.cleaned_data
    return _act(
        request,
        pk,
        lambda u, r: services.order_from_report(
            u,
            r,
            station=data["station"],
            title=data["title"],
            content=data["content"],
            deadline=data["deadline"],
        ),
        _("Supervision order issued: the department must answer."),
    )


@login_required
def report_whistle(request, pk):
    """Escalate: the street's committee (holding the power to summon) blows a whistle from
    the report; the two are linked both ways."""
    user = request.user
    report = _report(user, pk)
    services.require_handler(user, report)
    if not dispatch_services.may_coordinate(user, report.street_id):
        raise PermissionDenied(
            _(
                "Only the party committee of a street granted the power to coordinate departments blows whistles."
            )
        )
    if report.whistle_id is not None:
        return redirect("dispatch:whistle", pk=report.whistle_id)
    if report.status not in OPEN_STATUSES:
        messages.error(request, _("This report is already handled."))
        return redirect("community:report", pk=pk)
    initial = {
        "title": f"{report.alley.name}：{report.text}"[:120],
        "location": report.alley.name,
        "community": report.community_id,
        "description": _("Front-line report %(number)s: %(text)s")
        % {"number": report.number, "text": report.text},
        "latitude": report.latitude,
        "longitude": report.longitude,
    }
    form = BlowWhistleForm(
        request.POST or None,
        request.FILES or None,
        street=report.street,
        user=user,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            whistle = services.blow_from_report(
                user, report, photos=form.cleaned_data["photos"], **form.whistle_fields()
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("community:report", pk=pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, form.blown(whistle))
            return redirect("dispatch:whistle", pk=whistle.pk)
    return render(
        request,
        "community/report_whistle.html",
        {
            "r": report,
            "form": form,
            "street": report.street,
            "kind_categories": form.kind_categories(),
        },
    )


@login_required
def report_photo(request, pk, photo_pk):
    report = _report(request.user, pk)
    photo = get_object_or_404(ReportPhoto.objects.filter(report=report), pk=photo_pk)
    return private_image(photo.image, photo.content_type)


@login_required
def patrol_new(request):
    user = request.user
    alleys = _alleys_or_403(user)
    form = PatrolForm(request.POST or None, alleys=alleys)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_patrol(
                user,
                alley=data["alley"],
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                found=data["found"],
                dissuaded=data["dissuaded"],
                dissuaded_count=data["dissuaded_count"] or 0,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Patrol recorded. Thank you."))
            return redirect("community:index")
    return render(request, "community/patrol_new.html", {"form": form})
