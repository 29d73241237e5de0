from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    PHONE = "phone", _("12345 phone call")
    WEB = "web", _("Website")
    APP = "app", _("Mobile app")
    WECHAT = "wechat", _("WeChat")
    OPEN311 = "open311", _("Open311 (outside system)")


class RequestStatus(models.TextChoices):
    NEW = "new", _("Awaiting dispatch")
    DISPATCHED = "dispatched", _("Dispatched to the street")
    ACCEPTED = "accepted", _("Accepted by the street")
    REPLIED = "replied", _("Replied")
    RETURNED = "returned", _("Returned by the street")
    CLOSED = "closed", pgettext_lazy("12345 request", "Closed")


OPEN_STATUSES = (
    RequestStatus.NEW,
    RequestStatus.DISPATCHED,
    RequestStatus.ACCEPTED,
    RequestStatus.RETURNED,
)


# What each action needs the request's status to be: the one table that the services'
# conditional UPDATEs and the request page's buttons both read.
ALLOWED_FROM = {
    "dispatch": (RequestStatus.NEW, RequestStatus.RETURNED),
    "accept": (RequestStatus.DISPATCHED,),
    "contact": (RequestStatus.DISPATCHED, RequestStatus.ACCEPTED),
    "reply": (RequestStatus.ACCEPTED,),
    "return": (RequestStatus.DISPATCHED, RequestStatus.ACCEPTED),
    "callback": (RequestStatus.REPLIED, RequestStatus.CLOSED),
    "whistle": (RequestStatus.DISPATCHED, RequestStatus.ACCEPTED),
}


def allowed_actions(status) -> set[str]:
    return {action for action, states in ALLOWED_FROM.items() if status in states}


class DeadlineKind(models.TextChoices):
    RESPONSE = "response", _("Response (contact the citizen)")
    RESOLUTION = "resolution", _("Resolution (reply)")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class RankCategory(models.TextChoices):
    ADVANCED = "advanced", _("Advanced (先进)")
    IMPROVED = "improved", _("Improved (进步)")
    RECTIFY = "rectify", _("To rectify (整改)")
    GOVERNANCE = "governance", _("Governance focus (治理类)")
