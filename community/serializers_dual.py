"""Serializers of 双报到's API, and what each caller sees of it. Ids in a body are looked up among
the objects the caller may use (else 400 naming the field); the services check the rights
again. A member's phone and address are shown in full to themselves and to the staff and the
street's people of the community they are registered with (open registrations), masked to
everyone else; never in a sign-up, a report or an event."""

from decimal import Decimal

from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Community, Street
from accounts.scope import scope_of
from core.fields import BoundedDecimalField

from .choices import EndReason, NeedCategory, RegistrationStatus, SpaceKind, UnitKind
from .dual import serves_community
from .models import (
    CommunityNeed,
    CultureSpace,
    EmployerReport,
    MemberRegistration,
    PartyMember,
    PartyUnit,
    ServiceActivity,
    SignUp,
    UnitRegistration,
)
from .scope import frontline_of, office
from .serializers import PHONE, _id

HOURS = r"^[0-9]{1,2}(?:\.[0-9]+)?$"


# --- what the caller sees (every queryset is restricted before lookup: outside, 404) ------------


def _everything(user) -> bool:
    return scope_of(user).everything


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _served(user) -> Q:
    """Communities (through `community`) whose staff the caller is, or in their streets."""
    return Q(community_id__in=frontline_of(user).staff_community_ids) | office(
        user, "community__street"
    )


def _confirmed_with(user):
    return MemberRegistration.objects.filter(
        member__user=user, status=RegistrationStatus.CONFIRMED
    ).values("community_id")


def visible_units(user, queryset=None):
    """The city every unit; the street's (the district's) people the units registered with
    their streets; a unit's contact their unit; a member their employer."""
    units = PartyUnit.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return units.none()
    if _everything(user):
        return units
    registered = UnitRegistration.objects.filter(office(user)).values("unit_id")
    mine = PartyMember.objects.filter(user=user).values("employer_id")
    return units.filter(Q(pk__in=registered) | Q(contact_user=user) | Q(pk__in=mine))


def visible_unit_registrations(user, queryset=None):
    registrations = UnitRegistration.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return registrations.none()
    if _everything(user):
        return registrations
    return registrations.filter(office(user) | Q(unit__contact_user=user))


def visible_member_registrations(user, queryset=None):
    """The community's staff, the street's and the district's people; the member their own."""
    registrations = MemberRegistration.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return registrations.none()
    if _everything(user):
        return registrations
    staff = frontline_of(user).staff_community_ids
    return registrations.filter(office(user) | Q(community_id__in=staff) | Q(member__user=user))


def visible_members(user, queryset=None):
    members = PartyMember.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return members.none()
    if _everything(user):
        return members
    staff = frontline_of(user).staff_community_ids
    registered = MemberRegistration.objects.filter(office(user) | Q(community_id__in=staff)).values(
        "member_id"
    )
    return members.filter(Q(user=user) | Q(pk__in=registered))


def _of_communities(user, queryset):
    """Spaces, needs and activities: the community's staff, its street, district, the city,
    and the members confirmed with it."""
    if not _signed_in(user):
        return queryset.none()
    if _everything(user):
        return queryset
    return queryset.filter(_served(user) | Q(community_id__in=_confirmed_with(user)))


def visible_sign_ups(user, queryset=None):
    sign_ups = SignUp.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return sign_ups.none()
    if _everything(user):
        return sign_ups
    staff = frontline_of(user).staff_community_ids
    return sign_ups.filter(
        Q(member__user=user)
        | Q(activity__community_id__in=staff)
        | office(user, "activity__community__street")
    )


def serves_any_community(user) -> bool:
    return bool(frontline_of(user).staff_community_ids or scope_of(user).street_ids)


# --- what the caller may use (ids in bodies) -------------------------------------------------


def _all_streets(request):
    """A unit registers with the street where it is stationed: any street of the city."""
    return Street.objects.all()


def _all_communities(request):
    """A member registers with the community where they live: any community of the city."""
    return Community.objects.select_related("street")


def _all_units(request):
    """A member names the unit they work for: any registered unit of the city."""
    return PartyUnit.objects.all()


def _served_communities(request):
    user = request.user
    return Community.objects.select_related("street").filter(
        Q(pk__in=frontline_of(user).staff_community_ids)
        | Q(street_id__in=scope_of(user).street_ids)
    )


