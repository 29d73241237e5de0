"""REST API of 双报到 (units and in-service party members register where they are and serve
there; reports to their employers). Every queryset is restricted to the caller's sight before
lookup (outside: 404); the services in community.dual decide who may act (in sight, not
theirs: 403) and what the state allows (409). A member's phone and address: themselves and
their community's staff and street in full, masked elsewhere, never in events."""

from datetime import UTC, datetime, timedelta

import django_filters
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api import valid_data as _valid
from core.filters import BooleanFilter
from core.idempotency import IDEMPOTENCY, replay_or_run

from . import dual, feedback
from .api import NOT_FOUND, _id_filter, _require
from .choices import RegistrationStatus
from .models import (
    CommunityNeed,
    CultureSpace,
    MemberRegistration,
    PartyMember,
    ServiceActivity,
    SignUp,
    UnitRegistration,
)
from .serializers_dual import (
    AddSpaceSerializer,
    CheckInSerializer,
    CommunityNeedSerializer,
    CultureSpaceSerializer,
    EmployerReportDetailSerializer,
    EmployerReportSerializer,
    EndRegistrationSerializer,
    MemberMeSerializer,
    MemberRegistrationSerializer,
    MoveSerializer,
    PartyMemberSerializer,
    PartyUnitSerializer,
    PublishActivitySerializer,
    PublishNeedSerializer,
    RegisterMemberSerializer,
    RegisterUnitSerializer,
    ServiceActivitySerializer,
    SignUpSerializer,
    UnitRegistrationSerializer,
    _of_communities,
    serves_any_community,
    visible_member_registrations,
    visible_members,
    visible_sign_ups,
    visible_unit_registrations,
    visible_units,
)

