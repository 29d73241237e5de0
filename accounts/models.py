"""The organisation of the reform: city, districts, streets, communities, departments, the
1+4+N stations, dispatched agencies, stationed officers, and who belongs where."""

import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .choices import (
    ROLE_UNIT,
    CampaignRole,
    CommunityKind,
    DepartmentKind,
    DutyRole,
    OfficeKind,
    Power,
    Role,
    StaffingForm,
    StationMode,
    StreetKind,
    TimelineEventType,
    UnitType,
)
from .querysets import (
    DepartmentQuerySet,
    DistrictQuerySet,
    PowerGrantQuerySet,
    StreetQuerySet,
    StreetUnitQuerySet,
)


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username


class City(models.Model):
    """The single root (北京市); the 12345 hotline centre sits here."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self):
        return self.name


class District(models.Model):
    city = models.ForeignKey(City, models.PROTECT, related_name="districts", verbose_name=_("city"))
    name = models.CharField(_("name"), max_length=50, unique=True)
    code = models.CharField(_("administrative code"), max_length=12, blank=True)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["id"]

    def __str__(self):
        return self.name


_STREET_SUFFIX = re.compile(r"(街道办事处|街道|地区|镇|乡)$")


def street_short_name(name: str) -> str:
    """金海湖镇 → 金海湖, 龙潭街道 → 龙潭: the prefix of whistle numbers."""
    return _STREET_SUFFIX.sub("", name) or name


class Street(models.Model):
    district = models.ForeignKey(
        District, models.PROTECT, related_name="streets", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=12, choices=StreetKind.choices)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    # The street's party working committee (街道党工委): the holder of the powers.
    committee = models.OneToOneField(
        Group,
        models.PROTECT,
        related_name="committee_of",
        verbose_name=_("party committee group"),
        null=True,
        blank=True,
        editable=False,
    )

    objects = StreetQuerySet.as_manager()

    class Meta:
        verbose_name = _("street or township")
        verbose_name_plural = _("streets and townships")
        ordering = ["district_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="street_unique_name"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.short_name:
            self.short_name = street_short_name(self.name)
        update_fields = kwargs.get("update_fields")
        if self.committee_id is None:
            # A group of its own for every street (never looked up by name: names change).
            self.committee = Group.objects.create(name=_free_group_name(self.committee_name))
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "committee"}
        elif self.committee.name != self.committee_name and (
            update_fields is None or "name" in update_fields
        ):
            self.committee.name = _free_group_name(self.committee_name, self.committee_id)
            self.committee.save(update_fields=["name"])
        super().save(*args, **kwargs)

    @property
    def committee_name(self) -> str:
        return f"{self.district.name}{self.name}党工委"


def _free_group_name(name: str, own_id: int | None = None) -> str:
    """`name`, or `name (2)`, `name (3)` … when another group already has it."""
    taken = set(
        Group.objects.filter(name__startswith=name)
        .exclude(pk=own_id)
        .values_list("name", flat=True)
    )
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


class Community(models.Model):
    street = models.ForeignKey(
        Street, models.PROTECT, related_name="communities", verbose_name=_("street")
    )
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(
        _("kind"), max_length=10, choices=CommunityKind.choices, default=CommunityKind.COMMUNITY
    )

    class Meta:
        verbose_name = _("community or village")
        verbose_name_plural = _("communities and villages")
        ordering = ["street_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="community_unique_name"),
        ]

    def __str__(self):
        return self.name


class Department(models.Model):
    """A district department (委办局, 执法队); a city-level one has no district."""

    district = models.ForeignKey(
        District,
        models.PROTECT,
        related_name="departments",
        verbose_name=_("district"),
        null=True,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=DepartmentKind.choices)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["district_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="department_unique_name"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(district=None), name="city_department_unique_name"
            ),
        ]

    def __str__(self):
        return self.name


class DepartmentLeader(models.Model):
    """A leader of a department: told when the department misses a deadline."""

    department = models.ForeignKey(
        Department, models.CASCADE, related_name="leaders", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("title"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    user = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("account")
    )

    class Meta:
        verbose_name = _("department leader")
        verbose_name_plural = _("department leaders")
        ordering = ["department_id", "id"]

    def __str__(self):
        return f"{self.name} ({self.title})" if self.title else self.name


class Station(models.Model):
    """A department's place in a street's comprehensive enforcement centre (the 1+4+N)."""

    street = models.ForeignKey(
        Street, models.PROTECT, related_name="stations", verbose_name=_("street")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="stations", verbose_name=_("department")
    )
    mode = models.CharField(_("mode"), max_length=10, choices=StationMode.choices)
    duty_contact = models.CharField(_("duty contact"), max_length=60)
    duty_phone = models.CharField(_("duty phone"), max_length=30)

    objects = StreetUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations (1+4+N)")
        ordering = ["street_id", "mode", "id"]
        constraints = [
            models.UniqueConstraint(fields=["street", "department"], name="station_unique"),
        ]
        permissions = [
            (
                "coordinate_departments",
                _("Coordinate and summon the department (统筹协调和督办权)"),
            ),
            ("veto_department", _("Veto the department's performance (否决权)")),
        ]

    def __str__(self):
        return f"{self.street.name} · {self.department.name}"


class DispatchedAgency(models.Model):
    """A department's agency in the street (派出机构), e.g. the police station."""

    department = models.ForeignKey(
        Department, models.PROTECT, related_name="agencies", verbose_name=_("department")
    )
    street = models.ForeignKey(
        Street, models.PROTECT, related_name="agencies", verbose_name=_("street")
    )
    name = models.CharField(_("name"), max_length=60)
    leader_name = models.CharField(_("leader"), max_length=60)
    leader_title = models.CharField(_("leader's title"), max_length=60, blank=True)
    leader_phone = models.CharField(_("leader's phone"), max_length=30, blank=True)

    objects = StreetUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispatched agency")
        verbose_name_plural = _("dispatched agencies")
        ordering = ["street_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="agency_unique_name"),
        ]
        permissions = [
            (
                "recommend_personnel",
                _("Recommend appointment, transfer, reward or punishment (人事建议权)"),
            ),
        ]

    def __str__(self):
        return self.name


