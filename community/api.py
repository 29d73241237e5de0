"""REST API of the front line (街巷长, 小巷管家, 社区专员, 入户). Every queryset is restricted to the
caller's scope before lookup (outside: 404); the services decide who may act (in scope, not
yours: 403) and what the state allows (409). A steward's phone and address: their street and
themselves only (masked elsewhere), never in a report, a patrol or an event."""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_offices import AssignOfficeSerializer
from accounts.choices import Power
from accounts.filters import OfficeFilter, VisibleStreetFilter
from accounts.scope import scope_of
from config.api import valid_data as _valid
from core.filters import BooleanFilter, IdFilter
from core.idempotency import IDEMPOTENCY, replay_or_run
from core.ids import MAX_ID
from core.photos import private_image
from dispatch.serializers import WhistleSerializer
from dispatch.services import may_coordinate
from powers.models import SupervisionOrder
from powers.serializers import IssueOrderSerializer, SupervisionOrderSerializer
from powers.services import may_use
from whistle.models import Whistle

from . import figures, services
from .choices import ReportCategory, ReportStatus, StewardKind
from .models import (
    Adoption,
    Alley,
    AlleyChief,
    CommissionerTask,
    CommunityStaff,
    FrontlineReport,
    HouseholdCount,
    Patrol,
    ReportPhoto,
    Steward,
    Visit,
)
from .querysets import communities_visible_to
from .scope import frontline_of, office_districts, office_streets
from .serializers import (
    AddTaskSerializer,
    AdoptionSerializer,
    AdoptSerializer,
    AlleyDetailSerializer,
    AlleySerializer,
    AssignChiefSerializer,
    AssignStaffSerializer,
    CommissionerTaskSerializer,
    CommunityStaffSerializer,
    CreateAlleySerializer,
    DistrictComparisonSerializer,
    EndAdoptionSerializer,
    EndStaffSerializer,
    FileReportSerializer,
    FileReportUploadSerializer,
    FrontlineMeSerializer,
    FrontlineReportDetailSerializer,
    FrontlineReportSerializer,
    HouseholdCountSerializer,
    ImportedHouseholdsSerializer,
    ImportHouseholdsSerializer,
    LeaveSerializer,
    PatrolSerializer,
    RecordPatrolSerializer,
    RecordVisitSerializer,
    RecruitedStewardSerializer,
    RecruitSerializer,
    ReportWhistleSerializer,
    ResolveReportSerializer,
    SetHouseholdsSerializer,
    StewardSerializer,
    StreetOverviewSerializer,
    VisitSerializer,
)


def _require(condition, message: str):
    if not condition:
        raise PermissionDenied(message)


def _runs_a_street(user) -> bool:
    """The street's officials and committee somewhere: they create the front line's objects."""
    return bool(scope_of(user).street_ids)


def _reports_somewhere(user) -> bool:
    """Stewards, chiefs and the street's people file reports and record patrols."""
    me = frontline_of(user)
    return bool(me.steward_id or me.chief_alley_ids or scope_of(user).street_ids)


def _visible_communities(user):
    return communities_visible_to(user).values("pk")


# --- filters of the lists ------------------------------------------------------------------------


@extend_schema_field({"type": "integer", "minimum": 2000, "maximum": 2999})
class YearFilter(django_filters.NumberFilter):
    """A year from 2000 to 2999 (anything else: 400 naming the parameter)."""

    field_class = forms.IntegerField


def _year_filter(**kwargs):
    return YearFilter(min_value=2000, max_value=2999, **kwargs)


def _id_filter(field_name):
    return IdFilter(field_name=field_name, min_value=1, max_value=MAX_ID)


class AlleyFilter(django_filters.FilterSet):
    street = VisibleStreetFilter(empty_label=gettext_lazy("Every street"))
    community = _id_filter("community_id")

    class Meta:
        model = Alley
        fields = ["street", "community"]


