"""Serializers of the front line's API. Ids in a body are looked up among the objects the
caller may use (else 400 naming the field); the services check the rights again. A steward's
phone and address are shown in full to their street and to themselves, masked to everyone
else, and never appear in a report, a patrol or an event."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Community, Street
from accounts.scope import scope_of
from accounts.services import timeline
from core import fields
from core.fields import BoundedDecimalField
from core.ids import ScopedId
from core.periods import BEIJING
from dispatch.serializers import BlowWhistleSerializer
from powers.serializers import TimelineEventSerializer

from .choices import (
    HouseholdSource,
    ReportCategory,
    StaffKind,
    StewardKind,
    VisitPurpose,
)
from .models import (
    Adoption,
    Alley,
    AlleyChief,
    CommissionerTask,
    CommunityStaff,
    FrontlineReport,
    Household,
    HouseholdCount,
    Patrol,
    ReportPhoto,
    Steward,
    Visit,
)
from .querysets import communities_visible_to
from .services import acts_for_street


def _id(scoped, **kwargs):
    return ScopedId(scoped, **kwargs)


def _name(user) -> str:
    return (user.full_name or user.username) if user is not None else ""


# --- what the caller may use (ids in bodies) ---------------------------------------------------


def _streets_of_caller(request):
    """The streets whose front line the caller runs (its officials and its committee)."""
    return Street.objects.filter(pk__in=scope_of(request.user).street_ids)


def _communities(request):
    return communities_visible_to(request.user, Community.objects.select_related("street"))


def _alleys(request):
    return Alley.objects.visible_to(request.user).select_related("street")


def _stewards(request):
    return Steward.objects.visible_to(request.user).select_related("street")


def _users(request):
    return get_user_model().objects.filter(is_active=True)


def _staff(request):
    return CommunityStaff.objects.filter(
        community_id__in=communities_visible_to(request.user).values("pk")
    )


def _households(request):
    """Every household the caller may see (the service refuses one of another community)."""
    return Household.objects.filter(
        community_id__in=communities_visible_to(request.user).values("pk")
    )


# --- people as the API shows them --------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class StewardRefSerializer(serializers.Serializer):
    """A steward named in a report or a patrol: never their phone or address."""

    id = serializers.IntegerField()
    name = serializers.CharField()


def _steward_ref(steward) -> dict | None:
    return None if steward is None else {"id": steward.pk, "name": steward.name}


# --- alleys ------------------------------------------------------------------------------------


class ChiefTermSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = AlleyChief
        fields = ["user", "name", "since", "until"]
        read_only_fields = fields

    def get_name(self, term) -> str:
        return _name(term.user)


class AlleySerializer(serializers.ModelSerializer):
    """An alley; `chief` is the current chief, `stewards` the number of open adoptions (both
    annotated by the viewset's queryset)."""

    street_name = serializers.CharField(source="street.name", read_only=True)
    community_name = serializers.CharField(
        source="community.name", read_only=True, default=None, allow_null=True
    )
    chief = serializers.SerializerMethodField()
    stewards = serializers.SerializerMethodField()

    class Meta:
        model = Alley
        fields = [
            "id",
            "street",
            "street_name",
            "community",
            "community_name",
            "name",
            "description",
            "created_at",
            "chief",
            "stewards",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_chief(self, alley):
        if getattr(alley, "chief_id", None) is None:
            return None
        return {"id": alley.chief_id, "name": alley.chief_name or alley.chief_username}

    def get_stewards(self, alley) -> int:
        return getattr(alley, "steward_count", None) or 0


class AlleyDetailSerializer(AlleySerializer):
    chief_history = ChiefTermSerializer(source="chief_terms", many=True, read_only=True)

    class Meta(AlleySerializer.Meta):
        fields = [*AlleySerializer.Meta.fields, "chief_history"]
        read_only_fields = fields


class CreateAlleySerializer(serializers.Serializer):
    street = _id(_streets_of_caller)
    community = _id(_communities, required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=60)
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class ImportHouseholdsSerializer(serializers.Serializer):
    street = _id(_streets_of_caller)
    file = serializers.FileField(
        help_text="CSV or XLSX with the columns 社区 (community), 年份 (year), 户数 (households)."
    )


class ImportedHouseholdsSerializer(serializers.Serializer):
    saved = serializers.IntegerField()


def _cadres(request):
    """The people the caller may make a chief: cadres (any membership) of the caller's
    streets; other ids are unknown (400), so ids cannot be probed."""
    from accounts.models import Membership

    streets = scope_of(request.user).street_ids
    if scope_of(request.user).everything:
        return get_user_model().objects.filter(is_active=True, memberships__street__isnull=False)
    return get_user_model().objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(street_id__in=streets).values("user_id"),
    )


class AssignChiefSerializer(serializers.Serializer):
    chief = _id(_cadres, help_text="The new chief: a cadre of the alley's street.")


# --- stewards ----------------------------------------------------------------------------------


class StewardSerializer(serializers.ModelSerializer):
    """A steward. The phone and the address in full for the steward's street and the steward
    themselves; masked for everyone else (the district, the chief)."""

    street_name = serializers.CharField(source="street.name", read_only=True)
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Steward
        fields = [
            "id",
            "user",
            "street",
            "street_name",
            "kind",
            "name",
            "phone",
            "address",
            "employer",
            "recruited_on",
            "left_on",
            "active",
        ]
        read_only_fields = fields

    def to_representation(self, steward):
        data = super().to_representation(steward)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        mine = user is not None and steward.user_id == user.pk
        if not (mine or (user is not None and acts_for_street(user, steward.street_id))):
            data["phone"] = steward.masked_phone
            data["address"] = steward.masked_address
        return data


class RecruitedStewardSerializer(StewardSerializer):
    """The steward just recruited, with the account's sign-in name and password: shown once."""

    username = serializers.CharField(source="user.username", read_only=True)
    password = serializers.SerializerMethodField()

    class Meta(StewardSerializer.Meta):
        fields = [*StewardSerializer.Meta.fields, "username", "password"]
        read_only_fields = fields

    def get_password(self, steward) -> str:
        return self.context.get("password", "")


PHONE = r"^(?:[^0-9\u0000]*[0-9]){7}[^\u0000]*$"  # at least seven digits


class RecruitSerializer(serializers.Serializer):
    street = _id(_streets_of_caller)
    name = serializers.CharField(max_length=60)
    phone = serializers.RegexField(PHONE, max_length=30)
    kind = serializers.ChoiceField(choices=StewardKind.choices)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    employer = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The unit a steward of kind unit_employee works for (required then).",
    )
    username = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        default="",
        help_text="The sign-in name; empty: one is made.",
    )
    password = serializers.CharField(
        max_length=128,
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text="Empty: one is generated and answered once.",
    )
    recruited_on = serializers.DateField(required=False, allow_null=True, default=None)


class LeaveSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)


# --- adoptions ---------------------------------------------------------------------------------


class AdoptionSerializer(serializers.ModelSerializer):
    steward_name = serializers.CharField(source="steward.name", read_only=True)
    alley_name = serializers.CharField(source="alley.name", read_only=True)
    open = serializers.SerializerMethodField()

    class Meta:
        model = Adoption
        fields = ["id", "steward", "steward_name", "alley", "alley_name", "start", "end", "open"]
        read_only_fields = fields

    def get_open(self, adoption) -> bool:
        return adoption.end is None


class AdoptSerializer(serializers.Serializer):
    steward = _id(_stewards)
    alley = _id(_alleys)
    start = serializers.DateField(required=False, allow_null=True, default=None)


class EndAdoptionSerializer(serializers.Serializer):
    end = serializers.DateField(required=False, allow_null=True, default=None)


# --- reports -----------------------------------------------------------------------------------


class ReportPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReportPhoto
        fields = ["id", "url", "content_type", "size", "uploaded_at"]
        read_only_fields = fields

    def get_url(self, photo) -> str:
        return reverse("api:frontline-report-photo-file", args=[photo.report_id, photo.pk])


class FrontlineReportSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    alley_name = serializers.CharField(source="alley.name", read_only=True)
    steward = serializers.SerializerMethodField()
    reported_by = serializers.CharField(source="reported_by.username", read_only=True)
    whistle_number = serializers.CharField(
        source="whistle.number", read_only=True, default=None, allow_null=True
    )

    office = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)  # 六办一队三中心

    class Meta:
        model = FrontlineReport
        fields = [
            "id",
            "number",
            "office",
            "street",
            "street_name",
            "alley",
            "alley_name",
            "community",
            "steward",
            "reported_by",
            "category",
            "text",
            "latitude",
            "longitude",
            "status",
            "reported_at",
            "deadline",
            "overdue_at",
            "accepted_at",
            "handled_at",
            "outcome",
            "whistle",
            "whistle_number",
            "order",
        ]
        read_only_fields = fields

    @extend_schema_field(StewardRefSerializer(allow_null=True))
    def get_steward(self, report):
        return _steward_ref(report.steward)


class FrontlineReportDetailSerializer(FrontlineReportSerializer):
    """The report with its photos and its timeline (ids only: never a steward's contact)."""

    photos = ReportPhotoSerializer(many=True, read_only=True)
    events = serializers.SerializerMethodField()

    class Meta(FrontlineReportSerializer.Meta):
        fields = [*FrontlineReportSerializer.Meta.fields, "photos", "events"]
        read_only_fields = fields

    @extend_schema_field(TimelineEventSerializer(many=True))
    def get_events(self, report):
        return TimelineEventSerializer(timeline(report), many=True).data


