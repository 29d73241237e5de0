"""Citing a duty item (街道职责清单) on a 12345 request: the street answering it says which of
its duties the request falls under (docs/duties.md)."""

from django.db import transaction
from django.utils import timezone

from accounts.choices import TimelineEventType
from accounts.duties import require_citable, today
from accounts.services import record

from .models import ServiceRequest
from .services import require_street


@transaction.atomic
def cite_on_request(user, request, item) -> ServiceRequest:
    """The duty item of the list in force today for the request's street (None clears it)."""
    if user is not None:
        require_street(user, request)
    if (item.pk if item else None) == request.duty_item_id:
        return request
    require_citable(item, request.street, today())
    ServiceRequest.objects.filter(pk=request.pk).update(duty_item=item)
    request.duty_item = item
    record(
        TimelineEventType.DUTY_ITEM_CITED,
        request,
        actor=user,
        street=request.street,
        at=timezone.now(),
        duty_item=item.pk if item else None,
        number=item.number if item else None,
    )
    return request
