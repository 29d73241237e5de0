"""REST API of co-governance (issue 15, items 4 and 5): the party-building coordination
committees of districts, streets and communities with their members, meetings and follow-up
items; the three lists (resources, needs, projects) with suggestions nearest first; the
two-ways as records (exchanges, mutual evaluations and the report published to the committee).

Every queryset is restricted to the caller's sight before lookup (outside: 404); an id in a
body outside it is a 400 naming the field. The services in community.cogovern decide who may act
(in sight, not theirs: 403) and what the state allows (409). No phone is shown here, nor put in
an event."""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api import valid_data as _valid
from config.errors import Conflict
from core.filters import BooleanFilter
from core.idempotency import IDEMPOTENCY, replay_or_run
from core.periods import PERIOD_PATTERN, parse_period

from . import cogovern
from .api import NOT_FOUND, _id_filter, _require
from .choices import CommitteeLevel, Direction, NeedSource, ProjectStatus, ResourceCategory
from .models import (
    Attendance,
    Committee,
    CommitteeMember,
    Exchange,
    FollowUp,
    ListNeed,
    Meeting,
    MutualEvaluation,
    Project,
    Resource,
)
from .serializers_cogovern import (
    AddListNeedSerializer,
    AddMemberSerializer,
    CommitteeDetailSerializer,
    CommitteeMemberSerializer,
    CommitteeSerializer,
    CompleteFollowUpSerializer,
    CreateCommitteeSerializer,
    EvaluationReportSerializer,
    ExchangeSerializer,
    FollowUpSerializer,
    HoldMeetingSerializer,
    ListNeedSerializer,
    ListResourceSerializer,
    MatchProjectSerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
    MutualEvaluateSerializer,
    MutualEvaluationSerializer,
    ProjectSerializer,
    ProjectStatusSerializer,
    PublishEvaluationsSerializer,
    RecordExchangeSerializer,
    ResourceSerializer,
    acts_for_a_unit,
    of_committees,
    of_units_or_overseen,
    runs_a_level,
    visible_committees,
    visible_resources,
)

PERIOD = OpenApiParameter(
    "period",
    {"type": "string", "pattern": PERIOD_PATTERN},
    description=gettext_lazy(
        "YYYY-MM, YYYY-Qn or YYYY (default: the period published last to the committee)."
    ),
)


# --- filters ----------------------------------------------------------------------------------


class CommitteeFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=CommitteeLevel.choices)
    district = _id_filter("district_id")
    street = _id_filter("street_id")
    community = _id_filter("community_id")

    class Meta:
        model = Committee
        fields = ["level", "district", "street", "community"]


class OfCommitteeFilter(django_filters.FilterSet):
    committee = _id_filter("committee_id")


class CommitteeMemberFilter(OfCommitteeFilter):
    unit = _id_filter("unit_id")
    current = BooleanFilter(field_name="until", lookup_expr="isnull")

    class Meta:
        model = CommitteeMember
        fields = ["committee", "unit", "current"]


class MeetingFilter(OfCommitteeFilter):
    class Meta:
        model = Meeting
        fields = ["committee"]


class FollowUpFilter(django_filters.FilterSet):
    committee = _id_filter("meeting__committee_id")
    meeting = _id_filter("meeting_id")
    open = BooleanFilter(field_name="done_at", lookup_expr="isnull")

    class Meta:
        model = FollowUp
        fields = ["committee", "meeting", "open"]


class ResourceFilter(OfCommitteeFilter):
    unit = _id_filter("unit_id")
    category = django_filters.ChoiceFilter(choices=ResourceCategory.choices)
    available = BooleanFilter()

    class Meta:
        model = Resource
        fields = ["committee", "unit", "category", "available"]


class ListNeedFilter(OfCommitteeFilter):
    unit = _id_filter("unit_id")
    source = django_filters.ChoiceFilter(choices=NeedSource.choices)
    category = django_filters.ChoiceFilter(choices=ResourceCategory.choices)

    class Meta:
        model = ListNeed
        fields = ["committee", "unit", "source", "category"]


class ProjectFilter(OfCommitteeFilter):
    need = _id_filter("need_id")
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices)

    class Meta:
        model = Project
        fields = ["committee", "need", "status"]


class ExchangeFilter(OfCommitteeFilter):
    unit = _id_filter("unit_id")
    direction = django_filters.ChoiceFilter(choices=Direction.choices)
    is_service = BooleanFilter()

    class Meta:
        model = Exchange
        fields = ["committee", "unit", "direction", "is_service"]