_COORDINATE = {"required": False, "allow_null": True, "default": None}


class FileReportSerializer(serializers.Serializer):
    alley = _id(_alleys)
    category = serializers.ChoiceField(choices=ReportCategory.choices)
    text = serializers.CharField(max_length=200)
    latitude = BoundedDecimalField(
        pattern=fields.LATITUDE,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        help_text="With longitude, or neither.",
        **_COORDINATE,
    )
    longitude = BoundedDecimalField(
        pattern=fields.LONGITUDE,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        **_COORDINATE,
    )


class FileReportUploadSerializer(FileReportSerializer):
    """The same as multipart/form-data, with photos (several files in `photos`)."""

    photos = serializers.ListField(child=serializers.FileField(), required=False)


class ResolveReportSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=2000)


class ReportWhistleSerializer(BlowWhistleSerializer):
    """POST whistles/'s body without `street` (the report's); the description, location,
    community and coordinates default to the report's."""

    street = None
    location = serializers.CharField(max_length=200, required=False)


# --- patrols -----------------------------------------------------------------------------------


class PatrolSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    alley_name = serializers.CharField(source="alley.name", read_only=True)
    steward = serializers.SerializerMethodField()
    patrolled_by = serializers.CharField(source="patrolled_by.username", read_only=True)

    class Meta:
        model = Patrol
        fields = [
            "id",
            "street",
            "street_name",
            "alley",
            "alley_name",
            "steward",
            "patrolled_by",
            "started_at",
            "ended_at",
            "found",
            "dissuaded",
            "dissuaded_count",
            "recorded_at",
        ]
        read_only_fields = fields

    @extend_schema_field(StewardRefSerializer(allow_null=True))
    def get_steward(self, patrol):
        return _steward_ref(patrol.steward)


class RecordPatrolSerializer(serializers.Serializer):
    alley = _id(_alleys)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(help_text="After the start, at most 12 hours later.")
    found = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    dissuaded = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    dissuaded_count = serializers.IntegerField(
        min_value=0, max_value=1000, required=False, default=0
    )


# --- community staff and tasks -------------------------------------------------------------------


class CommunityStaffSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    name = serializers.SerializerMethodField()
    open = serializers.SerializerMethodField()

    class Meta:
        model = CommunityStaff
        fields = [
            "id",
            "community",
            "community_name",
            "user",
            "name",
            "kind",
            "since",
            "until",
            "open",
        ]
        read_only_fields = fields

    def get_name(self, staff) -> str:
        return _name(staff.user)

    def get_open(self, staff) -> bool:
        return staff.until is None


class AssignStaffSerializer(serializers.Serializer):
    community = _id(_communities)
    user = _id(_users)
    kind = serializers.ChoiceField(choices=StaffKind.choices)
    since = serializers.DateField(required=False, allow_null=True, default=None)


class EndStaffSerializer(serializers.Serializer):
    until = serializers.DateField(required=False, allow_null=True, default=None)


class CommissionerTaskSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    assignee_name = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    done_by = serializers.CharField(
        source="done_by.username", read_only=True, default=None, allow_null=True
    )
    done = serializers.SerializerMethodField()

    class Meta:
        model = CommissionerTask
        fields = [
            "id",
            "community",
            "community_name",
            "assignee",
            "assignee_name",
            "title",
            "due_on",
            "created_by",
            "created_at",
            "done",
            "done_at",
            "done_by",
        ]
        read_only_fields = fields

    def get_assignee_name(self, task) -> str | None:
        return _name(task.assignee.user) if task.assignee is not None else None

    def get_done(self, task) -> bool:
        return task.done_at is not None


class AddTaskSerializer(serializers.Serializer):
    community = _id(_communities)
    title = serializers.CharField(max_length=120)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    assignee = _id(
        _staff,
        required=False,
        allow_null=True,
        default=None,
        help_text="An open commissioner of the community (community-staff id).",
    )


# --- households and visits -----------------------------------------------------------------------


class HouseholdCountSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    set_by = serializers.CharField(
        source="set_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = HouseholdCount
        fields = [
            "id",
            "community",
            "community_name",
            "year",
            "households",
            "source",
            "set_by",
            "set_at",
        ]
        read_only_fields = fields


class SetHouseholdsSerializer(serializers.Serializer):
    community = _id(_communities)
    year = serializers.IntegerField(min_value=2000, help_text="From 2000 to next year.")
    households = serializers.IntegerField(min_value=1, max_value=1_000_000)
    source = serializers.ChoiceField(
        choices=HouseholdSource.choices, required=False, default=HouseholdSource.ENTERED
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        next_year = timezone.localdate(timezone.now(), BEIJING).year + 1
        self.fields["year"] = serializers.IntegerField(
            min_value=2000, max_value=next_year, help_text="From 2000 to next year."
        )


class VisitSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    household_ref = serializers.CharField(source="household.ref", read_only=True)
    visited_by = serializers.CharField(source="visited_by.username", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "community",
            "community_name",
            "household",
            "household_ref",
            "visited_on",
            "purpose",
            "follow_up",
            "visited_by",
            "recorded_at",
        ]
        read_only_fields = fields


class RecordVisitSerializer(serializers.Serializer):
    community = _id(_communities)
    household = _id(
        _households,
        required=False,
        allow_null=True,
        default=None,
        help_text="A household of the community; or give household_ref.",
    )
    household_ref = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text="The household's reference (building-unit-door): a new one is a new household.",
    )
    visited_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="This year or the last; not later than today.",
    )
    purpose = serializers.ChoiceField(
        choices=VisitPurpose.choices, required=False, default=VisitPurpose.ROUTINE
    )
    follow_up = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- who I am, the figures -----------------------------------------------------------------------


class MyStewardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    street = serializers.IntegerField()
    street_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=StewardKind.choices)


class MyStaffSerializer(serializers.Serializer):
    community = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=StaffKind.choices)


class FrontlineMeSerializer(serializers.Serializer):
    steward = MyStewardSerializer(allow_null=True, help_text="The caller as an active steward.")
    chief_of = serializers.ListField(
        child=serializers.IntegerField(), help_text="The alleys the caller leads as chief."
    )
    staff_of = MyStaffSerializer(many=True, help_text="The communities the caller serves.")


class VisitRateSerializer(serializers.Serializer):
    community = serializers.IntegerField(source="community_id")
    name = serializers.CharField()
    street = serializers.IntegerField(source="street_id")
    street_name = serializers.CharField()
    households = serializers.IntegerField(allow_null=True, help_text="null: not counted.")
    visited = serializers.IntegerField(help_text="Distinct households visited in the year.")
    rate = serializers.FloatField(allow_null=True)
    below_bar = serializers.BooleanField()


class OverviewAlleySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="alley.pk")
    name = serializers.CharField(source="alley.name")
    community = serializers.IntegerField(source="alley.community_id", allow_null=True)
    community_name = serializers.CharField(
        source="alley.community.name", default=None, allow_null=True
    )
    chief = serializers.SerializerMethodField()
    stewards = serializers.IntegerField()
    open_reports = serializers.IntegerField()
    patrols = serializers.ListField(
        child=serializers.IntegerField(), help_text="Patrols in each month of `months`."
    )

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_chief(self, row):
        alley = row.alley
        if alley.chief_id is None:
            return None
        return {"id": alley.chief_id, "name": alley.chief_name or alley.chief_username}


class StreetRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class StreetOverviewSerializer(serializers.Serializer):
    street = StreetRefSerializer()
    today = serializers.DateField()
    months = serializers.ListField(child=serializers.DateField(), help_text="First days.")
    alleys = OverviewAlleySerializer(many=True)
    alleys_without_steward = serializers.SerializerMethodField()
    alleys_without_chief = serializers.SerializerMethodField()
    stewards_by_kind = serializers.DictField(child=serializers.IntegerField())
    stewards_active = serializers.IntegerField()
    reports_by_status = serializers.DictField(child=serializers.IntegerField())
    open_by_age = serializers.DictField(
        child=serializers.IntegerField(), help_text="day, three_days, week, older."
    )
    overdue_open = serializers.IntegerField()
    visits = VisitRateSerializer(many=True, help_text="Below the bar first.")

    def get_alleys_without_steward(self, overview) -> list[int]:
        return [row.alley.pk for row in overview.alleys_without_steward]

    def get_alleys_without_chief(self, overview) -> list[int]:
        return [row.alley.pk for row in overview.alleys_without_chief]


class StreetRowSerializer(serializers.Serializer):
    street = serializers.IntegerField(source="street.pk")
    street_name = serializers.CharField(source="street.name")
    alleys = serializers.IntegerField()
    alleys_with_chief = serializers.IntegerField()
    alleys_without_steward = serializers.IntegerField()
    stewards = serializers.IntegerField()
    reports = serializers.IntegerField(help_text="Filed in the last 30 days.")
    open_reports = serializers.IntegerField()
    overdue_open = serializers.IntegerField()
    patrols = serializers.IntegerField(help_text="This month.")
    households = serializers.IntegerField()
    visited = serializers.IntegerField()
    visit_rate = serializers.FloatField(allow_null=True)
    communities_below = serializers.IntegerField()


class DistrictComparisonSerializer(serializers.Serializer):
    district = serializers.IntegerField()
    today = serializers.DateField()
    streets = StreetRowSerializer(many=True)
    communities = VisitRateSerializer(many=True, help_text="Below the bar first.")