class StationedOfficer(models.Model):
    """A department's officer stationed in a street: 区属、街管、街用."""

    department = models.ForeignKey(
        Department, models.PROTECT, related_name="officers", verbose_name=_("department")
    )
    street = models.ForeignKey(
        Street, models.PROTECT, related_name="officers", verbose_name=_("street")
    )
    name = models.CharField(_("name"), max_length=60)
    position = models.CharField(_("position"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    staffing = models.CharField(
        _("staffing form"),
        max_length=20,
        choices=StaffingForm.choices,
        default=StaffingForm.DISTRICT_OWNED,
    )
    stationed_since = models.DateField(_("stationed since"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    user = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("account")
    )

    objects = StreetUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("stationed officer")
        verbose_name_plural = _("stationed officers")
        ordering = ["street_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "department", "name"], name="officer_unique_name"
            ),
        ]
        permissions = [
            (
                "assess_stationed_staff",
                _("Record daily management and assessment (日常管理考核权)"),
            ),
        ]

    def __str__(self):
        return self.name


MEMBERSHIP_UNIT_FIELDS = ("city", "district", "street", "department")


def _membership_unit_condition() -> Q:
    """Exactly the unit the role belongs to is set (ROLE_UNIT is the one source)."""
    condition = Q()
    for unit in UnitType:
        condition |= Q(
            role__in=[role.value for role, u in ROLE_UNIT.items() if u == unit],
            **{f"{field}__isnull": field != unit.value for field in MEMBERSHIP_UNIT_FIELDS},
        )
    return condition


class Membership(models.Model):
    """A person's role in one organisation unit; roles come only from memberships."""

    user = models.ForeignKey(
        User, models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    city = models.ForeignKey(City, models.CASCADE, null=True, blank=True, verbose_name=_("city"))
    district = models.ForeignKey(
        District, models.CASCADE, null=True, blank=True, verbose_name=_("district")
    )
    street = models.ForeignKey(
        Street, models.CASCADE, null=True, blank=True, verbose_name=_("street")
    )
    department = models.ForeignKey(
        Department, models.CASCADE, null=True, blank=True, verbose_name=_("department")
    )
    # the street's office (六办一队三中心) where a street's person works, when known
    office = models.ForeignKey(
        "StreetOffice",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("office"),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_membership_unit_condition(),
                name="membership_unit_matches_role",
            ),
        ] + [
            models.UniqueConstraint(
                fields=["user", "role", unit],
                condition=Q(**{f"{unit}__isnull": False}),
                name=f"membership_unique_{unit}",
            )
            for unit in MEMBERSHIP_UNIT_FIELDS
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    @property
    def unit_type(self) -> str:
        return ROLE_UNIT[Role(self.role)].value

    @property
    def unit(self):
        return getattr(self, self.unit_type)

    @property
    def unit_id(self):
        return getattr(self, f"{self.unit_type}_id")


class PowerGrant(models.Model):
    """The grant of one power to one street's party committee: a record of who granted it
    and when, and who revoked it and when. `accounts.services.sync_powers` keeps
    django-guardian's object permissions in step with the active grants."""

    street = models.ForeignKey(
        Street, models.PROTECT, related_name="power_grants", verbose_name=_("street")
    )
    power = models.CharField(_("power"), max_length=32, choices=Power.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    granted_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"))
    revoked_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("revoked by")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)

    objects = PowerGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("power grant")
        verbose_name_plural = _("power grants")
        ordering = ["street_id", "power", "-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "power"],
                condition=Q(revoked_at=None),
                name="power_grant_one_active",
            ),
        ]

    def __str__(self):
        return f"{self.street} · {self.get_power_display()}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class TimelineEvent(models.Model):
    """One entry of the timeline of an object outside the whistles (a power grant, a
    supervision order, an opinion …): append-only, the database refuses UPDATE and DELETE.
    Carries no citizen's personal data."""

    type = models.CharField(max_length=32, choices=TimelineEventType.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    street = models.ForeignKey(Street, models.PROTECT, null=True, blank=True, related_name="+")
    subject_type = models.ForeignKey(ContentType, models.PROTECT, related_name="+")
    subject_id = models.BigIntegerField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"])]

    def __str__(self):
        return f"{self.get_type_display()} @ {self.at:%Y-%m-%d %H:%M:%S}"


# --- the street's duty list (街道职责清单), its internal structure (六办一队三中心), campaigns ---


class DutyList(models.Model):
    """A published version of the duty list: the city's (district empty) or a district's. A
    street follows the newest version in force of its district, else the city's."""

    district = models.ForeignKey(
        District,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_lists",
        verbose_name=_("district"),
    )
    version = models.CharField(_("version"), max_length=30)
    title = models.CharField(_("title"), max_length=100)
    effective_from = models.DateField(_("in force from"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("duty list")
        verbose_name_plural = _("duty lists")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "version"],
                condition=Q(district__isnull=False),
                name="duty_list_version_per_district",
            ),
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(district__isnull=True),
                name="duty_list_version_of_city",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.version})"


class DutySection(models.Model):
    duty_list = models.ForeignKey(DutyList, models.CASCADE, related_name="sections")
    number = models.PositiveSmallIntegerField(_("section"))
    title = models.CharField(_("title"), max_length=100)

    class Meta:
        verbose_name = _("duty section")
        verbose_name_plural = _("duty sections")
        ordering = ["duty_list_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["duty_list", "number"], name="duty_section_number")
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class DutyItem(models.Model):
    duty_list = models.ForeignKey(DutyList, models.CASCADE, related_name="items")
    section = models.ForeignKey(DutySection, models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("item"))
    title = models.CharField(_("duty"), max_length=200)
    role = models.CharField(_("the street's role"), max_length=10, choices=DutyRole.choices)
    # whistle and 12345 category codes this duty answers: the forms suggest the item from them
    categories = models.JSONField(_("categories"), default=list, blank=True)

    class Meta:
        verbose_name = _("duty item")
        verbose_name_plural = _("duty items")
        ordering = ["duty_list_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["duty_list", "number"], name="duty_item_number")
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class StreetOffice(models.Model):
    """One unit of the street's standard structure: six offices (办), one enforcement team (队),
    three centres (中心), each led by a deputy head of the street."""

    street = models.ForeignKey(
        Street, models.CASCADE, related_name="offices", verbose_name=_("street")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=OfficeKind.choices)
    name = models.CharField(_("name"), max_length=60)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("led by"),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("office of the street")
        verbose_name_plural = _("offices of the street")
        ordering = ["street_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="street_office_name")
        ]

    def __str__(self):
        return self.name


class Campaign(models.Model):
    """A special campaign (专项行动) under a command post with a temporary party branch, over
    one or more streets of a district."""

    name = models.CharField(_("name"), max_length=100)
    aims = models.TextField(_("aims"), blank=True)
    district = models.ForeignKey(
        District, models.PROTECT, related_name="campaigns", verbose_name=_("district")
    )
    streets = models.ManyToManyField(Street, related_name="campaigns", verbose_name=_("streets"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            )
        ]

    def __str__(self):
        return self.name


class CampaignPost(models.Model):
    """A person of the command post (commander, deputies, members from the departments) or of
    the temporary party branch (secretary, members)."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="posts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=CampaignRole.choices)
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("campaign post")
        verbose_name_plural = _("campaign posts")
        ordering = ["campaign_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user", "role"], name="campaign_post_once")
        ]

    def __str__(self):
        return f"{self.get_role_display()} · {self.user}"


class CampaignCounter(models.Model):
    """A result counted with its unit and its source (cases filed, people detained, sites
    sealed); every change is on the campaign's timeline."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="counters")
    name = models.CharField(_("result"), max_length=60)
    unit = models.CharField(_("unit"), max_length=20)
    source = models.CharField(_("source"), max_length=200)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("campaign result")
        verbose_name_plural = _("campaign results")
        ordering = ["campaign_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="campaign_counter_name"),
            models.CheckConstraint(condition=~Q(source=""), name="campaign_counter_has_source"),
        ]

    def __str__(self):
        return f"{self.name}: {self.value} {self.unit}"


class CampaignIndicator(models.Model):
    """An indicator followed over time (the lake's water quality class by month)."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=60)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("campaign indicator")
        verbose_name_plural = _("campaign indicators")
        ordering = ["campaign_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="campaign_indicator_name"),
            models.CheckConstraint(condition=~Q(source=""), name="campaign_indicator_has_source"),
        ]

    def __str__(self):
        return self.name


class IndicatorReading(models.Model):
    indicator = models.ForeignKey(CampaignIndicator, models.CASCADE, related_name="readings")
    on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=3)
    label = models.CharField(_("as read"), max_length=30, blank=True)  # e.g. "II类"
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("indicator reading")
        verbose_name_plural = _("indicator readings")
        ordering = ["indicator_id", "on"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "on"], name="indicator_reading_once")
        ]

    def __str__(self):
        return f"{self.indicator} {self.on}: {self.label or self.value}"


# Direct foreign-key permission tables (django-guardian's fast path): one pair per model
# that a power governs.
class StationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Station, models.CASCADE)


class StationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Station, models.CASCADE)


class DispatchedAgencyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(DispatchedAgency, models.CASCADE)


class DispatchedAgencyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(DispatchedAgency, models.CASCADE)


class StationedOfficerUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(StationedOfficer, models.CASCADE)


class StationedOfficerGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(StationedOfficer, models.CASCADE)