class MutualEvaluationFilter(OfCommitteeFilter):
    unit = _id_filter("unit_id")
    direction = django_filters.ChoiceFilter(choices=Direction.choices)
    period = django_filters.CharFilter(max_length=7)

    class Meta:
        model = MutualEvaluation
        fields = ["committee", "unit", "direction", "period"]


# --- the common POST ----------------------------------------------------------------------------


def _create(view, request, input_class, make, allowed, refusal):
    """A creating POST: 403 unless `allowed` (nobody the caller runs could do it), the body
    checked (400 naming the field), `make(user, data)` does the rest (the service: 403, 400);
    201 with the new object as the detail shows it. Retried with its Idempotency-Key: once."""
    _require(allowed, refusal)

    def run():
        data = _valid(input_class, request)
        made = make(request.user, data)
        return Response(
            view.get_serializer(view.get_queryset().get(pk=made.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    return replay_or_run(request, run)


def _runner_or_unit(user) -> bool:
    return runs_a_level(user) or acts_for_a_unit(user)


RUNNERS_ONLY = gettext_lazy("Only those who run a district, a street or a community do this.")
RUNNERS_OR_UNITS = gettext_lazy("Only the committees' runners and the units' contacts do this.")


class _ReadCreate(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    detail_serializer_class = None

    def get_serializer_class(self):
        if self.action != "list" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class


# --- committees -------------------------------------------------------------------------------


def _create_committee(user, data):
    """The service's; a level that has its committee already is the state's refusal (409)."""
    try:
        return cogovern.create_committee(user, **data)
    except ValidationError as exc:
        area = {k: data[k] for k in ("district", "street", "community") if data.get(k)}
        if "level" in exc.message_dict and area:
            level = data["level"]
            if Committee.objects.filter(level=level, **{level: area.get(level)}).exists():
                raise Conflict(_("This level already has its committee."), "state") from None
        raise


class CommitteeViewSet(_ReadCreate):
    """Party-building coordination committees (党建协调委员会): a district's seen by the
    district's people; a street's and its communities' by the street's people and the
    district's; a community's by its staff too; the units' contacts those of the streets where
    their unit is registered; the city all. The detail lists the members."""

    serializer_class = CommitteeSerializer
    detail_serializer_class = CommitteeDetailSerializer
    filterset_class = CommitteeFilter

    def get_queryset(self):
        committees = Committee.objects.select_related("district", "street", "community")
        if self.action != "list":
            members = CommitteeMember.objects.select_related("unit").order_by("id")
            committees = committees.prefetch_related(Prefetch("members", queryset=members))
        return visible_committees(self.request.user, committees).order_by("id")

    @extend_schema(
        request=CreateCommitteeSerializer,
        responses={201: CommitteeDetailSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        """A level sets up its committee (one per district, street, community): a district's
        administrators, the street's people, the community's staff (and its street)."""
        return _create(
            self,
            request,
            CreateCommitteeSerializer,
            _create_committee,
            runs_a_level(request.user),
            RUNNERS_ONLY,
        )

    def _report(self, committee, period):
        rows = cogovern.evaluation_report(committee, period, published_only=True) if period else []
        return EvaluationReportSerializer(
            {"committee": committee.pk, "period": period, "rows": rows}
        ).data

    @extend_schema(
        request=PublishEvaluationsSerializer,
        responses={200: EvaluationReportSerializer},
    )
    @action(detail=True, methods=["post"], url_path="publish-evaluations")
    def publish_evaluations(self, request, pk=None):
        """The period's mutual evaluations published to the committee (its runners; 409 when
        nobody has rated the period): per unit, both sides' scores."""
        committee = self.get_object()
        cogovern.require_committee(request.user, committee)
        data = _valid(PublishEvaluationsSerializer, request)
        cogovern.publish_evaluations(request.user, committee, data["period"])
        return Response(self._report(committee, data["period"]))

    @extend_schema(parameters=[PERIOD], responses={200: EvaluationReportSerializer, 404: NOT_FOUND})
    @action(detail=True, methods=["get"], url_path="evaluation-report")
    def evaluation_report(self, request, pk=None):
        """The evaluation report as published to the committee (what was rated since is not
        in it), for everyone who sees the committee."""
        committee = self.get_object()
        period = request.query_params.get("period")
        if period is not None and parse_period(period) is None:
            raise exceptions.ValidationError(
                {"period": [_("Write the period as YYYY-MM, YYYY-Qn or YYYY.")]}
            )
        if period is None:
            period = (
                MutualEvaluation.objects.filter(committee=committee)
                .exclude(published_at=None)
                .order_by("-published_at", "-id")
                .values_list("period", flat=True)
                .first()
            )
        return Response(self._report(committee, period))


class CommitteeMemberViewSet(_ReadCreate):
    """Committees' members (a unit or the level's own organisation, with its representative),
    seen as their committee is."""

    serializer_class = CommitteeMemberSerializer
    filterset_class = CommitteeMemberFilter

    def get_queryset(self):
        members = CommitteeMember.objects.select_related("unit")
        return of_committees(self.request.user, members).order_by("committee_id", "id")

    @extend_schema(
        request=AddMemberSerializer,
        responses={201: CommitteeMemberSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        """A member joins: a unit registered in the committee's area, or the level's own
        organisation, with its representative (the committee's runners)."""
        return _create(
            self,
            request,
            AddMemberSerializer,
            lambda user, data: cogovern.add_member(user, data.pop("committee"), **data),
            runs_a_level(request.user),
            RUNNERS_ONLY,
        )


# --- meetings and follow-ups -----------------------------------------------------------------


class MeetingViewSet(_ReadCreate):
    """Committees' meetings, seen as their committee is: agenda, decisions, how many came; the
    detail names who came and the follow-up items."""

    serializer_class = MeetingSerializer
    detail_serializer_class = MeetingDetailSerializer
    filterset_class = MeetingFilter

    def get_queryset(self):
        meetings = Meeting.objects.select_related("committee").annotate(
            n_present=Count("attendance", filter=Q(attendance__present=True)),
            n_absent=Count("attendance", filter=Q(attendance__present=False)),
        )
        if self.action != "list":
            attendance = Attendance.objects.select_related("member").order_by("member_id")
            items = FollowUp.objects.select_related("meeting", "owner").order_by("deadline", "id")
            meetings = meetings.prefetch_related(
                Prefetch("attendance", queryset=attendance),
                Prefetch("follow_ups", queryset=items),
            )
        return of_committees(self.request.user, meetings).order_by("-held_at", "-id")

    @extend_schema(
        request=HoldMeetingSerializer,
        responses={201: MeetingDetailSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        """A meeting as it was held: agenda, who came (every other member is recorded
        absent), decisions, follow-up items with their owners and due dates (on the deadline
        engine). The committee's runners."""

        def make(user, data):
            items = [(i["title"], i["owner"], i["deadline"]) for i in data.pop("follow_ups")]
            return cogovern.hold_meeting(user, data.pop("committee"), follow_ups=items, **data)

        return _create(
            self, request, HoldMeetingSerializer, make, runs_a_level(request.user), RUNNERS_ONLY
        )


class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Meetings' follow-up items, seen as their committee is. `?open=true`: not done yet."""

    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter

    def get_queryset(self):
        items = FollowUp.objects.select_related("meeting", "owner")
        return of_committees(self.request.user, items, path="meeting__committee").order_by(
            "deadline", "id"
        )

    @extend_schema(request=CompleteFollowUpSerializer, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The item is done, with what was done (the committee's runners; done already: 409)."""
        item = FollowUp.objects.select_related("meeting__committee__community").get(
            pk=self.get_object().pk
        )
        cogovern.require_committee(request.user, item.meeting.committee)
        data = _valid(CompleteFollowUpSerializer, request)
        item = cogovern.complete_follow_up(request.user, item, note=data["note"])
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)


# --- the three lists -------------------------------------------------------------------------


class ResourceViewSet(_ReadCreate):
    """资源清单: what the units offer (venue, volunteers, funds, expertise). Seen by whoever
    sees a committee of the street (or the district) they are listed in."""

    serializer_class = ResourceSerializer
    filterset_class = ResourceFilter

    def get_queryset(self):
        resources = Resource.objects.select_related("unit")
        return visible_resources(self.request.user, resources).order_by(
            "committee_id", "category", "id"
        )

    @extend_schema(
        request=ListResourceSerializer,
        responses={201: ResourceSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        """A unit's resource on the committee's list: the committee's runners or the unit's
        contact."""
        return _create(
            self,
            request,
            ListResourceSerializer,
            lambda user, data: cogovern.list_resource(user, data.pop("committee"), **data),
            _runner_or_unit(request.user),
            RUNNERS_OR_UNITS,
        )


class ListNeedViewSet(_ReadCreate):
    """需求清单: needs collected from both sides (the community's, a unit's), seen as their
    committee is."""

    serializer_class = ListNeedSerializer
    filterset_class = ListNeedFilter

    def get_queryset(self):
        needs = ListNeed.objects.select_related("unit")
        return of_committees(self.request.user, needs).order_by("-created_at", "-id")

    @extend_schema(
        request=AddListNeedSerializer,
        responses={201: ListNeedSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        """A need on the list: the community's (the committee's runners) or a unit's (its
        contact, or the runners for it)."""
        return _create(
            self,
            request,
            AddListNeedSerializer,
            lambda user, data: cogovern.list_need(user, data.pop("committee"), **data),
            _runner_or_unit(request.user),
            RUNNERS_OR_UNITS,
        )

    @extend_schema(responses={200: ResourceSerializer(many=True), 404: NOT_FOUND})
    @action(detail=True, methods=["get"])
    def suggestions(self, request, pk=None):
        """The available resources of the area whose category fits the need, nearest first
        (those without a position last), among those the caller sees; at most ten."""
        need = ListNeed.objects.select_related("committee").get(pk=self.get_object().pk)
        resources = cogovern.suggest_resources(need, among=visible_resources(request.user))
        return Response(ResourceSerializer(resources, many=True).data)


class ProjectViewSet(_ReadCreate):
    """项目清单: needs matched with resources, with an owner, a status and a result; seen as
    their committee is."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter

    def get_queryset(self):
        projects = Project.objects.select_related("need", "owner").prefetch_related(
            Prefetch("resources", queryset=Resource.objects.only("pk").order_by("id"))
        )
        return of_committees(self.request.user, projects).order_by("-created_at", "-id")

    @extend_schema(
        request=MatchProjectSerializer,
        responses={201: ProjectSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        """A need of the committee's list matched with resources of its area (another
        street's: 400 naming `resources`), a title and an owner among its members (the
        committee's runners)."""
        return _create(
            self,
            request,
            MatchProjectSerializer,
            lambda user, data: cogovern.match_project(user, data.pop("committee"), **data),
            runs_a_level(request.user),
            RUNNERS_ONLY,
        )

    @extend_schema(request=ProjectStatusSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def set_status(self, request, pk=None):
        """planned → running or stopped; running → done (with the result) or stopped (the
        committee's runners; anything else: 409)."""
        project = Project.objects.select_related("committee__community").get(
            pk=self.get_object().pk
        )
        cogovern.require_committee(request.user, project.committee)
        data = _valid(ProjectStatusSerializer, request)
        project = cogovern.update_project(request.user, project, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=project.pk)).data)


# --- the two-ways ------------------------------------------------------------------------------


class ExchangeViewSet(_ReadCreate):
    """Two-way service and communication as records: the committee's overseers see all of
    them, a unit's contact their unit's."""

    serializer_class = ExchangeSerializer
    filterset_class = ExchangeFilter

    def get_queryset(self):
        exchanges = Exchange.objects.select_related("unit")
        return of_units_or_overseen(self.request.user, exchanges).order_by("-held_on", "-id")

    @extend_schema(
        request=RecordExchangeSerializer,
        responses={201: ExchangeSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        """A service or a communication, either way (the committee's runners or the unit's
        contact)."""
        return _create(
            self,
            request,
            RecordExchangeSerializer,
            lambda user, data: cogovern.record_exchange(user, data.pop("committee"), **data),
            _runner_or_unit(request.user),
            RUNNERS_OR_UNITS,
        )


class MutualEvaluationViewSet(_ReadCreate):
    """Two-way evaluation: each period the area rates the unit (`to_unit`) and the unit rates
    the area (`from_unit`). The committee's overseers see all, a unit's contact their unit's;
    the report published to the committee is `committees/{id}/evaluation-report/`."""

    serializer_class = MutualEvaluationSerializer
    filterset_class = MutualEvaluationFilter

    def get_queryset(self):
        evaluations = MutualEvaluation.objects.select_related("unit")
        return of_units_or_overseen(self.request.user, evaluations).order_by(
            "committee_id", "-period", "unit_id", "direction"
        )

    @extend_schema(
        request=MutualEvaluateSerializer,
        responses={201: MutualEvaluationSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        """One side's score of the period (once per side): the committee's runners rate the
        unit, the unit's contact rates the area."""
        return _create(
            self,
            request,
            MutualEvaluateSerializer,
            lambda user, data: cogovern.evaluate(user, data.pop("committee"), **data),
            _runner_or_unit(request.user),
            RUNNERS_OR_UNITS,
        )
