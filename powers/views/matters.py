"""意见建议权: major matters the district publishes, the streets' opinions and their answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Power
from accounts.grants import holds_power
from config.errors import Conflict
from core.filters import filtered
from core.forms import apply_service_errors

from .. import services
from ..filters import MatterFilter
from ..forms import OpinionAnswerForm, OpinionForm, PublishMatterForm
from ..models import Opinion
from ._common import _admin_districts, _matters, _may_publish_somewhere, _page


@login_required
def matters(request):
    user = request.user
    filterset, queryset = filtered(MatterFilter, request, _matters(user))  # the API's too
    page, query = _page(request, queryset.order_by("-published_at", "-id"))
    return render(
        request,
        "powers/matters.html",
        {
            "page": page,
            "query": query,
            "now": timezone.now(),
            "may_publish": _may_publish_somewhere(user),
            "filter": filterset,
        },
    )


@login_required
def matter_new(request):
    user = request.user
    if not _may_publish_somewhere(user):
        raise PermissionDenied(_("Only district administrators publish major matters."))
    districts = _admin_districts(user)
    form = PublishMatterForm(request.POST or None, districts=districts, city=user.is_superuser)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            matter = services.publish_matter(
                user,
                district=data["district"],
                title=data["title"],
                description=data["description"],
                streets=list(data["streets"]),
                opinions_until=data["opinions_until"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Published. The streets named were told and may now give their opinions."),
            )
            return redirect("powers:matter", pk=matter.pk)
    return render(request, "powers/matter_new.html", {"form": form, "districts": districts})


@login_required
def matter(request, pk):
    user = request.user
    matter = get_object_or_404(_matters(user), pk=pk)
    may_advise = holds_power(user, Power.ADVISE_MAJOR_MATTER, matter)
    if request.method == "POST" and not may_advise:
        raise PermissionDenied(
            _("Your street's party committee does not hold this power over %(object)s: %(power)s.")
            % {"object": matter, "power": Power.ADVISE_MAJOR_MATTER.label}
        )
    form = OpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_opinion(user, matter, content=form.cleaned_data["content"])
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("powers:matter", pk=pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Your opinion was sent. The publisher must answer it."))
            return redirect("powers:matter", pk=pk)
    opinions = list(
        Opinion.objects.visible_to(user)
        .filter(matter=matter)
        .select_related("street", "submitted_by", "answered_by")
        .order_by("submitted_at", "id")
    )
    for opinion in opinions:
        opinion.matter = matter
        opinion.may_answer = not opinion.answered_at and services.may_answer_opinion(user, opinion)
    now = timezone.now()
    return render(
        request,
        "powers/matter.html",
        {
            "matter": matter,
            "opinions": opinions,
            "is_open": now <= matter.opinions_until,
            "form": form if may_advise and now <= matter.opinions_until else None,
            "answer_form": OpinionAnswerForm(),
            "now": now,
        },
    )


@login_required
@require_POST
def opinion_answer(request, pk):
    user = request.user
    opinion = get_object_or_404(
        Opinion.objects.visible_to(user).select_related("matter", "street"), pk=pk
    )
    if not services.may_answer_opinion(user, opinion):
        raise PermissionDenied(_("Only the publisher of the matter answers its opinions."))
    target = f"{reverse('powers:matter', args=[opinion.matter_id])}#opinion-{opinion.pk}"
    form = OpinionAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the answer, then send it."))
        return redirect(target)
    try:
        services.answer_opinion(user, opinion, answer=form.cleaned_data["answer"])
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("Answer sent to %(street)s.") % {"street": opinion.street.name})
    return redirect(target)
