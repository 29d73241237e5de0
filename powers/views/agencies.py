"""人事建议权: a dispatched agency's page, where the street recommends on personnel, and the
recommendations, which the department answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Power
from accounts.models import DispatchedAgency
from accounts.services import timeline
from config.errors import Conflict
from core.filters import filtered
from core.forms import apply_service_errors

from .. import services
from ..filters import RecommendationFilter
from ..forms import DecisionForm, RecommendForm
from ._common import _open_first, _page, _recommendations


@login_required
def agency(request, pk):
    user = request.user
    agency = get_object_or_404(
        DispatchedAgency.objects.visible_to(user)
        .select_related("street__district", "department")
        .with_powers_of(user, Power.RECOMMEND_PERSONNEL),
        pk=pk,
    )
    may_recommend = agency.has_recommend_personnel
    if request.method == "POST" and not may_recommend:
        raise PermissionDenied(
            _("Your street's party committee does not hold this power over %(object)s: %(power)s.")
            % {"object": agency, "power": Power.RECOMMEND_PERSONNEL.label}
        )
    form = RecommendForm(request.POST or None, initial={"subject": agency.leader_name})
    if request.method == "POST" and form.is_valid():
        try:
            rec = services.recommend_personnel(user, agency=agency, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Recommendation sent to %(department)s, which must answer it.")
                % {"department": agency.department.name},
            )
            return redirect("powers:recommendation", pk=rec.pk)
    recommendations = _open_first(_recommendations(user).filter(agency=agency))[:50]
    return render(
        request,
        "powers/agency.html",
        {
            "agency": agency,
            "recommendations": list(recommendations),
            "form": form if may_recommend else None,
            "now": timezone.now(),
        },
    )


@login_required
def recommendations(request):
    filterset, queryset = filtered(RecommendationFilter, request, _recommendations(request.user))
    page, query = _page(request, queryset.order_by("-recommended_at", "-id"))
    return render(
        request,
        "powers/recommendations.html",
        {"filter": filterset, "page": page, "query": query, "now": timezone.now()},
    )


@login_required
def recommendation(request, pk):
    user = request.user
    rec = get_object_or_404(_recommendations(user), pk=pk)
    answers = services.answers_for(user, rec.department_id)
    if request.method == "POST" and not answers:
        raise PermissionDenied(
            _("Only %(department)s answers this.") % {"department": rec.department.name}
        )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_recommendation(user, rec, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("powers:recommendation", pk=pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Answer sent to %(street)s.") % {"street": rec.street})
            return redirect("powers:recommendation", pk=pk)
    return render(
        request,
        "powers/recommendation.html",
        {
            "rec": rec,
            "events": list(timeline(rec)),
            "form": form if answers and not rec.answered_at else None,
            "now": timezone.now(),
        },
    )