def _served_spaces(request):
    return CultureSpace.objects.filter(community__in=_served_communities(request))


def _served_needs(request):
    return CommunityNeed.objects.filter(community__in=_served_communities(request))


# --- personal data --------------------------------------------------------------------------


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _masked_address(address) -> str:
    return "***" if address else ""


def _sees_contact(user, member, registrations) -> bool:
    """Full phone and address: the member; the staff and street of an open registration's
    community."""
    if user is None:
        return False
    if member.user_id == user.pk:
        return True
    return any(
        r.status != RegistrationStatus.ENDED and serves_community(user, r.community)
        for r in registrations
    )


# --- units ------------------------------------------------------------------------------------


class PartyUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartyUnit
        fields = [
            "id",
            "name",
            "party_organisation",
            "kind",
            "central",
            "contact_name",
            "contact_phone",
            "created_at",
        ]
        read_only_fields = fields


class UnitRegistrationSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True)

    class Meta:
        model = UnitRegistration
        fields = [
            "id",
            "unit",
            "unit_name",
            "street",
            "street_name",
            "status",
            "registered_at",
            "confirmed_at",
            "ended_at",
        ]
        read_only_fields = fields


class RegisterUnitSerializer(serializers.Serializer):
    street = _id(_all_streets, help_text="The street where the unit is stationed.")
    name = serializers.CharField(max_length=100)
    party_organisation = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    contact_name = serializers.CharField(max_length=60)
    contact_phone = serializers.RegexField(PHONE, max_length=30)
    central = serializers.BooleanField(required=False, default=False)


# --- members ----------------------------------------------------------------------------------


class MemberRegistrationSerializer(serializers.ModelSerializer):
    """A registration; the member's phone and address in full for themselves and (while it is
    open) the community's staff and street, masked for everyone else."""

    member_name = serializers.CharField(source="member.name", read_only=True)
    member_phone = serializers.CharField(source="member.phone", read_only=True)
    member_address = serializers.CharField(source="member.address", read_only=True)
    employer = serializers.IntegerField(source="member.employer_id", read_only=True)
    employer_name = serializers.CharField(source="member.employer.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    end_reason = serializers.CharField(
        read_only=True, help_text="moved, left or refused once ended; empty while open."
    )

    class Meta:
        model = MemberRegistration
        fields = [
            "id",
            "member",
            "member_name",
            "member_phone",
            "member_address",
            "employer",
            "employer_name",
            "community",
            "community_name",
            "street",
            "status",
            "registered_at",
            "confirmed_at",
            "ended_at",
            "end_reason",
        ]
        read_only_fields = fields

    def to_representation(self, registration):
        data = super().to_representation(registration)
        if not _sees_contact(_user(self), registration.member, [registration]):
            data["member_phone"] = registration.member.masked_phone
            data["member_address"] = _masked_address(registration.member.address)
        return data


class PartyMemberSerializer(serializers.ModelSerializer):
    employer_name = serializers.CharField(source="employer.name", read_only=True)

    class Meta:
        model = PartyMember
        fields = ["id", "name", "phone", "address", "employer", "employer_name", "created_at"]
        read_only_fields = fields

    def to_representation(self, member):
        data = super().to_representation(member)
        if not _sees_contact(_user(self), member, member.registrations.all()):
            data["phone"] = member.masked_phone
            data["address"] = _masked_address(member.address)
        return data


class ServiceFiguresSerializer(serializers.Serializer):
    activities = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=7, decimal_places=1)


class PeriodServiceSerializer(ServiceFiguresSerializer):
    period = serializers.CharField(help_text="The feedback period (2026-Q4 …), Beijing time.")


class MemberMeSerializer(PartyMemberSerializer):
    """The caller's member record: registrations (history included) and service."""

    registrations = MemberRegistrationSerializer(many=True, read_only=True)
    service = serializers.SerializerMethodField()
    service_total = serializers.SerializerMethodField()

    class Meta(PartyMemberSerializer.Meta):
        fields = [*PartyMemberSerializer.Meta.fields, "registrations", "service", "service_total"]
        read_only_fields = fields

    @extend_schema_field(PeriodServiceSerializer)
    def get_service(self, member):
        return PeriodServiceSerializer(self.context["service"]).data

    @extend_schema_field(ServiceFiguresSerializer)
    def get_service_total(self, member):
        return ServiceFiguresSerializer(self.context["service_total"]).data


