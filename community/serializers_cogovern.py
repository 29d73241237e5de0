"""Serializers of the co-governance API (党建协调委员会, the three lists, the four two-ways), and
what each caller sees of it.

A committee is seen by those who run or oversee its level: a district's by the district's
people; a street's and its communities' by the street's people and the district's; a
community's by its staff too; all by the city. A unit's contact sees the committees of the
streets (and the district) where the unit is registered, with their meetings and lists, but
of the exchanges and evaluations only their own unit's. Resources are the area's: whoever sees
a committee of a street sees the resources of that street's committees (a need is matched with
them). Ids in a body are looked up among what the caller sees (else 400 naming the field); the
services in community.cogovern check the rights (403) and the state (409).

Personal data: a member's representative is named with their post, never with a phone; the
units' contacts' phones are not shown here (they are the unit's, in party-units/)."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.choices import Role
from accounts.models import Community
from accounts.scope import scope_of
from core.fields import LATITUDE, LONGITUDE, BoundedDecimalField
from core.ids import MAX_ID, ScopedId
from core.periods import PERIOD_PATTERN

from .choices import (
    CommitteeLevel,
    Direction,
    NeedSource,
    ProjectStatus,
    RegistrationStatus,
    ResourceCategory,
)
from .models import (
    Committee,
    CommitteeMember,
    CommunityNeed,
    Exchange,
    FollowUp,
    ListNeed,
    Meeting,
    MutualEvaluation,
    PartyUnit,
    Project,
    Resource,
    UnitRegistration,
)
from .querysets import communities_visible_to
from .scope import frontline_of, office, office_districts, office_streets
from .serializers import _id
from .serializers_dual import _everything, _signed_in, visible_units

# --- what the caller sees (every queryset is restricted before lookup: outside, 404) ------------


def _overseen(user) -> Q:
    """Committees whose level the caller runs or oversees (not as a unit's contact)."""
    scope = scope_of(user)
    return (
        Q(level=CommitteeLevel.DISTRICT, district_id__in=scope.district_ids)
        | office(user)
        | Q(community_id__in=frontline_of(user).staff_community_ids)
    )


def _of_units(user) -> Q:
    """Committees of the streets (and districts) where a unit whose contact the caller is
    stands registered and confirmed."""
    registrations = UnitRegistration.objects.filter(
        unit__contact_user=user, status=RegistrationStatus.CONFIRMED
    )
    return Q(street_id__in=registrations.values("street_id")) | Q(
        level=CommitteeLevel.DISTRICT, district_id__in=registrations.values("street__district_id")
    )


def visible_committees(user, queryset=None):
    committees = Committee.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return committees.none()
    if _everything(user):
        return committees
    return committees.filter(_overseen(user) | _of_units(user))


def overseen_committees(user):
    if not _signed_in(user):
        return Committee.objects.none()
    if _everything(user):
        return Committee.objects.all()
    return Committee.objects.filter(_overseen(user))


def of_committees(user, queryset, path="committee"):
    """Members, meetings, needs, projects: as their committee is seen."""
    if not _signed_in(user):
        return queryset.none()
    if _everything(user):
        return queryset
    return queryset.filter(**{f"{path}__in": visible_committees(user).values("pk")})


def visible_resources(user, queryset=None):
    """The resources of the streets (the districts) whose committees the caller sees: a need
    of a committee is matched with the resources of its area."""
    resources = Resource.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return resources.none()
    if _everything(user):
        return resources
    seen = visible_committees(user)
    districts = seen.filter(level=CommitteeLevel.DISTRICT).values("district_id")
    return resources.filter(
        Q(committee__in=seen.values("pk"))
        | Q(committee__street_id__in=seen.values("street_id"))
        | Q(committee__street__district_id__in=districts)
        | Q(committee__district_id__in=districts)
    )


def of_units_or_overseen(user, queryset):
    """Exchanges and evaluations: the committee's overseers all; a unit's contact their
    unit's."""
    if not _signed_in(user):
        return queryset.none()
    if _everything(user):
        return queryset
    return queryset.filter(
        Q(committee__in=overseen_committees(user).values("pk")) | Q(unit__contact_user=user)
    )


def runs_a_level(user) -> bool:
    """Runs a district (its administrators), a street (its people) or a community (its
    staff): may create a committee and act for one (the services decide which). The city sees
    every committee and runs none."""
    scope = scope_of(user)
    return bool(
        scope.has_role(Role.DISTRICT_ADMIN)
        or scope.street_ids
        or frontline_of(user).staff_community_ids
    )


def acts_for_a_unit(user) -> bool:
    return PartyUnit.objects.filter(contact_user=user).exists()


# --- what the caller may use (ids in bodies) -------------------------------------------------


def _districts(request):
    return office_districts(request.user)


def _streets(request):
    return office_streets(request.user)


def _communities(request):
    return communities_visible_to(request.user, Community.objects.select_related("street"))


def _committees(request):
    return visible_committees(
        request.user, Committee.objects.select_related("district", "street", "community")
    )


def _members(request):
    return of_committees(request.user, CommitteeMember.objects.filter(until=None))


def _units(request):
    return visible_units(request.user)


def _needs(request):
    return of_committees(request.user, ListNeed.objects.select_related("committee"))


def _resources(request):
    return visible_resources(request.user)


def _community_needs(request):
    """A community's published need put on the list: of the communities the caller serves."""
    user = request.user
    return CommunityNeed.objects.select_related("community").filter(
        Q(community_id__in=frontline_of(user).staff_community_ids)
        | Q(community__street_id__in=scope_of(user).street_ids)
    )


_COORDINATE = {"required": False, "allow_null": True, "default": None}


def _latitude(**kwargs):
    return BoundedDecimalField(
        pattern=LATITUDE,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        **_COORDINATE,
        **kwargs,
    )


def _longitude():
    return BoundedDecimalField(
        pattern=LONGITUDE,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        **_COORDINATE,
    )


def _optional_text(limit, **kwargs):
    return serializers.CharField(
        max_length=limit, required=False, allow_blank=True, default="", **kwargs
    )


# --- committees and members ------------------------------------------------------------------


class CommitteeSerializer(serializers.ModelSerializer):
    area = serializers.SerializerMethodField()

    class Meta:
        model = Committee
        fields = [
            "id",
            "level",
            "district",
            "street",
            "community",
            "area",
            "name",
            "director_name",
            "director_title",
            "director_from_above",
            "created_at",
        ]
        read_only_fields = fields

    def get_area(self, committee) -> str:
        """The district, street or community whose committee it is."""
        unit = committee.community or committee.street or committee.district
        return unit.name if unit else ""


class CommitteeMemberSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(
        source="unit.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = CommitteeMember
        fields = [
            "id",
            "committee",
            "unit",
            "unit_name",
            "organisation",
            "representative",
            "post",
            "since",
            "until",
        ]
        read_only_fields = fields


class CommitteeDetailSerializer(CommitteeSerializer):
    """The committee with its members (those who left too, with `until`)."""

    members = CommitteeMemberSerializer(many=True, read_only=True)

    class Meta(CommitteeSerializer.Meta):
        fields = [*CommitteeSerializer.Meta.fields, "members"]
        read_only_fields = fields


AREAS = {
    CommitteeLevel.DISTRICT: ("district", _districts),
    CommitteeLevel.STREET: ("street", _streets),
    CommitteeLevel.COMMUNITY: ("community", _communities),
}


class CreateCommitteeSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=CommitteeLevel.choices)
    area = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="The id of the district, the street or the community (as `level` says) "
        "whose committee it is.",
    )
    name = serializers.CharField(max_length=100)
    director_name = serializers.CharField(max_length=60)
    director_title = serializers.CharField(max_length=100)
    director_from_above = serializers.BooleanField(
        required=False,
        default=True,
        help_text="The director is a party leader of the level above (false: say so).",
    )

    def validate(self, attrs):
        """`area` looked up among the caller's districts, streets or communities (else 400
        naming `area`): the service takes it as `district`, `street` or `community`."""
        name, scoped = AREAS[attrs["level"]]
        field = ScopedId(scoped)
        field.bind("area", self)
        try:
            attrs[name] = field.run_validation(attrs.pop("area"))
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"area": exc.detail}) from None
        return attrs


