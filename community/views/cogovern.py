"""The pages of the party-building coordination committees (desktop first): the committees a
person can see, a committee (members, meetings, follow-ups, the three lists in short, the
two-ways), holding a meeting, a meeting, the three lists, a listed need with the resources
nearest first and the match, a project.

Who sees a committee: the city all; a district's people their district's and those of its
streets and communities; a street's people their street's and its communities'; a
community's staff their community's. Anything else is a 404. Acting is for those who run the
committee (cogovern.acts_for_committee): in sight without it, 403."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Community, District, Street
from accounts.scope import scope_of
from config.errors import Conflict
from core.forms import apply_service_errors
from core.periods import BEIJING, parse_period
from core.roles import Role

from .. import cogovern
from ..choices import CommitteeLevel, Direction
from ..forms_cogovern import (
    CommitteeForm,
    EvaluationForm,
    ExchangeForm,
    MatchForm,
    MeetingForm,
    MemberForm,
    NeedForm,
    ProjectForm,
    PublishForm,
    ResourceForm,
    follow_up_forms,
)
from ..models import (
    Committee,
    CommitteeMember,
    Exchange,
    FollowUp,
    ListNeed,
    Meeting,
    MutualEvaluation,
    PartyUnit,
    Project,
    Resource,
)
from ..scope import frontline_of
from .places import _posted_id

LEVEL_ORDER = Case(
    When(level=CommitteeLevel.DISTRICT, then=Value(0)),
    When(level=CommitteeLevel.STREET, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def committees_of(user):
    """The committees the person sees (the rule above), before any lookup."""
    scope = scope_of(user)
    if scope.everything:
        return Committee.objects.all()
    return Committee.objects.filter(
        Q(district_id__in=scope.district_ids)
        | Q(street__district_id__in=scope.district_ids)
        | Q(street_id__in=scope.street_ids)
        | Q(community_id__in=frontline_of(user).staff_community_ids)
    )


def _committee(user, pk):
    return get_object_or_404(
        committees_of(user).select_related("district", "street__district", "community"), pk=pk
    )


def _require(user, committee):
    if not cogovern.acts_for_committee(user, committee):
        raise PermissionDenied(_("Only those who run the committee do this."))


def _count(queryset, key):
    """COUNT of a related queryset as a subquery (no join multiplying the outer rows)."""
    return Coalesce(
        Subquery(queryset.order_by().values(key).annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
    )


def _area_units(committee):
    return PartyUnit.objects.filter(pk__in=cogovern._units_of_area(committee)).order_by("id")


def _open_members(committee):
    return committee.members.filter(until=None).select_related("unit").order_by("id")


def _area_label(committee) -> str:
    if committee.level == CommitteeLevel.DISTRICT:
        return committee.district.name
    if committee.level == CommitteeLevel.STREET:
        return f"{committee.street.district.name} · {committee.street.name}"
    return f"{committee.street.name} · {committee.community.name}"


def _this_quarter() -> str:
    today = timezone.localdate(timezone.now(), BEIJING)
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def _evaluations_url(committee, period):
    url = reverse("community:committee", kwargs={"pk": committee.pk})
    return f"{url}?{urlencode({'period': period})}#evaluations"


def _service_messages(request, exc):
    if isinstance(exc, ValidationError):
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
    else:
        messages.error(request, getattr(exc, "message", None) or str(exc))


# --- the committees --------------------------------------------------------------------------


def _areas_to_set_up(user):
    """(value, label) of the levels the person runs and that have no committee yet: a
    district's administrators their district, a street's people their street and its
    communities, a community's staff their community."""
    scope = scope_of(user)
    taken = Committee.objects.values_list("level", "district_id", "street_id", "community_id")
    districts = District.objects.filter(
        pk__in=[pk for role, pk in scope.role_units if role == Role.DISTRICT_ADMIN]
    ).exclude(pk__in=taken.filter(level=CommitteeLevel.DISTRICT).values("district_id"))
    streets = Street.objects.filter(pk__in=scope.street_ids).exclude(
        pk__in=taken.filter(level=CommitteeLevel.STREET).values("street_id")
    )
    communities = (
        Community.objects.filter(
            Q(street_id__in=scope.street_ids) | Q(pk__in=frontline_of(user).staff_community_ids)
        )
        .exclude(pk__in=taken.filter(level=CommitteeLevel.COMMUNITY).values("community_id"))
        .select_related("street")
    )
    return (
        [(f"district:{d.pk}", d.name) for d in districts.order_by("id")]
        + [(f"street:{s.pk}", s.name) for s in streets.order_by("id")]
        + [(f"community:{c.pk}", f"{c.street.name} · {c.name}") for c in communities.order_by("id")]
    )


