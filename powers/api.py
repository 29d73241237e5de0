"""REST API of the powers (docs/powers.md). Every queryset is restricted to the caller's
scope before lookup (outside: 404); acting needs the power on the object or the role (in
scope without it: 403), checked before the body is read; the state decides 409."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.choices import Power, Role
from accounts.models import DispatchedAgency, PowerGrant, Station, StationedOfficer
from accounts.scope import scope_of
from accounts.services import grant_power, revoke_power, timeline
from config.api import valid_data as _valid
from core.idempotency import replay_or_run

from . import services
from .filters import (
    AgencyFilter,
    MatterFilter,
    OfficerAssessmentFilter,
    OfficerFilter,
    OfficerRecordFilter,
    OpinionFilter,
    OrderFilter,
    RecommendationFilter,
    StationFilter,
)
from .models import (
    MajorMatter,
    OfficerAssessment,
    OfficerRecord,
    Opinion,
    PersonnelRecommendation,
    SupervisionOrder,
)
from .serializers import (
    AgencySerializer,
    AnswerSerializer,
    AssessInputSerializer,
    DecisionSerializer,
    GrantSerializer,
    IssueOrderSerializer,
    MajorMatterSerializer,
    OfficerAssessmentSerializer,
    OfficerRecordSerializer,
    OfficerSerializer,
    OpinionInputSerializer,
    OpinionSerializer,
    PersonnelRecommendationSerializer,
    PowerGrantSerializer,
    PublishMatterSerializer,
    RecommendSerializer,
    RecordInputSerializer,
    ReplySerializer,
    RevokeSerializer,
    StationSerializer,
    SupervisionOrderSerializer,
    TimelineEventSerializer,
)


def _require(condition: bool, message: str):
    if not condition:
        raise PermissionDenied(message)


class _WithTimeline:
    """`retrieve` adds the object's timeline (`events`); lists leave it out (no per-row query)."""

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        data = self.get_serializer(obj).data
        data["events"] = TimelineEventSerializer(timeline(obj), many=True).data
        return Response(data)

    def _answer(self, obj, code=status.HTTP_200_OK):
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(obj).data, status=code)


# --- the governed objects -----------------------------------------------------------------


class StationViewSet(viewsets.ReadOnlyModelViewSet):
    """The 1+4+N stations the caller sees, with the powers the caller holds on each."""

    serializer_class = StationSerializer
    filterset_class = StationFilter

    def get_queryset(self):
        return (
            Station.objects.visible_to(self.request.user)
            .select_related("street", "department")
            .with_powers_of(self.request.user, Power.COORDINATE_DEPARTMENTS, Power.VETO_DEPARTMENT)
            .order_by("id")
        )


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter

    def get_queryset(self):
        return (
            DispatchedAgency.objects.visible_to(self.request.user)
            .select_related("street", "department")
            .with_powers_of(self.request.user, Power.RECOMMEND_PERSONNEL)
            .order_by("id")
        )


class OfficerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OfficerSerializer
    filterset_class = OfficerFilter

    def get_queryset(self):
        return (
            StationedOfficer.objects.visible_to(self.request.user)
            .select_related("street", "department")
            .with_powers_of(self.request.user, Power.ASSESS_STATIONED_STAFF)
            .order_by("id")
        )


# --- grants --------------------------------------------------------------------------------