class RegisterMemberSerializer(serializers.Serializer):
    community = _id(_all_communities, help_text="The community where you live.")
    employer = _id(_all_units, help_text="The unit you work for (a party-unit id).")
    name = serializers.CharField(max_length=60)
    phone = serializers.RegexField(PHONE, max_length=30)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class EndRegistrationSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=EndReason.choices, required=False, default=EndReason.LEFT
    )


class MoveSerializer(serializers.Serializer):
    community = _id(_all_communities, help_text="The community you now live in.")


# --- spaces, needs, activities --------------------------------------------------------------


class CultureSpaceSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = CultureSpace
        fields = ["id", "community", "community_name", "name", "kind", "address", "capacity"]
        read_only_fields = fields


class AddSpaceSerializer(serializers.Serializer):
    community = _id(_served_communities)
    name = serializers.CharField(max_length=60)
    kind = serializers.ChoiceField(choices=SpaceKind.choices)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    capacity = serializers.IntegerField(
        min_value=1, max_value=100_000, required=False, allow_null=True, default=None
    )


class CommunityNeedSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = CommunityNeed
        fields = [
            "id",
            "community",
            "community_name",
            "title",
            "category",
            "description",
            "published_at",
            "closed_at",
        ]
        read_only_fields = fields


class PublishNeedSerializer(serializers.Serializer):
    community = _id(_served_communities)
    title = serializers.CharField(max_length=120)
    category = serializers.ChoiceField(choices=NeedCategory.choices)
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


class ServiceActivitySerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    space_name = serializers.CharField(
        source="space.name", read_only=True, default=None, allow_null=True
    )
    taken = serializers.SerializerMethodField()

    class Meta:
        model = ServiceActivity
        fields = [
            "id",
            "community",
            "community_name",
            "title",
            "description",
            "need",
            "space",
            "space_name",
            "place",
            "starts_at",
            "ends_at",
            "capacity",
            "taken",
            "published_at",
            "cancelled_at",
        ]
        read_only_fields = fields

    def get_taken(self, activity) -> int:
        """Places taken (sign-ups not given up)."""
        return getattr(activity, "taken", 0) or 0


class PublishActivitySerializer(serializers.Serializer):
    community = _id(_served_communities)
    title = serializers.CharField(max_length=120)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="After the start, at most a day later.")
    capacity = serializers.IntegerField(min_value=1, max_value=10_000)
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    space = _id(_served_spaces, required=False, allow_null=True, default=None)
    place = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Where it takes place, unless a space is chosen.",
    )
    need = _id(_served_needs, required=False, allow_null=True, default=None)


class SignUpSerializer(serializers.ModelSerializer):
    """A member's place: their name, never their phone or address."""

    activity_title = serializers.CharField(source="activity.title", read_only=True)
    community = serializers.IntegerField(source="activity.community_id", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = SignUp
        fields = [
            "id",
            "activity",
            "activity_title",
            "community",
            "member",
            "member_name",
            "signed_up_at",
            "cancelled_at",
            "checked_in_at",
            "hours",
        ]
        read_only_fields = fields


class CheckInSerializer(serializers.Serializer):
    hours = BoundedDecimalField(
        pattern=HOURS,
        max_digits=3,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=24,
        required=False,
        allow_null=True,
        default=None,
        help_text="The hours served (the activity's length unless given).",
    )


# --- reports to employers ---------------------------------------------------------------------


class EmployerReportSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    final = serializers.SerializerMethodField()

    class Meta:
        model = EmployerReport
        fields = [
            "id",
            "unit",
            "unit_name",
            "period",
            "starts_at",
            "deadline",
            "generated_at",
            "final",
        ]
        read_only_fields = fields

    def get_final(self, report) -> bool:
        return report.generated_at is not None


class EmployerReportDetailSerializer(EmployerReportSerializer):
    figures = serializers.SerializerMethodField()

    class Meta(EmployerReportSerializer.Meta):
        fields = [*EmployerReportSerializer.Meta.fields, "figures"]
        read_only_fields = fields

    def get_figures(self, report) -> dict:
        """Frozen once final; until then the live preview. Names, statuses, activities and
        hours only."""
        from .feedback import report_figures

        return report_figures(report)
