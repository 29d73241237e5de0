"""The front line (the third reporting: street cadres report to the front line).

Alleys (街巷) of a street, each with one chief (街巷长) at a time and the history of chiefs;
stewards (小巷管家: citizens who volunteer) adopt alleys, patrol them and report problems to the
chief; the chief's reports queue runs on the platform's one deadline engine. Community staff
(社区专员 commissioners, street cadres; community workers) serve their community and record
household visits (入户) against the yearly 90% bar.

A steward's phone and address are personal data: shown to their street only, masked
everywhere else, never in timeline events (events carry ids).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Community, Street
from dispatch.deadlines import DeadlineModel
from hotline.models import mask_phone
from powers.models import SupervisionOrder
from whistle.models import Whistle

from .choices import (
    CommitteeLevel,
    Direction,
    EndReason,
    HouseholdSource,
    NeedCategory,
    NeedSource,
    ProjectStatus,
    RegistrationStatus,
    ReportCategory,
    ReportStatus,
    ResourceCategory,
    SpaceKind,
    StaffKind,
    StewardKind,
    UnitKind,
    VisitPurpose,
)
from .querysets import (
    AdoptionQuerySet,
    AlleyQuerySet,
    CommunityScopedQuerySet,
    FrontlineQuerySet,
    StewardQuerySet,
)

USER = settings.AUTH_USER_MODEL


class Alley(models.Model):
    street = models.ForeignKey(
        Street, models.PROTECT, related_name="alleys", verbose_name=_("street")
    )
    community = models.ForeignKey(
        Community,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="alleys",
        verbose_name=_("community"),
    )
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("where it runs"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))

    objects = AlleyQuerySet.as_manager()

    class Meta:
        verbose_name = _("alley")
        verbose_name_plural = _("alleys")
        ordering = ["street_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="alley_unique_name"),
        ]

    def __str__(self):
        return self.name


class AlleyChief(models.Model):
    """One term of a street cadre as the alley's chief: exactly one open term per alley."""

    alley = models.ForeignKey(
        Alley, models.PROTECT, related_name="chief_terms", verbose_name=_("alley")
    )
    user = models.ForeignKey(USER, models.PROTECT, related_name="+", verbose_name=_("chief"))
    since = models.DateTimeField(_("since"))
    until = models.DateTimeField(_("until"), null=True, blank=True)
    assigned_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("alley chief")
        verbose_name_plural = _("alley chiefs")
        ordering = ["alley_id", "-since", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alley"], condition=Q(until=None), name="alley_one_chief"
            ),
        ]
        indexes = [
            models.Index(fields=["user"], condition=Q(until=None), name="alleychief_current_user")
        ]

    def __str__(self):
        return f"{self.alley} · {self.user}"


class Steward(models.Model):
    """小巷管家: a citizen recruited by the street, signing in with an account of their own."""

    user = models.OneToOneField(
        USER, models.PROTECT, related_name="steward", verbose_name=_("account")
    )
    street = models.ForeignKey(
        Street, models.PROTECT, related_name="stewards", verbose_name=_("street")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=StewardKind.choices)
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=30)
    address = models.CharField(_("address"), max_length=200, blank=True)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    recruited_on = models.DateField(_("recruited on"))
    recruited_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = StewardQuerySet.as_manager()

    class Meta:
        verbose_name = _("alley steward")
        verbose_name_plural = _("alley stewards")
        ordering = ["street_id", "id"]
        indexes = [models.Index(fields=["street", "left_on"])]

    def __str__(self):
        return self.name

    @property
    def active(self) -> bool:
        return self.left_on is None

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_address(self) -> str:
        return "***" if self.address else ""