class AddMemberSerializer(serializers.Serializer):
    committee = _id(_committees)
    unit = _id(
        _units,
        required=False,
        allow_null=True,
        default=None,
        help_text="A unit registered in the committee's area; none for the level's own "
        "organisation.",
    )
    organisation = _optional_text(100, help_text="The unit's name unless given.")
    representative = serializers.CharField(max_length=60)
    post = _optional_text(100)
    since = serializers.DateField(required=False, allow_null=True, default=None)


# --- meetings and follow-ups -----------------------------------------------------------------


class FollowUpSerializer(serializers.ModelSerializer):
    committee = serializers.IntegerField(source="meeting.committee_id", read_only=True)
    owner_organisation = serializers.CharField(source="owner.organisation", read_only=True)
    owner_representative = serializers.CharField(source="owner.representative", read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "meeting",
            "committee",
            "title",
            "owner",
            "owner_organisation",
            "owner_representative",
            "deadline",
            "overdue_at",
            "done_at",
            "done_note",
        ]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    committee_name = serializers.CharField(source="committee.name", read_only=True)
    present = serializers.SerializerMethodField()
    absent = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "committee",
            "committee_name",
            "held_at",
            "place",
            "agenda",
            "decisions",
            "present",
            "absent",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_present(self, meeting) -> int:
        """Members who came."""
        return getattr(meeting, "n_present", 0) or 0

    def get_absent(self, meeting) -> int:
        """Members who did not."""
        return getattr(meeting, "n_absent", 0) or 0


class AttendanceSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member_id")
    organisation = serializers.CharField(source="member.organisation")
    representative = serializers.CharField(source="member.representative")
    present = serializers.BooleanField()


class MeetingDetailSerializer(MeetingSerializer):
    attendance = AttendanceSerializer(many=True, read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "attendance", "follow_ups"]
        read_only_fields = fields


class FollowUpItemSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    owner = _id(_members, help_text="A member of the committee.")
    deadline = serializers.DateTimeField(help_text="In the future.")


class HoldMeetingSerializer(serializers.Serializer):
    committee = _id(_committees)
    held_at = serializers.DateTimeField(help_text="When it was held (not later than tomorrow).")
    agenda = serializers.CharField(max_length=4000)
    place = _optional_text(200)
    decisions = _optional_text(10000)
    present = serializers.ListField(
        child=_id(_members),
        required=False,
        default=list,
        max_length=500,
        help_text="The members who came (every other member is recorded absent).",
    )
    follow_ups = FollowUpItemSerializer(many=True, required=False, default=list, max_length=100)


class CompleteFollowUpSerializer(serializers.Serializer):
    note = _optional_text(2000, help_text="What was done.")


# --- the three lists -------------------------------------------------------------------------


class ResourceSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Resource
        fields = [
            "id",
            "committee",
            "unit",
            "unit_name",
            "category",
            "title",
            "capacity",
            "latitude",
            "longitude",
            "available",
            "created_at",
        ]
        read_only_fields = fields


class ListResourceSerializer(serializers.Serializer):
    committee = _id(_committees)
    unit = _id(_units, help_text="The unit that offers it, registered in the area.")
    category = serializers.ChoiceField(choices=ResourceCategory.choices)
    title = serializers.CharField(max_length=120)
    capacity = _optional_text(60, help_text="How much: 200人, 30人, 5万元 …")
    latitude = _latitude(help_text="With longitude, or neither.")
    longitude = _longitude()


class ListNeedSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(
        source="unit.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ListNeed
        fields = [
            "id",
            "committee",
            "source",
            "unit",
            "unit_name",
            "community_need",
            "category",
            "title",
            "latitude",
            "longitude",
            "created_at",
        ]
        read_only_fields = fields


class AddListNeedSerializer(serializers.Serializer):
    committee = _id(_committees)
    source = serializers.ChoiceField(choices=NeedSource.choices)
    category = serializers.ChoiceField(
        choices=ResourceCategory.choices, help_text="The kind of resource needed."
    )
    title = serializers.CharField(max_length=120)
    unit = _id(_units, required=False, allow_null=True, default=None, help_text="For source unit.")
    community_need = _id(
        _community_needs,
        required=False,
        allow_null=True,
        default=None,
        help_text="For source community: the community's published need, if any.",
    )
    latitude = _latitude(help_text="With longitude, or neither.")
    longitude = _longitude()


class ProjectSerializer(serializers.ModelSerializer):
    need_title = serializers.CharField(source="need.title", read_only=True)
    resources = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    owner_organisation = serializers.CharField(source="owner.organisation", read_only=True)
    owner_representative = serializers.CharField(source="owner.representative", read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "committee",
            "need",
            "need_title",
            "resources",
            "title",
            "owner",
            "owner_organisation",
            "owner_representative",
            "status",
            "result",
            "created_at",
        ]
        read_only_fields = fields


class MatchProjectSerializer(serializers.Serializer):
    committee = _id(_committees)
    need = _id(_needs, help_text="A need on the committee's list.")
    resources = serializers.ListField(
        child=_id(_resources),
        max_length=50,
        help_text="One or more resources of the committee's area.",
    )
    title = serializers.CharField(max_length=120)
    owner = _id(_members, help_text="A member of the committee.")


class ProjectStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[c for c in ProjectStatus.choices if c[0] != ProjectStatus.PLANNED],
        help_text="planned → running or stopped; running → done (with a result) or stopped.",
    )
    result = _optional_text(10000, help_text="What the project achieved (required for done).")


# --- the two-ways ------------------------------------------------------------------------------


class ExchangeSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Exchange
        fields = [
            "id",
            "committee",
            "unit",
            "unit_name",
            "direction",
            "is_service",
            "held_on",
            "subject",
            "recorded_at",
        ]
        read_only_fields = fields


class RecordExchangeSerializer(serializers.Serializer):
    committee = _id(_committees)
    unit = _id(_units)
    direction = serializers.ChoiceField(choices=Direction.choices)
    is_service = serializers.BooleanField(help_text="A service (else a communication).")
    held_on = serializers.DateField(help_text="When it took place (not in the future).")
    subject = serializers.CharField(max_length=200)


class MutualEvaluationSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = MutualEvaluation
        fields = [
            "id",
            "committee",
            "unit",
            "unit_name",
            "period",
            "direction",
            "score",
            "comment",
            "at",
            "published_at",
        ]
        read_only_fields = fields


class MutualEvaluateSerializer(serializers.Serializer):
    committee = _id(_committees)
    unit = _id(_units)
    period = serializers.RegexField(
        PERIOD_PATTERN, max_length=7, help_text="YYYY-MM, YYYY-Qn or YYYY."
    )
    direction = serializers.ChoiceField(
        choices=Direction.choices,
        help_text="to_unit: the area rates the unit (the committee's runners); from_unit: "
        "the unit rates the area (its contact).",
    )
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = _optional_text(2000)


class PublishEvaluationsSerializer(serializers.Serializer):
    period = serializers.RegexField(
        PERIOD_PATTERN, max_length=7, help_text="YYYY-MM, YYYY-Qn or YYYY."
    )


class ReportRowSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="The unit's name.")
    to_unit = serializers.IntegerField(
        allow_null=True, help_text="The area's score of the unit (1–5), none if not rated."
    )
    from_unit = serializers.IntegerField(
        allow_null=True, help_text="The unit's score of the area (1–5), none if not rated."
    )


class EvaluationReportSerializer(serializers.Serializer):
    committee = serializers.IntegerField()
    period = serializers.CharField(allow_null=True)
    rows = serializers.SerializerMethodField()

    @extend_schema_field(ReportRowSerializer(many=True))
    def get_rows(self, report):
        return ReportRowSerializer(report["rows"], many=True).data
