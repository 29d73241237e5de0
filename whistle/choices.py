from django.db import models
from django.utils.translation import gettext_lazy as _


class WhistleKind(models.TextChoices):
    ENFORCEMENT = "enforcement", _("Comprehensive enforcement whistle")
    EMERGENCY = "emergency", _("Emergency response whistle")
    KEY_WORK = "key_work", _("Key work whistle")


class Category(models.TextChoices):
    # enforcement: chaotic urban/rural order needing joint enforcement (the 金海湖 origin)
    URBAN_RURAL_ORDER = "urban_rural_order", _("Urban and rural order")
    ILLEGAL_MINING = "illegal_mining", _("Illegal mining")
    ILLEGAL_EXCAVATION = "illegal_excavation", _("Illegal excavation")
    SAND_THEFT = "sand_theft", _("Sand theft")
    # emergency
    FIRE = "fire", _("Fire")
    FLOOD_CONTROL = "flood_control", _("Flood control")
    UNDERGROUND_PIPELINE = "underground_pipeline", _("Underground pipelines")
    # key work
    ILLEGAL_CONSTRUCTION = "illegal_construction", _("Demolishing illegal construction")
    GROUP_RENTAL = "group_rental", _("Group-rental housing")
    WALL_BREAKING = "wall_breaking", _("Wall-breaking shop openings")
    OTHER = "other", _("Other")


# The categories of each kind (domain.md); "other" belongs to every kind.
KIND_CATEGORIES: dict[str, list[str]] = {
    WhistleKind.ENFORCEMENT: [
        Category.URBAN_RURAL_ORDER,
        Category.ILLEGAL_MINING,
        Category.ILLEGAL_EXCAVATION,
        Category.SAND_THEFT,
        Category.OTHER,
    ],
    WhistleKind.EMERGENCY: [
        Category.FIRE,
        Category.FLOOD_CONTROL,
        Category.UNDERGROUND_PIPELINE,
        Category.OTHER,
    ],
    WhistleKind.KEY_WORK: [
        Category.ILLEGAL_CONSTRUCTION,
        Category.GROUP_RENTAL,
        Category.WALL_BREAKING,
        Category.OTHER,
    ],
}


class WhistleStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# What each action needs the whistle's status to be: the one table that the services and the
# pages (which actions they offer) both read.
ALLOWED_FROM = {
    "summon": (WhistleStatus.OPEN,),
    "resolve": (WhistleStatus.OPEN,),
    "cancel": (WhistleStatus.OPEN,),
    "close": (WhistleStatus.RESOLVED,),
    "evaluate": (WhistleStatus.RESOLVED,),
    # 事不完、人不撤: the departments leave once the whistle is no longer open
    "leave": (WhistleStatus.RESOLVED, WhistleStatus.CLOSED, WhistleStatus.CANCELLED),
}


def allowed_actions(status) -> set[str]:
    return {action for action, states in ALLOWED_FROM.items() if status in states}


class EventType(models.TextChoices):
    WHISTLE_BLOWN = "whistle_blown", _("Whistle blown")
    PHOTO_ADDED = "photo_added", _("Photo added")
    CHECK_IN_SUMMONED = "check_in_summoned", _("Department summoned")
    CHECK_IN_ACKNOWLEDGED = "check_in_acknowledged", _("Summons acknowledged")
    CHECK_IN_ARRIVED = "check_in_arrived", _("Reported on site")
    CHECK_IN_OVERDUE = "check_in_overdue", _("Not on site in time")
    CHECK_IN_RELEASED = "check_in_released", _("Released")
    WHISTLE_RESOLVED = "whistle_resolved", _("Resolved")
    WHISTLE_CANCELLED = "whistle_cancelled", _("Cancelled")
    WHISTLE_CLOSED = "whistle_closed", _("Closed")
    CHECK_IN_EVALUATED = "check_in_evaluated", _("Department evaluated")
    EVALUATION_LAPSED = "evaluation_lapsed", _("Evaluation window lapsed")
    DEPARTMENT_VETOED = "department_vetoed", _("Department vetoed")
    VETO_REVIEWED = "veto_reviewed", _("Veto reviewed")
    ASSIGNED_TO_OFFICE = "assigned_to_office", _("Assigned to an office")
    DUTY_ITEM_CITED = "duty_item_cited", _("Duty item cited")
    CAMPAIGN_LINKED = "campaign_linked", _("Put into a campaign")