SIGN_UP_REFUSED = OpenApiResponse(
    description=gettext_lazy("`activity`: signed up already, or the activity is full.")
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- filters ----------------------------------------------------------------------------------


class UnitRegistrationFilter(django_filters.FilterSet):
    street = _id_filter("street_id")
    unit = _id_filter("unit_id")
    status = django_filters.ChoiceFilter(choices=RegistrationStatus.choices)

    class Meta:
        model = UnitRegistration
        fields = ["street", "unit", "status"]


class MemberRegistrationFilter(django_filters.FilterSet):
    community = _id_filter("community_id")
    status = django_filters.ChoiceFilter(choices=RegistrationStatus.choices)

    class Meta:
        model = MemberRegistration
        fields = ["community", "status"]


class CommunityFilter(django_filters.FilterSet):
    community = _id_filter("community_id")


class SpaceFilter(CommunityFilter):
    class Meta:
        model = CultureSpace
        fields = ["community"]


class NeedFilter(CommunityFilter):
    open = BooleanFilter(field_name="closed_at", lookup_expr="isnull")

    class Meta:
        model = CommunityNeed
        fields = ["community", "open"]


class ActivityFilter(CommunityFilter):
    upcoming = BooleanFilter(method="filter_upcoming")

    class Meta:
        model = ServiceActivity
        fields = ["community", "upcoming"]

    def filter_upcoming(self, queryset, name, value):
        """true: not over and not cancelled; false: the others."""
        current = Q(ends_at__gt=timezone.now(), cancelled_at=None)
        return queryset.filter(current) if value else queryset.exclude(current)


class SignUpFilter(django_filters.FilterSet):
    activity = _id_filter("activity_id")
    checked_in = BooleanFilter(field_name="checked_in_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = SignUp
        fields = ["activity", "checked_in"]


# --- units ------------------------------------------------------------------------------------


class PartyUnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Units' party organisations: the city sees every unit, the street's and the district's
    people those registered with their streets, a unit's contact their own unit."""

    serializer_class = PartyUnitSerializer

    def get_queryset(self):
        return visible_units(self.request.user).order_by("id")

    @extend_schema(
        request=RegisterUnitSerializer,
        responses={201: UnitRegistrationSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        """A unit registers with the street where it is stationed (entered by the street's
        people, or by the unit's contact, who becomes its contact); the street confirms."""

        def run():
            data = _valid(RegisterUnitSerializer, request)
            registration = dual.register_unit(request.user, **data)
            registration = UnitRegistration.objects.select_related("unit", "street").get(
                pk=registration.pk
            )
            return Response(
                UnitRegistrationSerializer(registration).data, status=status.HTTP_201_CREATED
            )

        return replay_or_run(request, run)


class UnitRegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Units' registrations with streets: the street's, the district's and the city's people;
    a unit's contact those of their unit."""

    serializer_class = UnitRegistrationSerializer
    filterset_class = UnitRegistrationFilter

    def get_queryset(self):
        return visible_unit_registrations(
            self.request.user, UnitRegistration.objects.select_related("unit", "street")
        ).order_by("street_id", "-registered_at", "-id")

    @extend_schema(request=None, responses=UnitRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        registration = dual.confirm_unit(request.user, self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=registration.pk)).data)


# --- members ----------------------------------------------------------------------------------


class PartyMemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """In-service party members registered with the communities the caller serves or
    oversees (their staff, street, district, the city); a member themselves."""

    serializer_class = PartyMemberSerializer

    def get_queryset(self):
        registrations = MemberRegistration.objects.select_related("community").order_by(
            "-registered_at", "-id"
        )
        return (
            visible_members(self.request.user)
            .select_related("employer")
            .prefetch_related(Prefetch("registrations", queryset=registrations))
            .order_by("id")
        )

    @extend_schema(responses={200: MemberMeSerializer, 404: NOT_FOUND})
    @action(detail=False, methods=["get"])
    def me(self, request):
        """The caller's member record: their registrations (history included), their service
        in the current feedback period and in all (404 for who is no member)."""
        registrations = MemberRegistration.objects.select_related(
            "community", "member__employer"
        ).order_by("-registered_at", "-id")
        member = get_object_or_404(
            PartyMember.objects.select_related("employer").prefetch_related(
                Prefetch("registrations", queryset=registrations)
            ),
            user=request.user,
        )
        period = feedback.period_of()
        start, end = feedback._period(period).bounds
        service = dual.service_record(member, start, end)
        total = dual.service_record(
            member, datetime(2000, 1, 1, tzinfo=UTC), timezone.now() + timedelta(days=1)
        )
        context = {
            "request": request,
            "service": {"period": period, **service},
            "service_total": total,
        }
        return Response(MemberMeSerializer(member, context=context).data)


class MemberRegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Members' registrations with communities: the community's staff, its street, district,
    the city; a member their own."""

    serializer_class = MemberRegistrationSerializer
    filterset_class = MemberRegistrationFilter

    def get_queryset(self):
        return visible_member_registrations(
            self.request.user,
            MemberRegistration.objects.select_related(
                "member__employer", "community__street", "street"
            ),
        ).order_by("community_id", "-registered_at", "-id")

    def _answer(self, registration, code=status.HTTP_200_OK):
        registration = self.get_queryset().get(pk=registration.pk)
        return Response(self.get_serializer(registration).data, status=code)

    @extend_schema(
        request=RegisterMemberSerializer,
        responses={201: MemberRegistrationSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        """The caller registers as an in-service party member with the community where they
        live, naming their employer unit; the community confirms."""

        def run():
            data = _valid(RegisterMemberSerializer, request)
            registration = dual.register_member(request.user, **data)
            return self._answer(registration, status.HTTP_201_CREATED)

        return replay_or_run(request, run)

    @extend_schema(request=None, responses=MemberRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The community's staff (or the street's people) confirm the member."""
        return self._answer(dual.confirm_member(request.user, self.get_object()))

    @extend_schema(request=EndRegistrationSerializer, responses=MemberRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """The member leaves, or the community ends a registration (`refused`): history kept."""
        registration = self.get_object()
        if registration.member.user_id != request.user.pk:
            dual.require_community(request.user, registration.community)
        data = _valid(EndRegistrationSerializer, request)
        return self._answer(dual.end_member(request.user, registration, reason=data["reason"]))

    @extend_schema(request=MoveSerializer, responses={201: MemberRegistrationSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """The member moves: this registration ends (moved), a new one awaits the new
        community's confirmation."""
        registration = self.get_object()
        _require(
            registration.member.user_id == request.user.pk,
            _("Members move their own registration."),
        )
        data = _valid(MoveSerializer, request)
        moved = dual.move_member(request.user, registration, community=data["community"])
        return self._answer(moved, status.HTTP_201_CREATED)


# --- spaces, needs, activities --------------------------------------------------------------


def _publish(view, request, input_class, service):
    """A POST of what a community publishes (a space, a need, an activity): its staff and its
    street's people only; `service(user, community, **fields)` does the rest; 201 with the new
    object as the list shows it."""
    _require(
        serves_any_community(request.user),
        _("Only the community's staff and the street's officials do this."),
    )

    def run():
        data = _valid(input_class, request)
        made = service(request.user, data.pop("community"), **data)
        return Response(
            view.get_serializer(view.get_queryset().get(pk=made.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    return replay_or_run(request, run)


class CultureSpaceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Community venues, seen as the community's activities are."""

    serializer_class = CultureSpaceSerializer
    filterset_class = SpaceFilter

    def get_queryset(self):
        spaces = CultureSpace.objects.select_related("community")
        return _of_communities(self.request.user, spaces).order_by("community_id", "id")

    @extend_schema(
        request=AddSpaceSerializer,
        responses={201: CultureSpaceSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        return _publish(self, request, AddSpaceSerializer, dual.add_space)


class CommunityNeedViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """What residents need, published by the community; seen as its activities are."""

    serializer_class = CommunityNeedSerializer
    filterset_class = NeedFilter

    def get_queryset(self):
        needs = CommunityNeed.objects.select_related("community")
        return _of_communities(self.request.user, needs).order_by("-published_at", "-id")

    @extend_schema(
        request=PublishNeedSerializer,
        responses={201: CommunityNeedSerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        return _publish(self, request, PublishNeedSerializer, dual.publish_need)


class ServiceActivityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Service activities: the community's staff, its street, district, the city, and the
    members confirmed with the community. `?upcoming=true`: not over, not cancelled."""

    serializer_class = ServiceActivitySerializer
    filterset_class = ActivityFilter

    def get_queryset(self):
        activities = ServiceActivity.objects.select_related("community", "space").annotate(
            taken=Count("sign_ups", filter=Q(sign_ups__cancelled_at=None))
        )
        return _of_communities(self.request.user, activities).order_by("-starts_at", "-id")

    @extend_schema(
        request=PublishActivitySerializer,
        responses={201: ServiceActivitySerializer},
        parameters=[IDEMPOTENCY],
    )
    def create(self, request):
        return _publish(self, request, PublishActivitySerializer, dual.publish_activity)

    @extend_schema(
        request=None,
        responses={201: SignUpSerializer, 400: SIGN_UP_REFUSED},
        parameters=[IDEMPOTENCY],
    )
    @action(detail=True, methods=["post"], url_path="sign-up", url_name="sign-up")
    def sign_up(self, request, pk=None):
        """The caller, a member confirmed with the activity's community, takes a place (403
        for anyone else; 400 on `activity`: signed up already, or full)."""
        activity = self.get_object()
        _require(
            MemberRegistration.objects.filter(
                member__user=request.user,
                community_id=activity.community_id,
                status=RegistrationStatus.CONFIRMED,
            ).exists(),
            _("Register with the activity's community first (and be confirmed)."),
        )

        def run():
            place = dual.sign_up(request.user, activity)
            place = SignUp.objects.select_related("activity", "member").get(pk=place.pk)
            return Response(SignUpSerializer(place).data, status=status.HTTP_201_CREATED)

        return replay_or_run(request, run)


class SignUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Places in activities: a member's own; the activity's community's staff, street,
    district and the city."""

    serializer_class = SignUpSerializer
    filterset_class = SignUpFilter

    def get_queryset(self):
        return visible_sign_ups(
            self.request.user, SignUp.objects.select_related("activity", "member")
        ).order_by("-signed_up_at", "-id")

    def _answer(self, place):
        return Response(self.get_serializer(self.get_queryset().get(pk=place.pk)).data)

    @extend_schema(request=None, responses=SignUpSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """The member gives the place up (or the community's staff), before check-in."""
        place = self.get_object()
        place = SignUp.objects.select_related("member", "activity__community__street").get(
            pk=place.pk
        )
        return self._answer(dual.cancel_sign_up(request.user, place))

    @extend_schema(request=CheckInSerializer, responses=SignUpSerializer)
    @action(detail=True, methods=["post"], url_path="check-in", url_name="check-in")
    def check_in(self, request, pk=None):
        """The community's staff check the member in, with the hours served (the activity's
        length unless given)."""
        place = SignUp.objects.select_related("activity__community__street").get(
            pk=self.get_object().pk
        )
        dual.require_community(request.user, place.activity.community)
        data = _valid(CheckInSerializer, request)
        return self._answer(dual.check_in(request.user, place, hours=data["hours"]))


# --- reports to employers ---------------------------------------------------------------------


class EmployerReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Reports to the members' employers (per period): the unit's contact their unit's, the
    streets (and districts) where the unit was registered during the period, the city."""

    def get_queryset(self):
        return feedback.employer_view(self.request.user).order_by("-deadline", "unit_id")

    def get_serializer_class(self):
        return EmployerReportSerializer if self.action == "list" else EmployerReportDetailSerializer

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def xlsx(self, request, pk=None):
        """The report as a spreadsheet."""
        report = self.get_object()
        response = HttpResponse(feedback.report_xlsx(report), content_type=XLSX)
        name = f"employer-report-{report.unit_id}-{report.period}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
