"""The front line's vocabularies (街巷长, 小巷管家, 社区专员, 入户)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StewardKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    UNIT_EMPLOYEE = "unit_employee", _("Employee of a unit in the area")
    MERCHANT = "merchant", _("Shopkeeper")
    PARTY_MEMBER = "party_member", _("In-service party member")
    OTHER = "other", _("Other volunteer")


class ReportCategory(models.TextChoices):
    SANITATION = "sanitation", _("Litter and sanitation")
    PARKING = "parking", _("Disorderly parking")
    VENDING = "vending", _("Street vending and spill-over")
    CONSTRUCTION = "construction", _("Illegal construction")
    FACILITY = "facility", _("Broken public facility")
    GREENERY = "greenery", _("Greenery")
    SAFETY = "safety", _("Safety hazard")
    GROUP_RENTAL = "group_rental", _("Group rental")
    OTHER = "other", _("Other")


class ReportStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted by the chief")
    RESOLVED = "resolved", _("Fixed by the street")
    WHISTLE = "whistle", _("Escalated: whistle blown")
    ORDERED = "ordered", _("Escalated: supervision order")


# The statuses each action of the chief may start from: one table, for the services and the
# pages' buttons alike.
ALLOWED_FROM = {
    "accept": {ReportStatus.NEW},
    "resolve": {ReportStatus.NEW, ReportStatus.ACCEPTED},
    "whistle": {ReportStatus.NEW, ReportStatus.ACCEPTED},
    "order": {ReportStatus.NEW, ReportStatus.ACCEPTED},
}
OPEN_STATUSES = (ReportStatus.NEW, ReportStatus.ACCEPTED)


def allowed_actions(status) -> set[str]:
    return {action for action, sources in ALLOWED_FROM.items() if status in sources}


class StaffKind(models.TextChoices):
    COMMISSIONER = "commissioner", _("Community commissioner (street cadre)")
    WORKER = "worker", _("Community worker")


class VisitPurpose(models.TextChoices):
    ROUTINE = "routine", _("Routine visit")
    ELDERLY = "elderly", _("Care for the elderly")
    DIFFICULTY = "difficulty", _("Household in difficulty")
    SAFETY = "safety", _("Safety check")
    POLICY = "policy", _("Explaining a policy")
    OPINION = "opinion", _("Collecting opinions")
    OTHER = "other", _("Other")


class HouseholdSource(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    ENTERED = "entered", _("Entered by the street")


# --- 双报到 (double reporting) ----------------------------------------------------------------


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", _("Government body")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    PRIVATE_ENTERPRISE = "private_enterprise", _("Private enterprise")
    SCHOOL = "school", _("School")
    SOCIAL_ORGANISATION = "social_org", _("Social organisation")
    OTHER = "other", _("Other")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    ENDED = "ended", _("Ended")


class EndReason(models.TextChoices):
    MOVED = "moved", _("Moved to another community")
    LEFT = "left", _("Left")
    REFUSED = "refused", _("Not confirmed")


class NeedCategory(models.TextChoices):
    ELDERLY = "elderly", _("Care for the elderly")
    CHILDREN = "children", _("Children and youth")
    HEALTH = "health", _("Health")
    LEGAL = "legal", _("Legal advice")
    CULTURE = "culture", _("Culture and reading")
    ENVIRONMENT = "environment", _("Environment")
    SAFETY = "safety", _("Safety")
    OTHER = "other", _("Other")


class SpaceKind(models.TextChoices):
    LIVING_ROOM = "living_room", _("Community living room (社区客厅)")
    READING = "reading", _("Reading space (阅读空间)")
    HALL = "hall", _("Activity hall")
    OTHER = "other", _("Other")


# --- committees, the three lists, the four two-ways -----------------------------------------


class CommitteeLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street or township")
    COMMUNITY = "community", _("Community or village")


class ResourceCategory(models.TextChoices):
    VENUE = "venue", _("Venue")
    VOLUNTEERS = "volunteers", _("Volunteers")
    FUNDS = "funds", _("Funds")
    EXPERTISE = "expertise", _("Expertise")
    OTHER = "other", _("Other")


class NeedSource(models.TextChoices):
    COMMUNITY = "community", _("From the community")
    UNIT = "unit", _("From a unit")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Under way")
    DONE = "done", _("Done")
    STOPPED = "stopped", _("Stopped")


class Direction(models.TextChoices):
    TO_UNIT = "to_unit", _("From the area to the unit")
    FROM_UNIT = "from_unit", _("From the unit to the area")
