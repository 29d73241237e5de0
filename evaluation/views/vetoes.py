"""The vetoes (否决) and their review by the district."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import Conflict

from .. import services
from ..choices import VetoStatus
from ..forms import VetoReviewForm
from ..models import Evaluation
from ._common import _may_review

PAGE_SIZE = 20


@login_required
def vetoes(request):
    user = request.user
    queryset = (
        Evaluation.objects.visible_to(user)
        .exclude(veto_status=VetoStatus.NONE)
        .select_related("whistle", "street", "department", "evaluated_by", "veto_reviewed_by")
        .annotate(
            pending_first=Case(
                When(veto_status=VetoStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("pending_first", "-evaluated_at", "-id")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for e in page:
        e.may_review = e.veto_status == VetoStatus.PENDING and _may_review(
            user, e.street.district_id
        )
    return render(
        request,
        "evaluation/vetoes.html",
        {"page": page, "query": "", "form": VetoReviewForm(), "VetoStatus": VetoStatus},
    )


@login_required
@require_POST
def veto_review(request, pk):
    user = request.user
    evaluation = get_object_or_404(
        Evaluation.objects.visible_to(user).select_related("whistle", "street", "department"),
        pk=pk,
    )
    if not _may_review(user, evaluation.street.district_id):
        raise PermissionDenied(_("Only the district's reviewers review vetoes and scores."))
    target = f"{reverse('evaluation:vetoes')}#veto-{pk}"
    form = VetoReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target)
    upheld = form.cleaned_data["decision"] == "uphold"
    try:
        services.review_veto(user, evaluation, upheld=upheld, reason=form.cleaned_data["reason"])
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        words = (
            _("The veto on %(department)s (whistle %(number)s) was upheld")
            if upheld
            else _("The veto on %(department)s (whistle %(number)s) was overturned")
        )
        messages.success(
            request,
            words % {"department": evaluation.department.name, "number": evaluation.whistle.number},
        )
    return redirect(target)