class PowerGrantViewSet(
    _WithTimeline,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Grants of powers to streets: district administrators grant and revoke."""

    serializer_class = PowerGrantSerializer
    filterset_fields = ["power"]

    def get_queryset(self):
        return (
            PowerGrant.objects.visible_to(self.request.user)
            .select_related("street", "granted_by", "revoked_by")
            .order_by("id")
        )

    def _administers(self) -> bool:
        user = self.request.user
        return user.is_superuser or Role.DISTRICT_ADMIN in scope_of(user).roles

    @extend_schema(request=GrantSerializer, responses={201: PowerGrantSerializer})
    def create(self, request):
        _require(self._administers(), _("Only district administrators grant powers."))
        data = _valid(GrantSerializer, request)
        grant = grant_power(request.user, data["street"], data["power"], data["note"])
        return self._answer(grant, status.HTTP_201_CREATED)

    @extend_schema(request=RevokeSerializer, responses=PowerGrantSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        grant = self.get_object()
        from accounts.services import may_grant

        _require(
            may_grant(request.user, grant.street),
            _("Only the district's administrators revoke its streets' powers."),
        )
        data = _valid(RevokeSerializer, request)
        return self._answer(revoke_power(request.user, grant, data["reason"]))


# --- 督办: supervision orders ---------------------------------------------------------------


class SupervisionOrderViewSet(
    _WithTimeline,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SupervisionOrderSerializer
    filterset_class = OrderFilter

    def get_queryset(self):
        return (
            SupervisionOrder.objects.visible_to(self.request.user)
            .select_related("street", "department", "issued_by", "answered_by")
            .order_by("-issued_at", "-id")
        )

    @extend_schema(request=IssueOrderSerializer, responses={201: SupervisionOrderSerializer})
    def create(self, request):
        _require(
            services.may_use(request.user, Power.COORDINATE_DEPARTMENTS),
            _("Only committees granted the power to coordinate issue supervision orders."),
        )

        def run():
            data = _valid(IssueOrderSerializer, request)
            order = services.issue_order(request.user, **data)
            return self._answer(order, status.HTTP_201_CREATED)

        return replay_or_run(request, run)

    @extend_schema(request=ReplySerializer, responses=SupervisionOrderSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        order = self.get_object()
        services.require_department(request.user, order)
        data = _valid(ReplySerializer, request)
        return self._answer(services.answer_order(request.user, order, reply=data["reply"]))


# --- 意见建议: major matters and opinions -----------------------------------------------------


class MajorMatterViewSet(
    _WithTimeline,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MajorMatterSerializer
    filterset_class = MatterFilter

    def get_queryset(self):
        return (
            MajorMatter.objects.visible_to(self.request.user)
            .select_related("district", "published_by")
            .prefetch_related("streets")
            .order_by("-published_at", "-id")
        )

    @extend_schema(request=PublishMatterSerializer, responses={201: MajorMatterSerializer})
    def create(self, request):
        user = request.user
        _require(
            user.is_superuser or Role.DISTRICT_ADMIN in scope_of(user).roles,
            _("Only district administrators publish major matters."),
        )
        data = _valid(PublishMatterSerializer, request)
        matter = services.publish_matter(user, **{"district": None, **data})
        return self._answer(matter, status.HTTP_201_CREATED)

    @extend_schema(request=OpinionInputSerializer, responses={201: OpinionSerializer})
    @action(detail=True, methods=["post"])
    def opinions(self, request, pk=None):
        """Submit the street committee's opinion (意见建议权)."""
        matter = self.get_object()
        services.require_power(request.user, Power.ADVISE_MAJOR_MATTER, matter)
        data = _valid(OpinionInputSerializer, request)
        opinion = services.submit_opinion(request.user, matter, content=data["content"])
        opinion = Opinion.objects.select_related("street", "submitted_by").get(pk=opinion.pk)
        return Response(OpinionSerializer(opinion).data, status=status.HTTP_201_CREATED)


class OpinionViewSet(
    _WithTimeline, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = OpinionSerializer
    filterset_class = OpinionFilter

    def get_queryset(self):
        return (
            Opinion.objects.visible_to(self.request.user)
            .select_related("street", "matter", "submitted_by", "answered_by")
            .order_by("submitted_at", "id")
        )

    @extend_schema(request=AnswerSerializer, responses=OpinionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        opinion = self.get_object()
        _require(
            services.may_answer_opinion(request.user, opinion),
            _("Only the publisher of the matter answers its opinions."),
        )
        data = _valid(AnswerSerializer, request)
        return self._answer(services.answer_opinion(request.user, opinion, answer=data["answer"]))


# --- 人事建议: personnel recommendations ------------------------------------------------------


class PersonnelRecommendationViewSet(
    _WithTimeline,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PersonnelRecommendationSerializer
    filterset_class = RecommendationFilter

    def get_queryset(self):
        return (
            PersonnelRecommendation.objects.visible_to(self.request.user)
            .select_related("street", "agency", "department", "recommended_by", "answered_by")
            .order_by("-recommended_at", "-id")
        )

    @extend_schema(request=RecommendSerializer, responses={201: PersonnelRecommendationSerializer})
    def create(self, request):
        _require(
            services.may_use(request.user, Power.RECOMMEND_PERSONNEL),
            _("Only committees granted the power recommend on personnel."),
        )

        def run():
            data = _valid(RecommendSerializer, request)
            rec = services.recommend_personnel(request.user, **data)
            return self._answer(rec, status.HTTP_201_CREATED)

        return replay_or_run(request, run)

    @extend_schema(request=DecisionSerializer, responses=PersonnelRecommendationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        rec = self.get_object()
        services.require_department(request.user, rec)
        data = _valid(DecisionSerializer, request)
        return self._answer(services.answer_recommendation(request.user, rec, **data))


# --- 派驻人员考核: the stationed-staff assessment -------------------------------------------


class OfficerRecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = OfficerRecordSerializer
    filterset_class = OfficerRecordFilter

    def get_queryset(self):
        return (
            OfficerRecord.objects.visible_to(self.request.user)
            .select_related("officer", "recorded_by")
            .order_by("-date", "-id")
        )

    @extend_schema(request=RecordInputSerializer, responses={201: OfficerRecordSerializer})
    def create(self, request):
        _require(
            services.may_use(request.user, Power.ASSESS_STATIONED_STAFF),
            _("Only committees granted the power keep records of stationed officers."),
        )
        data = _valid(RecordInputSerializer, request)
        entry = services.record_officer(request.user, **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=entry.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class OfficerAssessmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = OfficerAssessmentSerializer
    filterset_class = OfficerAssessmentFilter

    def get_queryset(self):
        return (
            OfficerAssessment.objects.visible_to(self.request.user)
            .select_related("officer", "assessed_by")
            .order_by("-period", "officer_id", "id")
        )

    @extend_schema(request=AssessInputSerializer, responses={201: OfficerAssessmentSerializer})
    def create(self, request):
        _require(
            services.may_use(request.user, Power.ASSESS_STATIONED_STAFF),
            _("Only committees granted the power assess stationed officers."),
        )
        data = _valid(AssessInputSerializer, request)
        assessment = services.assess_officer(request.user, **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=assessment.pk)).data,
            status=status.HTTP_201_CREATED,
        )
