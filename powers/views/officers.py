"""日常管理考核权: the stationed officers, their daily records and their assessment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Power
from accounts.models import StationedOfficer, Street
from config.errors import Conflict
from core.filters import filtered
from core.forms import apply_service_errors

from .. import services
from ..filters import OfficerFilter
from ..forms import AssessForm, RecordForm
from ..models import OfficerAssessment, OfficerRecord
from ._common import _page


def _latest_assessment(user):
    return Prefetch(
        "assessments",
        queryset=OfficerAssessment.objects.visible_to(user).order_by("-assessed_at", "-id")[:1],
        to_attr="latest",
    )


@login_required
def officers(request):
    user = request.user
    base = (
        StationedOfficer.objects.visible_to(user)
        .filter(active=True)
        .select_related("street", "department")
        .with_powers_of(user, Power.ASSESS_STATIONED_STAFF)
        .prefetch_related(_latest_assessment(user))
        .order_by("street_id", "department_id", "id")
    )
    filterset, queryset = filtered(OfficerFilter, request, base)
    page, query = _page(request, queryset)
    street_ids = StationedOfficer.objects.visible_to(user).values("street_id")
    streets = Street.objects.filter(pk__in=street_ids).order_by("district_id", "id")
    return render(
        request,
        "powers/officers.html",
        {
            "page": page,
            "query": query,
            "streets": list(streets),
            "street": request.GET.get("street", ""),
            "filter": filterset,
        },
    )


def _officer_page(request, officer, record_form, assess_form):
    user = request.user
    records = (
        OfficerRecord.objects.visible_to(user)
        .filter(officer=officer)
        .select_related("recorded_by")
        .order_by("-date", "-id")[:60]
    )
    assessments = (
        OfficerAssessment.objects.visible_to(user)
        .filter(officer=officer)
        .select_related("assessed_by")
        .order_by("-assessed_at", "-id")
    )
    may_assess = officer.has_assess_stationed_staff
    return render(
        request,
        "powers/officer.html",
        {
            "officer": officer,
            "records": list(records),
            "assessments": list(assessments),
            "record_form": record_form if may_assess else None,
            "assess_form": assess_form if may_assess else None,
        },
    )


def _officer(request, pk):
    user = request.user
    officer = get_object_or_404(
        StationedOfficer.objects.visible_to(user)
        .select_related("street__district", "department")
        .with_powers_of(user, Power.ASSESS_STATIONED_STAFF),
        pk=pk,
    )
    if request.method == "POST" and not officer.has_assess_stationed_staff:
        raise PermissionDenied(
            _("Your street's party committee does not hold this power over %(object)s: %(power)s.")
            % {"object": officer, "power": Power.ASSESS_STATIONED_STAFF.label}
        )
    return officer


@login_required
def officer(request, pk):
    officer = _officer(request, pk)
    form = RecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_officer(request.user, officer=officer, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect("powers:officer", pk=pk)
    return _officer_page(request, officer, form, AssessForm())


@login_required
@require_POST
def officer_assess(request, pk):
    officer = _officer(request, pk)
    form = AssessForm(request.POST)
    if form.is_valid():
        try:
            services.assess_officer(request.user, officer=officer, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect(f"{reverse('powers:officer', args=[pk])}#assessments")
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Assessment of %(officer)s for %(period)s saved.")
                % {"officer": officer.name, "period": form.cleaned_data["period"]},
            )
            return redirect(f"{reverse('powers:officer', args=[pk])}#assessments")
    return _officer_page(request, officer, RecordForm(), form)