class StewardFilter(django_filters.FilterSet):
    street = VisibleStreetFilter(empty_label=gettext_lazy("Every street"))
    kind = django_filters.ChoiceFilter(choices=StewardKind.choices)
    active = BooleanFilter(field_name="left_on", lookup_expr="isnull")

    class Meta:
        model = Steward
        fields = ["street", "kind", "active"]


class AdoptionFilter(django_filters.FilterSet):
    alley = _id_filter("alley_id")
    steward = _id_filter("steward_id")
    open = BooleanFilter(field_name="end", lookup_expr="isnull")

    class Meta:
        model = Adoption
        fields = ["alley", "steward", "open"]


class ReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    alley = _id_filter("alley_id")
    street = VisibleStreetFilter(empty_label=gettext_lazy("Every street"))
    category = django_filters.ChoiceFilter(choices=ReportCategory.choices)
    office = OfficeFilter()

    class Meta:
        model = FrontlineReport
        fields = ["status", "alley", "street", "category", "office"]


class PatrolFilter(django_filters.FilterSet):
    alley = _id_filter("alley_id")
    street = VisibleStreetFilter(empty_label=gettext_lazy("Every street"))
    steward = _id_filter("steward_id")

    class Meta:
        model = Patrol
        fields = ["alley", "street", "steward"]


class StaffFilter(django_filters.FilterSet):
    community = _id_filter("community_id")

    class Meta:
        model = CommunityStaff
        fields = ["community"]


class TaskFilter(django_filters.FilterSet):
    community = _id_filter("community_id")
    open = BooleanFilter(field_name="done_at", lookup_expr="isnull")

    class Meta:
        model = CommissionerTask
        fields = ["community", "open"]


class HouseholdCountFilter(django_filters.FilterSet):
    community = _id_filter("community_id")
    year = _year_filter(field_name="year")

    class Meta:
        model = HouseholdCount
        fields = ["community", "year"]


class VisitFilter(django_filters.FilterSet):
    community = _id_filter("community_id")
    year = _year_filter(field_name="visited_on", lookup_expr="year")

    class Meta:
        model = Visit
        fields = ["community", "year"]


# --- alleys ------------------------------------------------------------------------------------


class AlleyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Alleys (街巷): the street's and the district's people see them; a chief their alleys, a
    steward those they look after, community staff those of their community."""

    filterset_class = AlleyFilter

    def get_queryset(self):
        alleys = Alley.objects.visible_to(self.request.user).select_related("street", "community")
        if self.action != "list":
            terms = AlleyChief.objects.select_related("user").order_by("-since", "-id")
            alleys = alleys.prefetch_related(Prefetch("chief_terms", queryset=terms))
        return alleys.with_chief_and_stewards().order_by("street_id", "id")

    def get_serializer_class(self):
        return AlleySerializer if self.action == "list" else AlleyDetailSerializer

    def _answer(self, alley, code=status.HTTP_200_OK):
        alley = self.get_queryset().get(pk=alley.pk)
        return Response(AlleyDetailSerializer(alley).data, status=code)

    @extend_schema(
        request=CreateAlleySerializer,
        responses={201: AlleyDetailSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        _require(_runs_a_street(request.user), _("Only the street's officials create alleys."))

        def run():
            data = _valid(CreateAlleySerializer, request)
            alley = services.create_alley(request.user, **data)
            return self._answer(alley, status.HTTP_201_CREATED)

        return replay_or_run(request, run)

    @extend_schema(request=AssignChiefSerializer, responses=AlleyDetailSerializer)
    @action(detail=True, methods=["post"])
    def chief(self, request, pk=None):
        """The alley's chief from now on (the term before ends: kept in `chief_history`)."""
        alley = self.get_object()
        services.require_street(request.user, alley.street_id)
        data = _valid(AssignChiefSerializer, request)
        services.assign_chief(request.user, alley, data["chief"])
        return self._answer(alley)


# --- stewards ----------------------------------------------------------------------------------


class StewardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Stewards (小巷管家): their street sees their phone and address, everyone else masked."""

    serializer_class = StewardSerializer
    filterset_class = StewardFilter

    def get_queryset(self):
        return (
            Steward.objects.visible_to(self.request.user)
            .select_related("street")
            .order_by("street_id", "id")
        )

    @extend_schema(request=RecruitSerializer, responses={201: RecruitedStewardSerializer})
    def create(self, request):
        """Recruit a steward with an account of their own; the answer carries the sign-in name
        and the password once (no Idempotency-Key: a stored answer would keep the password)."""
        _require(_runs_a_street(request.user), _("Only the street's officials recruit stewards."))
        data = _valid(RecruitSerializer, request)
        steward, password = services.recruit_steward(request.user, **data)
        steward = self.get_queryset().select_related("user").get(pk=steward.pk)
        context = {"request": request, "password": password}
        return Response(
            RecruitedStewardSerializer(steward, context=context).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=LeaveSerializer, responses=StewardSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """The steward stops: their adoptions end, their account no longer signs in."""
        steward = self.get_object()
        services.require_street(request.user, steward.street_id)
        data = _valid(LeaveSerializer, request)
        steward = services.steward_leaves(request.user, steward, on=data["on"])
        return Response(self.get_serializer(self.get_queryset().get(pk=steward.pk)).data)


# --- adoptions ---------------------------------------------------------------------------------


class AdoptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Adoptions of alleys by stewards, of the alleys the caller sees."""

    serializer_class = AdoptionSerializer
    filterset_class = AdoptionFilter

    def get_queryset(self):
        adoptions = Adoption.objects.visible_to(self.request.user).select_related(
            "steward", "alley"
        )
        return adoptions.order_by("alley_id", "-start", "-id")

    def _answer(self, adoption, code=status.HTTP_200_OK):
        adoption = self.get_queryset().get(pk=adoption.pk)
        return Response(AdoptionSerializer(adoption).data, status=code)

    @extend_schema(
        request=AdoptSerializer, responses={201: AdoptionSerializer}, parameters=[IDEMPOTENCY]
    )
    def create(self, request):
        _require(_runs_a_street(request.user), _("Only the street's officials do this."))

        def run():
            data = _valid(AdoptSerializer, request)
            adoption = services.adopt(
                request.user, data["steward"], data["alley"], start=data["start"]
            )
            return self._answer(adoption, status.HTTP_201_CREATED)

        return replay_or_run(request, run)

    @extend_schema(request=EndAdoptionSerializer, responses=AdoptionSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        adoption = self.get_object()
        services.require_street(request.user, adoption.alley.street_id)
        data = _valid(EndAdoptionSerializer, request)
        return self._answer(services.end_adoption(request.user, adoption, end=data["end"]))


# --- reports -----------------------------------------------------------------------------------


class FrontlineReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Front-line reports: the alley's chief and the street handle them (accept, fix, escalate
    to a whistle or a supervision order); a steward sees their own."""

    filterset_class = ReportFilter

    def get_queryset(self):
        reports = (
            FrontlineReport.objects.visible_to(self.request.user)
            .select_related("street", "alley", "steward", "reported_by", "whistle")
            .order_by("-reported_at", "-id")
        )
        if self.action != "list":
            reports = reports.prefetch_related("photos")
        return reports

    def get_serializer_class(self):
        return (
            FrontlineReportSerializer if self.action == "list" else FrontlineReportDetailSerializer
        )

    def _answer(self, report, code=status.HTTP_200_OK):
        report = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(report).data, status=code)

    def _handler(self):
        report = self.get_object()
        services.require_handler(self.request.user, report)
        return report

    @extend_schema(request=AssignOfficeSerializer, responses=FrontlineReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def office(self, request, pk=None):
        """The street's people give the report to an office of its street; null: to none."""
        report = self.get_object()
        services.require_street(request.user, report.street_id)
        data = _valid(AssignOfficeSerializer, request)
        return self._answer(services.assign_office(request.user, report, data["office"]))

    @extend_schema(
        request={
            "application/json": FileReportSerializer,
            "multipart/form-data": FileReportUploadSerializer,
        },
        responses={201: FrontlineReportDetailSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        """File a report (a steward in the alleys they look after, the alley's chief, the
        street): JSON, or multipart/form-data with image files in `photos`."""
        _require(
            _reports_somewhere(request.user),
            _("Only the alley's stewards, its chief and the street's officials report."),
        )

        def run():
            data = _valid(FileReportSerializer, request)
            photos = request.FILES.getlist("photos") if request.FILES else []
            report = services.file_report(request.user, photos=photos, **data)
            return self._answer(report, status.HTTP_201_CREATED)

        return replay_or_run(request, run)

    @extend_schema(request=None, responses=FrontlineReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(services.accept(request.user, self._handler()))

    @extend_schema(request=ResolveReportSerializer, responses=FrontlineReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Fixed by the street's own people: the outcome goes to the steward."""
        report = self._handler()
        data = _valid(ResolveReportSerializer, request)
        return self._answer(services.resolve(request.user, report, outcome=data["outcome"]))

    @extend_schema(
        request=ReportWhistleSerializer,
        responses={201: WhistleSerializer},
        parameters=[IDEMPOTENCY],
    )
    @action(detail=True, methods=["post"])
    def whistle(self, request, pk=None):
        """Escalate: a whistle of the report's street (POST whistles/'s body without
        `street`), linked both ways."""
        report = self._handler()
        _require(
            may_coordinate(request.user, report.street_id),
            _(
                "Blowing a whistle needs the power to coordinate departments, held by the "
                "street's party committee."
            ),
        )

        def run():
            data = _valid(ReportWhistleSerializer, request)
            whistle = services.blow_from_report(request.user, report, **data)
            whistle = Whistle.objects.select_related("street", "blown_by").get(pk=whistle.pk)
            return Response(
                WhistleSerializer(whistle, context={"request": request}).data,
                status=status.HTTP_201_CREATED,
            )

        return replay_or_run(request, run)

    @extend_schema(
        request=IssueOrderSerializer,
        responses={201: SupervisionOrderSerializer},
        parameters=[IDEMPOTENCY],
    )
    @action(detail=True, methods=["post"])
    def order(self, request, pk=None):
        """Escalate: a supervision order (督办) to a department stationed in the street."""
        report = self._handler()
        _require(
            may_use(request.user, Power.COORDINATE_DEPARTMENTS),
            _("Only committees granted the power to coordinate issue supervision orders."),
        )

        def run():
            data = _valid(IssueOrderSerializer, request)
            order = services.order_from_report(request.user, report, **data)
            order = SupervisionOrder.objects.select_related(
                "street", "department", "issued_by", "answered_by"
            ).get(pk=order.pk)
            return Response(SupervisionOrderSerializer(order).data, status=status.HTTP_201_CREATED)

        return replay_or_run(request, run)


class ReportPhotoFileView(APIView):
    """A report's photo, for whoever sees the report (never a public media URL)."""

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request, report_pk, pk):
        report = get_object_or_404(FrontlineReport.objects.visible_to(request.user), pk=report_pk)
        photo = get_object_or_404(ReportPhoto, report=report, pk=pk)
        return private_image(photo.image, photo.content_type)


# --- patrols -----------------------------------------------------------------------------------


class PatrolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Patrols (巡访) of alleys, seen as the reports are."""

    serializer_class = PatrolSerializer
    filterset_class = PatrolFilter

    def get_queryset(self):
        return (
            Patrol.objects.visible_to(self.request.user)
            .select_related("street", "alley", "steward", "patrolled_by")
            .order_by("-started_at", "-id")
        )

    @extend_schema(
        request=RecordPatrolSerializer, responses={201: PatrolSerializer}, parameters=[IDEMPOTENCY]
    )
    def create(self, request):
        _require(
            _reports_somewhere(request.user),
            _("Only the alley's stewards, its chief and the street's officials record patrols."),
        )

        def run():
            data = _valid(RecordPatrolSerializer, request)
            patrol = services.record_patrol(request.user, **data)
            return Response(
                PatrolSerializer(self.get_queryset().get(pk=patrol.pk)).data,
                status=status.HTTP_201_CREATED,
            )

        return replay_or_run(request, run)


# --- community staff and tasks -------------------------------------------------------------------


class CommunityStaffViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Commissioners (社区专员) and community workers of the communities the caller sees."""

    serializer_class = CommunityStaffSerializer
    filterset_class = StaffFilter

    def get_queryset(self):
        staff = CommunityStaff.objects.select_related("community", "user")
        if not scope_of(self.request.user).everything:
            staff = staff.filter(community_id__in=_visible_communities(self.request.user))
        return staff.order_by("community_id", "kind", "id")

    def _answer(self, staff, code=status.HTTP_200_OK):
        staff = self.get_queryset().get(pk=staff.pk)
        return Response(CommunityStaffSerializer(staff).data, status=code)

    @extend_schema(
        request=AssignStaffSerializer,
        responses={201: CommunityStaffSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        _require(_runs_a_street(request.user), _("Only the street's officials do this."))

        def run():
            data = _valid(AssignStaffSerializer, request)
            staff = services.assign_staff(
                request.user,
                data["community"],
                data["user"],
                kind=data["kind"],
                since=data["since"],
            )
            return self._answer(staff, status.HTTP_201_CREATED)

        return replay_or_run(request, run)

    @extend_schema(request=EndStaffSerializer, responses=CommunityStaffSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        staff = self.get_object()
        services.require_street(request.user, staff.community.street_id)
        data = _valid(EndStaffSerializer, request)
        return self._answer(services.end_staff(request.user, staff, until=data["until"]))


class CommissionerTaskViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = CommissionerTaskSerializer
    filterset_class = TaskFilter

    def get_queryset(self):
        return (
            CommissionerTask.objects.visible_to(self.request.user)
            .select_related("community", "assignee__user", "created_by", "done_by")
            .order_by("done_at", "due_on", "id")
        )

    def _answer(self, task, code=status.HTTP_200_OK):
        task = self.get_queryset().get(pk=task.pk)
        return Response(CommissionerTaskSerializer(task).data, status=code)

    @extend_schema(
        request=AddTaskSerializer,
        responses={201: CommissionerTaskSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        def run():
            data = _valid(AddTaskSerializer, request)
            task = services.add_task(
                request.user,
                data["community"],
                title=data["title"],
                due_on=data["due_on"],
                assignee=data["assignee"],
            )
            return self._answer(task, status.HTTP_201_CREATED)

        return replay_or_run(request, run)

    @extend_schema(request=None, responses=CommissionerTaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        return self._answer(services.complete_task(request.user, self.get_object()))


# --- households and visits -----------------------------------------------------------------------


class HouseholdCountViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Households of each community per year (the visit rate's denominator)."""

    serializer_class = HouseholdCountSerializer
    filterset_class = HouseholdCountFilter

    def get_queryset(self):
        counts = HouseholdCount.objects.select_related("community", "set_by")
        if not scope_of(self.request.user).everything:
            counts = counts.filter(community_id__in=_visible_communities(self.request.user))
        return counts.order_by("community_id", "-year")

    @extend_schema(
        request=SetHouseholdsSerializer,
        responses={201: HouseholdCountSerializer, 200: HouseholdCountSerializer},
    )
    def create(self, request):
        """Set a community's households for a year: 201 when new, 200 when changed."""
        _require(_runs_a_street(request.user), _("Only the street's officials do this."))
        data = _valid(SetHouseholdsSerializer, request)
        community = data.pop("community")
        existed = HouseholdCount.objects.filter(community=community, year=data["year"]).exists()
        count = services.set_households(request.user, community, **data)
        return Response(
            HouseholdCountSerializer(self.get_queryset().get(pk=count.pk)).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(
        request={"multipart/form-data": ImportHouseholdsSerializer},
        responses={200: ImportedHouseholdsSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        """The street's household counts from a CSV or XLSX file: all rows or none; the
        errors name each bad row (400 on `file`)."""
        from .households import import_households

        _require(_runs_a_street(request.user), _("Only the street's officials do this."))
        data = _valid(ImportHouseholdsSerializer, request)
        result = import_households(request.user, data["street"], data["file"])
        if not result.ok:
            raise ValidationError({"file": [str(e) for e in result.errors]})
        return Response({"saved": result.saved})


class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Household visits (入户) by the community's staff and the street."""

    serializer_class = VisitSerializer
    filterset_class = VisitFilter

    def get_queryset(self):
        return (
            Visit.objects.visible_to(self.request.user)
            .select_related("community", "household", "visited_by")
            .order_by("-visited_on", "-id")
        )

    @extend_schema(
        request=RecordVisitSerializer, responses={201: VisitSerializer}, parameters=[IDEMPOTENCY]
    )
    def create(self, request):
        def run():
            data = _valid(RecordVisitSerializer, request)
            visit = services.record_visit(request.user, **data)
            return Response(
                VisitSerializer(self.get_queryset().get(pk=visit.pk)).data,
                status=status.HTTP_201_CREATED,
            )

        return replay_or_run(request, run)


# --- who I am; the figures -----------------------------------------------------------------------


class FrontlineMeView(APIView):
    """What the caller is on the front line: a steward, the chief of alleys, community staff."""

    @extend_schema(responses=FrontlineMeSerializer)
    def get(self, request):
        user = request.user
        me = frontline_of(user)
        steward = None
        if me.steward_id:
            found = Steward.objects.select_related("street").get(pk=me.steward_id)
            steward = {
                "id": found.pk,
                "name": found.name,
                "street": found.street_id,
                "street_name": found.street.name,
                "kind": found.kind,
            }
        staff = CommunityStaff.objects.filter(user=user, until=None).order_by("community_id", "id")
        return Response(
            {
                "steward": steward,
                "chief_of": sorted(me.chief_alley_ids),
                "staff_of": [
                    {"community": c, "kind": k}
                    for c, k in staff.values_list("community_id", "kind")
                ],
            }
        )


def _unit_id(request, name):
    """A required id in the query string (400 naming it otherwise)."""
    field = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    raw = request.query_params.get(name)
    if raw in (None, ""):
        raise ValidationError({name: _("This field is required.")})
    try:
        return field.run_validation(raw)
    except serializers.ValidationError as exc:
        raise ValidationError({name: exc.detail}) from None


NOT_FOUND = OpenApiResponse(description=gettext_lazy("Not found."))


class FrontlineOverviewView(APIView):
    """`GET frontline/overview/?street=ID`: the street's front line in figures (stewards per
    alley, alleys without a steward or a chief, reports by status and age, patrols per month,
    visit rates), for the street's people, its district and the city."""

    @extend_schema(
        parameters=[OpenApiParameter("street", OpenApiTypes.INT, required=True)],
        responses={200: StreetOverviewSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        street_id = _unit_id(request, "street")
        street = get_object_or_404(office_streets(request.user), pk=street_id)
        return Response(StreetOverviewSerializer(figures.street_overview(street)).data)


class FrontlineComparisonView(APIView):
    """`GET frontline/comparison/?district=ID`: the district's streets side by side, and every
    community's visit rate (below the bar first), for the district's people and the city."""

    @extend_schema(
        parameters=[OpenApiParameter("district", OpenApiTypes.INT, required=True)],
        responses={200: DistrictComparisonSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        district_id = _unit_id(request, "district")
        district = get_object_or_404(office_districts(request.user), pk=district_id)
        comparison = figures.district_comparison(district)
        return Response(
            DistrictComparisonSerializer(
                {
                    "district": district.pk,
                    "today": comparison.today,
                    "streets": comparison.streets,
                    "communities": comparison.communities,
                }
            ).data
        )