@login_required
def committees(request):
    user = request.user
    areas = _areas_to_set_up(user) if not scope_of(user).everything else []
    form = CommitteeForm(request.POST or None, areas=areas)
    if request.method == "POST":
        if not areas:
            raise PermissionDenied(_("Only those who run a level set up its committee."))
        if form.is_valid():
            data = form.cleaned_data
            level, pk = data.pop("area")
            target = {
                CommitteeLevel.DISTRICT: ("district", District),
                CommitteeLevel.STREET: ("street", Street),
                CommitteeLevel.COMMUNITY: ("community", Community),
            }[level]
            area = target[1].objects.filter(pk=pk).first()
            try:
                committee = cogovern.create_committee(
                    user, level=level, **{target[0]: area}, **data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The committee is set up: add its members."))
                return redirect("community:committee", pk=committee.pk)
    now = timezone.now()
    open_items = FollowUp.objects.filter(meeting__committee=OuterRef("pk"), done_at=None)
    rows = (
        committees_of(user)
        .select_related("district", "street__district", "community")
        .annotate(
            level_order=LEVEL_ORDER,
            member_count=_count(
                CommitteeMember.objects.filter(committee=OuterRef("pk"), until=None), "committee"
            ),
            open_count=_count(open_items, "meeting__committee"),
            overdue_count=_count(
                open_items.filter(Q(overdue_at__isnull=False) | Q(deadline__lt=now)),
                "meeting__committee",
            ),
            next_due=Subquery(open_items.order_by("deadline", "id").values("deadline")[:1]),
            next_title=Subquery(open_items.order_by("deadline", "id").values("title")[:1]),
        )
        .order_by("level_order", F("street__district_id").asc(nulls_first=True), "street_id", "id")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for c in page:
        c.area = _area_label(c)
    return render(
        request,
        "community/committees.html",
        {"page": page, "form": form, "areas": areas, "now": now},
    )


# --- a committee -------------------------------------------------------------------------------


def _committee_forms(request, committee, units, action):
    data = request.POST if request.method == "POST" else None

    def bound(name):
        return data if action == name else None

    return {
        "member": MemberForm(bound("member"), units=units, auto_id="member_%s"),
        "exchange": ExchangeForm(
            bound("exchange"),
            units=units,
            auto_id="exchange_%s",
            initial={"held_on": timezone.localdate(timezone.now(), BEIJING)},
        ),
        "evaluate": EvaluationForm(
            bound("evaluate"),
            units=units,
            initial={"period": _this_quarter()},
            auto_id="evaluate_%s",
        ),
        "publish": PublishForm(bound("publish"), auto_id="publish_%s"),
    }


def _committee_post(request, committee, forms):
    """The committee page's actions; returns a redirect when done, None to show the forms."""
    user = request.user
    action = request.POST.get("action")
    if action == "done":
        item = get_object_or_404(
            FollowUp.objects.filter(meeting__committee=committee).select_related(
                "meeting__committee"
            ),
            pk=_posted_id(request, "item"),
        )
        try:
            cogovern.complete_follow_up(user, item, note=request.POST.get("note", ""))
        except (ValidationError, Conflict) as exc:
            _service_messages(request, exc)
        else:
            messages.success(request, _("The follow-up is done."))
        if request.POST.get("back") == "meeting":
            return redirect("community:meeting", pk=item.meeting_id)
        return redirect("community:committee", pk=committee.pk)
    form = forms.get(action)
    if form is None:
        messages.error(request, _("Unknown action."))
        return redirect("community:committee", pk=committee.pk)
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if action == "member":
            cogovern.add_member(user, committee, **data)
            messages.success(request, _("The member is added."))
        elif action == "exchange":
            cogovern.record_exchange(user, committee, **data)
            messages.success(request, _("The exchange is recorded."))
        elif action == "evaluate":
            cogovern.evaluate(user, committee, direction=Direction.TO_UNIT, **data)
            messages.success(request, _("The evaluation is saved."))
            return redirect(_evaluations_url(committee, data["period"]))
        elif action == "publish":
            cogovern.publish_evaluations(user, committee, data["period"])
            messages.success(request, _("The evaluations are published to the committee."))
            return redirect(_evaluations_url(committee, data["period"]))
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None
    except Conflict as exc:
        form.add_error(None, exc.message)
        return None
    return redirect("community:committee", pk=committee.pk)


@login_required
def committee_detail(request, pk):
    user = request.user
    committee = _committee(user, pk)
    acts = cogovern.acts_for_committee(user, committee)
    units = _area_units(committee)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _committee_forms(request, committee, units, action)
    if request.method == "POST":
        if not acts:
            raise PermissionDenied(_("Only those who run the committee do this."))
        answer = _committee_post(request, committee, forms)
        if answer is not None:
            return answer
    now = timezone.now()
    period = request.GET.get("period", "")
    evaluations = MutualEvaluation.objects.filter(committee=committee)
    periods = list(evaluations.order_by("-period").values_list("period", flat=True).distinct()[:12])
    if parse_period(period) is None:
        period = periods[0] if periods else _this_quarter()
    follow_ups = (
        FollowUp.objects.filter(meeting__committee=committee)
        .select_related("owner", "meeting")
        .order_by(F("done_at").asc(nulls_first=True), "deadline", "id")[:30]
    )
    for item in follow_ups:
        item.late = item.done_at is None and (item.overdue_at is not None or item.deadline < now)
    return render(
        request,
        "community/committee_detail.html",
        {
            "c": committee,
            "area": _area_label(committee),
            "acts": acts,
            "members": _open_members(committee),
            "meetings": committee.meetings.annotate(
                items=_count(FollowUp.objects.filter(meeting=OuterRef("pk")), "meeting")
            ).order_by("-held_at", "-id")[:20],
            "follow_ups": follow_ups,
            "resources": committee.resources.select_related("unit").order_by("-id")[:5],
            "needs": committee.needs.select_related("unit").order_by("-created_at", "-id")[:5],
            "projects": committee.projects.select_related("need", "owner").order_by(
                "-created_at", "-id"
            )[:10],
            "counts": Committee.objects.filter(pk=committee.pk)
            .annotate(
                n_resources=_count(Resource.objects.filter(committee=OuterRef("pk")), "committee"),
                n_needs=_count(ListNeed.objects.filter(committee=OuterRef("pk")), "committee"),
                n_projects=_count(Project.objects.filter(committee=OuterRef("pk")), "committee"),
            )
            .values("n_resources", "n_needs", "n_projects")[0],
            "exchanges": Exchange.objects.filter(committee=committee)
            .select_related("unit")
            .order_by("-held_on", "-id")[:20],
            "period": period,
            "periods": periods,
            "report": cogovern.evaluation_report(committee, period),
            "unpublished": evaluations.filter(period=period, published_at=None).exists(),
            "forms": forms,
            "action": action,
        },
    )


# --- meetings ----------------------------------------------------------------------------------


@login_required
def meeting_new(request, pk):
    user = request.user
    committee = _committee(user, pk)
    _require(user, committee)
    members = _open_members(committee)
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, members=members, initial={"present": members})
    if not form.is_bound:
        form.initial["held_at"] = timezone.localtime(timezone.now(), BEIJING).replace(
            second=0, microsecond=0
        )
    rows = follow_up_forms(data, members)
    if request.method == "POST" and form.is_valid() and all(r.is_valid() for r in rows):
        items, positions = [], []
        for i, row in enumerate(rows):
            item = row.item()
            if item is not None:
                items.append(item)
                positions.append(i)
        try:
            meeting = cogovern.hold_meeting(
                user,
                committee,
                held_at=form.cleaned_data["held_at"],
                place=form.cleaned_data["place"],
                agenda=form.cleaned_data["agenda"],
                decisions=form.cleaned_data["decisions"],
                present=form.cleaned_data["present"],
                follow_ups=items,
            )
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                parts = key.split(".")
                if len(parts) == 3 and parts[0] == "follow_ups" and parts[1].isdigit():
                    row = rows[positions[int(parts[1])]]
                    for message in errors:
                        row.add_error(parts[2] if parts[2] in row.fields else None, message)
                else:
                    apply_service_errors(form, ValidationError({key: errors}))
        else:
            messages.success(request, _("The meeting is recorded."))
            return redirect("community:meeting", pk=meeting.pk)
    return render(
        request,
        "community/meeting_new.html",
        {"c": committee, "form": form, "rows": rows, "members": members},
    )


@login_required
def meeting_detail(request, pk):
    user = request.user
    meeting = get_object_or_404(
        Meeting.objects.filter(committee__in=committees_of(user)).select_related(
            "committee__district", "committee__street", "committee__community", "recorded_by"
        ),
        pk=pk,
    )
    now = timezone.now()
    follow_ups = meeting.follow_ups.select_related("owner").order_by("deadline", "id")
    for item in follow_ups:
        item.late = item.done_at is None and (item.overdue_at is not None or item.deadline < now)
    return render(
        request,
        "community/meeting_detail.html",
        {
            "m": meeting,
            "c": meeting.committee,
            "acts": cogovern.acts_for_committee(user, meeting.committee),
            "attendance": meeting.attendance.select_related("member").order_by(
                "-present", "member_id"
            ),
            "follow_ups": follow_ups,
        },
    )


# --- the three lists ---------------------------------------------------------------------------


@login_required
def committee_lists(request, pk):
    """资源清单, 需求清单, 项目清单 of the committee, with the forms to list a resource or a
    need."""
    user = request.user
    committee = _committee(user, pk)
    acts = cogovern.acts_for_committee(user, committee)
    units = _area_units(committee)
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if request.method == "POST" else None
    resource_form = ResourceForm(
        data if action == "resource" else None, units=units, auto_id="resource_%s"
    )
    need_form = NeedForm(data if action == "need" else None, units=units, auto_id="need_%s")
    if request.method == "POST":
        if not acts:
            raise PermissionDenied(_("Only those who run the committee do this."))
        form = {"resource": resource_form, "need": need_form}.get(action)
        if form is None:
            messages.error(request, _("Unknown action."))
            return redirect("community:lists", pk=pk)
        if form.is_valid():
            try:
                if action == "resource":
                    cogovern.list_resource(user, committee, **form.cleaned_data)
                    messages.success(request, _("The resource is listed."))
                    return redirect(f"{_lists_url(committee)}#resources")
                need = cogovern.list_need(user, committee, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The need is listed: match it with resources."))
                return redirect("community:need", pk=need.pk)
    return render(
        request,
        "community/committee_lists.html",
        {
            "c": committee,
            "acts": acts,
            "resources": committee.resources.select_related("unit").order_by("category", "id")[
                :200
            ],
            "needs": committee.needs.select_related("unit", "community_need")
            .annotate(project_count=_count(Project.objects.filter(need=OuterRef("pk")), "need"))
            .order_by("-created_at", "-id")[:200],
            "projects": committee.projects.select_related("need", "owner").order_by(
                "-created_at", "-id"
            )[:200],
            "resource_form": resource_form,
            "need_form": need_form,
        },
    )


def _lists_url(committee):
    return reverse("community:lists", kwargs={"pk": committee.pk})


@login_required
def need_detail(request, pk):
    """A listed need: the resources of the area that fit it, nearest first, and the match."""
    user = request.user
    need = get_object_or_404(
        ListNeed.objects.filter(committee__in=committees_of(user)).select_related(
            "committee__district", "committee__street", "committee__community", "unit"
        ),
        pk=pk,
    )
    committee = need.committee
    acts = cogovern.acts_for_committee(user, committee)
    members = _open_members(committee)
    data = request.POST if request.method == "POST" else None
    # any resource id is taken: the service says when it is not of the area (a field error)
    form = MatchForm(
        data, resources=Resource.objects.all(), members=members, initial={"title": need.title}
    )
    if request.method == "POST":
        if not acts:
            raise PermissionDenied(_("Only those who run the committee do this."))
        if form.is_valid():
            try:
                project = cogovern.match_project(
                    user,
                    committee,
                    need=need,
                    resources=form.cleaned_data["resources"],
                    title=form.cleaned_data["title"],
                    owner=form.cleaned_data["owner"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The project is matched."))
                return redirect("community:project", pk=project.pk)
    chosen = {str(v) for v in (data.getlist("resources") if data else [])}
    return render(
        request,
        "community/need_detail.html",
        {
            "n": need,
            "c": committee,
            "acts": acts,
            "suggestions": cogovern.suggest_resources(need),
            "projects": need.projects.select_related("owner").order_by("-created_at", "-id"),
            "form": form,
            "chosen": chosen,
        },
    )


@login_required
def project_detail(request, pk):
    user = request.user
    project = get_object_or_404(
        Project.objects.filter(committee__in=committees_of(user)).select_related(
            "committee__district",
            "committee__street",
            "committee__community",
            "need",
            "owner",
        ),
        pk=pk,
    )
    committee = project.committee
    acts = cogovern.acts_for_committee(user, committee)
    statuses = sorted(cogovern.ALLOWED_NEXT.get(project.status, ()))
    form = ProjectForm(
        request.POST if request.method == "POST" else None,
        statuses=statuses,
        initial={"result": project.result},
    )
    if request.method == "POST":
        if not acts:
            raise PermissionDenied(_("Only those who run the committee do this."))
        if not statuses:
            messages.error(request, _("The project is closed."))
            return redirect("community:project", pk=pk)
        if form.is_valid():
            try:
                cogovern.update_project(user, project, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("community:project", pk=pk)
            else:
                messages.success(request, _("The project is updated."))
                return redirect("community:project", pk=pk)
    return render(
        request,
        "community/project_detail.html",
        {
            "p": project,
            "c": committee,
            "acts": acts,
            "resources": project.resources.select_related("unit").order_by("id"),
            "form": form,
            "closed": not statuses,
        },
    )
