"""The whistle's evaluation page: the street's party committee evaluates (and may veto) each
department the whistle summoned."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import Conflict
from core.forms import apply_service_errors
from dispatch.models import CheckIn
from whistle.choices import WhistleStatus
from whistle.models import Whistle

from .. import services
from ..choices import EvaluationStatus, VetoStatus
from ..forms import EvaluateForm
from ..models import Evaluation, EvaluationWindow
from ._common import timeliness_words


def _whistle_page(request, whistle, bound=None, status=200):
    """The whistle's evaluation page; `bound` is (check-in id, form) after an invalid post."""
    user = request.user
    check_ins = list(
        CheckIn.objects.visible_to(user)
        .filter(whistle=whistle)
        .select_related("department")
        .annotate(evaluated=Exists(Evaluation.objects.filter(check_in=OuterRef("pk"))))
        .order_by("id")
    )
    evaluations = {
        e.check_in_id: e
        for e in Evaluation.objects.visible_to(user)
        .filter(whistle=whistle)
        .select_related("evaluated_by", "veto_reviewed_by")
    }
    window = EvaluationWindow.objects.filter(whistle=whistle).first()
    may_evaluate = services.may_evaluate(user, whistle.street_id)
    evaluable = may_evaluate and whistle.status in services.EVALUABLE
    may_veto_check_in = (
        services.veto_check(user, whistle.street_id) if evaluable else (lambda c: False)
    )
    rows = []
    for c in check_ins:
        kind, words = timeliness_words(c)
        may_veto = may_veto_check_in(c)
        form = None
        if evaluable and not c.evaluated:
            form = bound[1] if bound and bound[0] == c.pk else EvaluateForm(check_in_id=c.pk)
        rows.append(
            {
                "check_in": c,
                "kind": kind,
                "words": words,
                "evaluation": evaluations.get(c.pk),
                "form": form,
                "may_veto": may_veto,
            }
        )
    waiting = sum(1 for c in check_ins if not c.evaluated)
    return render(
        request,
        "evaluation/whistle.html",
        {
            "whistle": whistle,
            "rows": rows,
            "window": window,
            "waiting": waiting,
            "may_evaluate": may_evaluate,
            "evaluable": evaluable,
            "now": timezone.now(),
            "WhistleStatus": WhistleStatus,
            "EvaluationStatus": EvaluationStatus,
            "VetoStatus": VetoStatus,
        },
        status=status,
    )


@login_required
def whistle(request, pk):
    whistle = get_object_or_404(
        Whistle.objects.visible_to(request.user).select_related("street"), pk=pk
    )
    return _whistle_page(request, whistle)


@login_required
@require_POST
def evaluate(request, pk):
    user = request.user
    check_in = get_object_or_404(
        CheckIn.objects.visible_to(user).select_related("whistle__street", "department", "station"),
        pk=pk,
    )
    services.require_evaluator(user, check_in)
    target = f"{reverse('evaluation:whistle', args=[check_in.whistle_id])}#check-in-{pk}"
    # said before the form is checked: the page would show no form to put its errors on
    if check_in.whistle.status not in services.EVALUABLE:
        messages.error(
            request,
            _("Departments are evaluated once the whistle is resolved (it is now “%(status)s”).")
            % {"status": check_in.whistle.get_status_display()},
        )
        return redirect(target)
    if Evaluation.objects.filter(check_in=check_in).exists():
        messages.error(request, _("This check-in has already been evaluated."))
        return redirect(target)
    form = EvaluateForm(request.POST, check_in_id=pk)
    if form.fields["veto"].clean(request.POST.get("veto")) and not services.may_veto(
        user, check_in
    ):
        raise PermissionDenied(
            _("%(street)s does not hold the veto (否决权) over %(department)s.")
            % {"street": check_in.whistle.street.name, "department": check_in.department.name}
        )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.evaluate(
                user,
                check_in,
                response=data["response"],
                cooperation=data["cooperation"],
                result=data["result"],
                comment=data["comment"],
                veto=data["veto"],
                veto_reason=data["veto_reason"],
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect(target)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if data["veto"]:
                messages.success(
                    request,
                    _("%(department)s evaluated and vetoed; the district will review the veto.")
                    % {"department": check_in.department.name},
                )
            else:
                messages.success(
                    request,
                    _("%(department)s evaluated.") % {"department": check_in.department.name},
                )
            return redirect(target)
    return _whistle_page(request, check_in.whistle, bound=(check_in.pk, form))