class Adoption(models.Model):
    """A steward's adoption of an alley, from `start` to `end` (open while `end` is empty)."""

    steward = models.ForeignKey(
        Steward, models.PROTECT, related_name="adoptions", verbose_name=_("steward")
    )
    alley = models.ForeignKey(
        Alley, models.PROTECT, related_name="adoptions", verbose_name=_("alley")
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("adoption of an alley")
        verbose_name_plural = _("adoptions of alleys")
        ordering = ["alley_id", "-start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["steward", "alley"], condition=Q(end=None), name="adoption_one_open"
            ),
            models.CheckConstraint(
                condition=Q(end=None) | Q(end__gte=F("start")), name="adoption_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["alley"], condition=Q(end=None), name="adoption_open")]

    def __str__(self):
        return f"{self.steward_id} · {self.alley}"


class FrontlineReport(DeadlineModel):
    """A problem a steward (or a chief) found in an alley: in the chief's queue until touched;
    left untouched past FRONTLINE_REPORT_UNTOUCHED_HOURS it is overdue (the deadline engine)."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    street = models.ForeignKey(
        Street, models.PROTECT, related_name="frontline_reports", verbose_name=_("street")
    )
    office = models.ForeignKey(
        "accounts.StreetOffice",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="frontline_reports",
        verbose_name=_("office"),
    )
    alley = models.ForeignKey(
        Alley, models.PROTECT, related_name="reports", verbose_name=_("alley")
    )
    community = models.ForeignKey(
        Community, models.PROTECT, null=True, blank=True, related_name="+"
    )
    steward = models.ForeignKey(
        Steward,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("steward"),
    )
    reported_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=16, choices=ReportCategory.choices)
    text = models.CharField(_("what is wrong"), max_length=200)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.NEW
    )
    reported_at = models.DateTimeField(_("reported at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.TextField(_("outcome"), blank=True)
    whistle = models.OneToOneField(
        Whistle, models.PROTECT, null=True, blank=True, related_name="frontline_report"
    )
    order = models.OneToOneField(
        SupervisionOrder, models.PROTECT, null=True, blank=True, related_name="frontline_report"
    )

    # the clock runs while nobody has touched the report
    deadline_open = Q(status=ReportStatus.NEW)

    objects = FrontlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("front-line report")
        verbose_name_plural = _("front-line reports")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["street", "status", "reported_at"]),
            models.Index(fields=["alley", "reported_at"]),
            models.Index(fields=["steward", "reported_at"]),
            models.Index(
                fields=["deadline"],
                condition=Q(status=ReportStatus.NEW, overdue_at=None),
                name="frontline_report_open",
            ),
        ]

    def __str__(self):
        return self.number


def report_photo_path(photo, filename):
    number = photo.report.number
    return f"frontline/{number[2:8]}/{number}/{photo.token}{photo.extension}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(
        FrontlineReport, models.PROTECT, related_name="photos", verbose_name=_("report")
    )
    token = models.CharField(max_length=32, unique=True, editable=False)
    image = models.ImageField(_("image"), upload_to=report_photo_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("photo of a front-line report")
        verbose_name_plural = _("photos of front-line reports")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"{self.report_id}: {self.image.name}"

    @property
    def extension(self) -> str:
        return {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(
            self.content_type, ".gif"
        )


class Patrol(models.Model):
    """巡访: a walk through an alley, with what was found and what was dissuaded (劝阻)."""

    street = models.ForeignKey(Street, models.PROTECT, related_name="+")
    alley = models.ForeignKey(
        Alley, models.PROTECT, related_name="patrols", verbose_name=_("alley")
    )
    steward = models.ForeignKey(
        Steward, models.PROTECT, null=True, blank=True, related_name="patrols"
    )
    patrolled_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    found = models.TextField(_("what was found"), blank=True)
    dissuaded = models.TextField(_("what was dissuaded"), blank=True)
    dissuaded_count = models.PositiveSmallIntegerField(_("times dissuaded"), default=0)
    recorded_at = models.DateTimeField()

    objects = FrontlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=F("started_at")), name="patrol_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["street", "started_at"]),
            models.Index(fields=["alley", "started_at"]),
            models.Index(fields=["steward", "started_at"]),
        ]

    def __str__(self):
        return f"{self.alley} · {self.started_at:%Y-%m-%d %H:%M}"


class CommunityStaff(models.Model):
    """A person serving a community: a commissioner (社区专员, a street cadre) or a community
    worker; open while `until` is empty."""

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="staff", verbose_name=_("community")
    )
    user = models.ForeignKey(USER, models.PROTECT, related_name="+", verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=12, choices=StaffKind.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    assigned_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("community staff")
        verbose_name_plural = _("community staff")
        ordering = ["community_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user", "kind"],
                condition=Q(until=None),
                name="community_staff_one_open",
            ),
        ]
        indexes = [models.Index(fields=["user"], condition=Q(until=None), name="staff_open_user")]

    def __str__(self):
        return f"{self.community} · {self.user}"


class CommissionerTask(models.Model):
    community = models.ForeignKey(
        Community, models.PROTECT, related_name="commissioner_tasks", verbose_name=_("community")
    )
    assignee = models.ForeignKey(
        CommunityStaff,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("commissioner"),
    )
    title = models.CharField(_("task"), max_length=120)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    created_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("commissioner's task")
        verbose_name_plural = _("commissioners' tasks")
        ordering = ["done_at", "due_on", "id"]

    def __str__(self):
        return self.title


class HouseholdCount(models.Model):
    """How many households a community has in a year: the denominator of its visit rate."""

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="household_counts", verbose_name=_("community")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    households = models.PositiveIntegerField(_("households"))
    source = models.CharField(_("source"), max_length=10, choices=HouseholdSource.choices)
    set_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        verbose_name = _("households of a community")
        verbose_name_plural = _("households of communities")
        ordering = ["community_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year"], name="households_one_per_year"),
        ]

    def __str__(self):
        return f"{self.community} {self.year}: {self.households}"


class Household(models.Model):
    """A household by its reference in the community (building-unit-door, or the register's
    number): no names, no phone."""

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="households", verbose_name=_("community")
    )
    ref = models.CharField(_("household reference"), max_length=60)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["community_id", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["community", "ref"], name="household_unique_ref"),
        ]

    def __str__(self):
        return self.ref


class Visit(models.Model):
    """入户: a community worker's (or commissioner's) visit to a household."""

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="visits", verbose_name=_("community")
    )
    street = models.ForeignKey(Street, models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="visits", verbose_name=_("household")
    )
    visited_on = models.DateField(_("visited on"))
    purpose = models.CharField(_("purpose"), max_length=12, choices=VisitPurpose.choices)
    follow_up = models.TextField(_("follow-up"), blank=True)
    visited_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("household visit")
        verbose_name_plural = _("household visits")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["community", "visited_on", "household"]),
            models.Index(fields=["street", "visited_on"]),
        ]

    def __str__(self):
        return f"{self.household} · {self.visited_on}"


# --- 双报到: units and in-service party members register where they are and serve there ---------


class PartyUnit(models.Model):
    """A unit's party organisation (a government body, an enterprise, a school …): it registers
    with the street where it is stationed, and it is the employer its members' service is
    reported back to."""

    name = models.CharField(_("unit"), max_length=100, unique=True)
    party_organisation = models.CharField(_("party organisation"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    central = models.BooleanField(_("central unit"), default=False)
    contact_name = models.CharField(_("contact"), max_length=60)
    contact_phone = models.CharField(_("contact's phone"), max_length=30)
    # the account of the unit's contact: sees the unit's own members and reports
    contact_user = models.ForeignKey(USER, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("unit party organisation")
        verbose_name_plural = _("unit party organisations")
        ordering = ["id"]

    def __str__(self):
        return self.name


class UnitRegistration(models.Model):
    """A unit registered with a street (报到); the street confirms it."""

    unit = models.ForeignKey(
        PartyUnit, models.PROTECT, related_name="registrations", verbose_name=_("unit")
    )
    street = models.ForeignKey(
        Street, models.PROTECT, related_name="unit_registrations", verbose_name=_("street")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
    )
    registered_at = models.DateTimeField(_("registered at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit registration")
        verbose_name_plural = _("unit registrations")
        ordering = ["street_id", "-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "street"],
                condition=~Q(status=RegistrationStatus.ENDED),
                name="unit_registration_one_open",
            ),
        ]

    def __str__(self):
        return f"{self.unit} · {self.street}"


class PartyMember(models.Model):
    """An in-service party member (在职党员) with an account of their own. Phone and address are
    personal data: shown to their community and street only, never in events."""

    user = models.OneToOneField(
        USER, models.PROTECT, related_name="party_member", verbose_name=_("account")
    )
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=30)
    address = models.CharField(_("address"), max_length=200, blank=True)
    employer = models.ForeignKey(
        PartyUnit, models.PROTECT, related_name="members", verbose_name=_("employer")
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("in-service party member")
        verbose_name_plural = _("in-service party members")
        ordering = ["id"]
        indexes = [models.Index(fields=["employer"])]

    def __str__(self):
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class MemberRegistration(models.Model):
    """A member registered with the community where they live; the community confirms. Moving
    or leaving ends it (the history is kept): at most one open registration per member."""

    member = models.ForeignKey(
        PartyMember, models.PROTECT, related_name="registrations", verbose_name=_("member")
    )
    community = models.ForeignKey(
        Community, models.PROTECT, related_name="member_registrations", verbose_name=_("community")
    )
    street = models.ForeignKey(Street, models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
    )
    registered_at = models.DateTimeField(_("registered at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(
        _("why it ended"), max_length=10, choices=EndReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("member registration")
        verbose_name_plural = _("member registrations")
        ordering = ["community_id", "-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=~Q(status=RegistrationStatus.ENDED),
                name="member_registration_one_open",
            ),
        ]
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self):
        return f"{self.member} · {self.community}"


class CultureSpace(models.Model):
    """A community venue where activities take place (社区客厅, 阅读空间 …)."""

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="culture_spaces", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=12, choices=SpaceKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)

    class Meta:
        verbose_name = _("culture space")
        verbose_name_plural = _("culture spaces")
        ordering = ["community_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="culture_space_unique"),
        ]

    def __str__(self):
        return self.name


class CommunityNeed(models.Model):
    """需求: what residents need, published by the community."""

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="needs", verbose_name=_("community")
    )
    title = models.CharField(_("need"), max_length=120)
    category = models.CharField(_("category"), max_length=12, choices=NeedCategory.choices)
    description = models.TextField(_("description"), blank=True)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("community need")
        verbose_name_plural = _("community needs")
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return self.title


class ServiceActivity(models.Model):
    """服务活动: what, when, where, how many people; members sign up and are checked in."""

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="activities", verbose_name=_("community")
    )
    title = models.CharField(_("activity"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    need = models.ForeignKey(
        CommunityNeed,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("need"),
    )
    space = models.ForeignKey(
        CultureSpace,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("venue"),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"))
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("service activity")
        verbose_name_plural = _("service activities")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["community", "starts_at"])]

    def __str__(self):
        return self.title


class SignUp(models.Model):
    """A member's place in an activity: checked in at the activity, with the hours served."""

    activity = models.ForeignKey(
        ServiceActivity, models.PROTECT, related_name="sign_ups", verbose_name=_("activity")
    )
    member = models.ForeignKey(
        PartyMember, models.PROTECT, related_name="sign_ups", verbose_name=_("member")
    )
    signed_up_at = models.DateTimeField(_("signed up at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(USER, models.PROTECT, null=True, blank=True, related_name="+")
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["activity_id", "signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="sign_up_once"),
        ]
        indexes = [models.Index(fields=["member", "checked_in_at"])]

    def __str__(self):
        return f"{self.member} · {self.activity}"


class EmployerReport(DeadlineModel):
    """向党员所在单位反馈: a unit's report of a period (DUAL_FEEDBACK_PERIOD: a quarter by
    default) on every member of the unit registered anywhere in the city. Made while the period
    runs (community.feedback.ensure_reports); at the period's end (Beijing) the deadline engine
    freezes its figures (`figures`, names, statuses, activities and hours only: never a phone or
    an address) and the unit's contact is told."""

    unit = models.ForeignKey(
        PartyUnit, models.PROTECT, related_name="employer_reports", verbose_name=_("unit")
    )
    period = models.CharField(_("period"), max_length=7)  # 2026-Q4, 2026-11, 2026
    starts_at = models.DateTimeField(_("period starts"))  # deadline: the period's end
    created_at = models.DateTimeField()
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)

    # the clock runs until the snapshot is made
    deadline_open = Q(generated_at=None)

    class Meta:
        verbose_name = _("report to the employer")
        verbose_name_plural = _("reports to employers")
        ordering = ["-deadline", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="employer_report_once"),
        ]
        indexes = [
            models.Index(
                fields=["deadline"],
                condition=Q(generated_at=None, overdue_at=None),
                name="employer_report_open",
            ),
        ]

    def __str__(self):
        return f"{self.unit} · {self.period}"


# --- 党建协调委员会: committees at three levels, the three lists, the four two-ways --------------


class Committee(models.Model):
    """A party-building coordination committee of a district, a street or a community. Its
    director is by rule a party leader of the level above (`director_from_above`: the page
    says when this is not so)."""

    level = models.CharField(_("level"), max_length=10, choices=CommitteeLevel.choices)
    district = models.ForeignKey(
        "accounts.District", models.PROTECT, null=True, blank=True, related_name="+"
    )
    street = models.ForeignKey(Street, models.PROTECT, null=True, blank=True, related_name="+")
    community = models.ForeignKey(
        Community, models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    director_name = models.CharField(_("director"), max_length=60)
    director_title = models.CharField(_("director's post"), max_length=100)
    director_from_above = models.BooleanField(
        _("director is a party leader of the level above"), default=True
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("party-building coordination committee")
        verbose_name_plural = _("party-building coordination committees")
        ordering = ["level", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    level=CommitteeLevel.DISTRICT,
                    district__isnull=False,
                    street=None,
                    community=None,
                )
                | Q(
                    level=CommitteeLevel.STREET, district=None, street__isnull=False, community=None
                )
                | Q(
                    level=CommitteeLevel.COMMUNITY,
                    district=None,
                    street__isnull=False,
                    community__isnull=False,
                ),
                name="committee_unit_matches_level",
            ),
            # one committee per district, street and community (NULLs are distinct: one
            # partial constraint per level)
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(level=CommitteeLevel.DISTRICT),
                name="committee_one_per_district",
            ),
            models.UniqueConstraint(
                fields=["street"],
                condition=Q(level=CommitteeLevel.STREET),
                name="committee_one_per_street",
            ),
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(level=CommitteeLevel.COMMUNITY),
                name="committee_one_per_community",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def district_id_of(self):
        return self.district_id if self.district_id else self.street.district_id


class CommitteeMember(models.Model):
    """A member of the committee: a unit (or the level's own organisation) and its
    representative; open while `until` is empty."""

    committee = models.ForeignKey(Committee, models.PROTECT, related_name="members")
    unit = models.ForeignKey(
        PartyUnit, models.PROTECT, null=True, blank=True, related_name="committee_seats"
    )
    organisation = models.CharField(_("organisation"), max_length=100)
    representative = models.CharField(_("representative"), max_length=60)
    post = models.CharField(_("post"), max_length=100, blank=True)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee_id", "id"]

    def __str__(self):
        return f"{self.organisation} · {self.representative}"


class Meeting(models.Model):
    committee = models.ForeignKey(Committee, models.PROTECT, related_name="meetings")
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"))
    decisions = models.TextField(_("decisions"), blank=True)
    recorded_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        ordering = ["-held_at", "-id"]

    def __str__(self):
        return f"{self.committee} {self.held_at:%Y-%m-%d}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="attendance")
    member = models.ForeignKey(CommitteeMember, models.PROTECT, related_name="+")
    present = models.BooleanField(_("present"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once"),
        ]

    def __str__(self):
        return f"{self.meeting_id} · {self.member_id}"


class FollowUp(DeadlineModel):
    """A follow-up item of a meeting, with its owner and due date on the deadline engine."""

    meeting = models.ForeignKey(Meeting, models.PROTECT, related_name="follow_ups")
    title = models.CharField(_("follow-up"), max_length=200)
    owner = models.ForeignKey(
        CommitteeMember, models.PROTECT, related_name="follow_ups", verbose_name=_("owner")
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.TextField(_("what was done"), blank=True)

    deadline_open = Q(done_at=None)

    class Meta:
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(
                fields=["deadline"],
                condition=Q(done_at=None, overdue_at=None),
                name="follow_up_open",
            )
        ]

    def __str__(self):
        return self.title


class Resource(models.Model):
    """资源清单: what a unit offers the area (a venue, volunteers, funds, expertise)."""

    committee = models.ForeignKey(Committee, models.PROTECT, related_name="resources")
    unit = models.ForeignKey(PartyUnit, models.PROTECT, related_name="resources")
    category = models.CharField(_("category"), max_length=12, choices=ResourceCategory.choices)
    title = models.CharField(_("resource"), max_length=120)
    capacity = models.CharField(_("capacity"), max_length=60, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    available = models.BooleanField(_("available"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["committee_id", "category", "id"]
        indexes = [models.Index(fields=["committee", "category", "available"])]

    def __str__(self):
        return self.title


class ListNeed(models.Model):
    """需求清单: a need collected from the community or from a unit (the first two-way)."""

    committee = models.ForeignKey(Committee, models.PROTECT, related_name="needs")
    source = models.CharField(_("from"), max_length=10, choices=NeedSource.choices)
    community_need = models.ForeignKey(
        CommunityNeed, models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(PartyUnit, models.PROTECT, null=True, blank=True, related_name="needs")
    category = models.CharField(
        _("resource needed"), max_length=12, choices=ResourceCategory.choices
    )
    title = models.CharField(_("need"), max_length=120)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("listed need")
        verbose_name_plural = _("listed needs")
        ordering = ["committee_id", "-created_at", "-id"]

    def __str__(self):
        return self.title


class Project(models.Model):
    """项目清单: a need matched with one or more resources, an owner, a status, a result."""

    committee = models.ForeignKey(Committee, models.PROTECT, related_name="projects")
    need = models.ForeignKey(ListNeed, models.PROTECT, related_name="projects")
    resources = models.ManyToManyField(Resource, related_name="projects")
    title = models.CharField(_("project"), max_length=120)
    owner = models.ForeignKey(CommitteeMember, models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    result = models.TextField(_("result"), blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["committee_id", "-created_at", "-id"]

    def __str__(self):
        return self.title


class Exchange(models.Model):
    """Two-way service and two-way communication as records: who did what for whom."""

    committee = models.ForeignKey(Committee, models.PROTECT, related_name="exchanges")
    unit = models.ForeignKey(PartyUnit, models.PROTECT, related_name="exchanges")
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    is_service = models.BooleanField(_("a service (else a communication)"))
    held_on = models.DateField(_("date"))
    subject = models.CharField(_("subject"), max_length=200)
    recorded_by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("two-way exchange")
        verbose_name_plural = _("two-way exchanges")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.subject


class MutualEvaluation(models.Model):
    """Two-way evaluation: each period the area rates the unit and the unit rates the area."""

    committee = models.ForeignKey(Committee, models.PROTECT, related_name="evaluations")
    unit = models.ForeignKey(PartyUnit, models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=8)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    score = models.PositiveSmallIntegerField(_("score (1–5)"))
    comment = models.TextField(_("comment"), blank=True)
    by = models.ForeignKey(USER, models.PROTECT, related_name="+")
    at = models.DateTimeField()
    published_at = models.DateTimeField(_("published to the committee"), null=True, blank=True)

    class Meta:
        verbose_name = _("two-way evaluation")
        verbose_name_plural = _("two-way evaluations")
        ordering = ["committee_id", "period", "unit_id", "direction"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "unit", "period", "direction"], name="evaluation_once"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="evaluation_score_range"
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.period} {self.direction}"
