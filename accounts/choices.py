from django.db import models
from django.utils.translation import gettext_lazy as _


class StreetKind(models.TextChoices):
    SUBDISTRICT = "subdistrict", _("Subdistrict (街道)")
    TOWN = "town", _("Town (镇)")
    TOWNSHIP = "township", _("Township (乡)")


class CommunityKind(models.TextChoices):
    COMMUNITY = "community", _("Community (社区)")
    VILLAGE = "village", _("Village (村)")


class DepartmentKind(models.TextChoices):
    ENFORCEMENT = "enforcement", _("Enforcement")
    FUNCTIONAL = "functional", _("Functional")
    PUBLIC_SERVICE = "public_service", _("Public service")


class StationMode(models.TextChoices):
    """The 1+4+N: the street's own enforcement team, four stationed, N on call."""

    RESIDENT = "resident", _("1 · resident")
    STATIONED = "stationed", _("4 · stationed")
    ON_CALL = "on_call", _("N · on call")


class StaffingForm(models.TextChoices):
    """区属、街管、街用: on whose books, managed and used by the street."""

    DISTRICT_OWNED = "district_owned", _("District-owned, street-managed, street-used")


class Role(models.TextChoices):
    STREET_OFFICIAL = "street_official", _("Street official")
    COMMITTEE_MEMBER = "committee_member", _("Party committee member")
    DEPARTMENT_DISPATCHER = "department_dispatcher", _("Department dispatcher")
    DISTRICT_REVIEWER = "district_reviewer", _("District reviewer")
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    HOTLINE_OPERATOR = "hotline_operator", _("12345 hotline operator")


class UnitType(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street or township")
    DEPARTMENT = "department", _("Department")


# The kind of unit each role belongs to: one source for the membership constraint.
ROLE_UNIT = {
    Role.STREET_OFFICIAL: UnitType.STREET,
    Role.COMMITTEE_MEMBER: UnitType.STREET,
    Role.DEPARTMENT_DISPATCHER: UnitType.DEPARTMENT,
    Role.DISTRICT_REVIEWER: UnitType.DISTRICT,
    Role.DISTRICT_ADMIN: UnitType.DISTRICT,
    Role.HOTLINE_OPERATOR: UnitType.CITY,
}
