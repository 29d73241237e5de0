"""Writes to whistles that need no check-in: numbering, the timeline, photos.
Blowing, summoning, resolving and closing span check-ins and live in dispatch/services.py."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.periods import BEIJING  # whistle years follow Beijing time
from core.photos import store_photo

from .choices import EventType
from .models import Event, Whistle, WhistleCounter, WhistlePhoto


def next_number(street, at) -> tuple[int, int, str]:
    """(year, sequence, number) for a new whistle of the street: 金海湖-2026-0007.

    The counter row is incremented with one UPDATE, which locks it until the caller's
    transaction ends, so two whistles blown at once get different numbers."""
    year = timezone.localtime(at, BEIJING).year
    counter = WhistleCounter.objects.filter(street=street, year=year)
    if not counter.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                WhistleCounter.objects.create(street=street, year=year, last=1)
        except IntegrityError:  # created by a concurrent transaction meanwhile
            counter.update(last=F("last") + 1)
    sequence = counter.values_list("last", flat=True).get()
    return year, sequence, f"{street.short_name}-{year}-{sequence:04d}"


def record_event(whistle_id, type: EventType, at, actor=None, check_in_id=None, **data) -> Event:
    """Append one event to a whistle's timeline (never personal data of citizens)."""
    return Event.objects.create(
        whistle_id=whistle_id,
        type=type,
        at=at,
        actor=actor,
        check_in=check_in_id,
        data=data,
    )


def record_events(events: list[dict]) -> None:
    """Append many events at once (one INSERT per thousand): each a dict of record_event's
    arguments (`whistle_id`, `type`, `at`, optional `actor`, `check_in_id`, `data`)."""
    Event.objects.bulk_create(
        [
            Event(
                whistle_id=e["whistle_id"],
                type=e["type"],
                at=e["at"],
                actor=e.get("actor"),
                check_in=e.get("check_in_id"),
                data=e.get("data", {}),
            )
            for e in events
        ],
        batch_size=1000,
    )


@transaction.atomic
def add_photo(whistle: Whistle, upload, user) -> WhistlePhoto:
    now = timezone.now()
    photo = store_photo(WhistlePhoto(whistle=whistle, uploaded_by=user, uploaded_at=now), upload)
    record_event(whistle.pk, EventType.PHOTO_ADDED, now, actor=user, photo=photo.pk)
    return photo
