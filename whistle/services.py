"""Writes to whistles that need no check-in: numbering, the timeline, photos.
Blowing, summoning, resolving and closing span check-ins and live in dispatch/services.py."""

import secrets
from io import BytesIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .choices import EventType
from .models import Event, Whistle, WhistleCounter, WhistlePhoto

SHANGHAI = ZoneInfo("Asia/Shanghai")  # whistle years and score periods follow Beijing time


def next_number(street, at) -> tuple[int, int, str]:
    """(year, sequence, number) for a new whistle of the street: 金海湖-2026-0007.

    The counter row is incremented with one UPDATE, which locks it until the caller's
    transaction ends, so two whistles blown at once get different numbers."""
    year = timezone.localtime(at, SHANGHAI).year
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


PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


def validate_photo(upload) -> str:
    """The upload's content type if it is an image within the size limit, else ValidationError
    on `file`. The bytes are decoded, not trusted from the name or the header."""
    limit = settings.WHISTLE_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {"file": _("The photo is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}}
        )
    data = upload.read()
    upload.seek(0)
    try:
        with Image.open(BytesIO(data)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"file": _("The file is not an image.")}) from None
    if kind not in PHOTO_FORMATS:
        raise ValidationError({"file": _("Use a JPEG, PNG, WebP or GIF image.")})
    return PHOTO_FORMATS[kind]


def validate_photos(uploads, field: str = "photos") -> None:
    """Every upload checked before anything is stored (a bad third photo saves nothing); the
    error names the form's field."""
    for upload in uploads:
        try:
            validate_photo(upload)
        except ValidationError as exc:
            raise ValidationError({field: exc.message_dict["file"]}) from None


ANIMATION_INFO = ("loop", "duration", "background", "transparency", "disposal")


def clean_photo(upload) -> tuple[ImageFile, str]:
    """The upload checked (validate_photo) and encoded again without its metadata: no EXIF
    (GPS position, camera, author, time), no XMP, no comments; the EXIF orientation applied
    to the pixels first, so the photo still stands the right way up. Every viewer then gets
    the same clean bytes. Returns the new file and its content type."""
    content_type = validate_photo(upload)
    data = upload.read()
    upload.seek(0)
    with Image.open(BytesIO(data)) as image:
        kind = image.format
        frames = getattr(image, "n_frames", 1)
        if frames > 1:  # an animated GIF or WebP: every frame, no metadata
            image.info = {k: v for k, v in image.info.items() if k in ANIMATION_INFO}
            out = BytesIO()
            image.save(out, format=kind, save_all=True)
        else:
            upright = ImageOps.exif_transpose(image)
            if kind == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
                upright = upright.convert("RGB")
            options = {"JPEG": {"quality": 90}, "WEBP": {"quality": 90}}.get(kind, {})
            icc = image.info.get("icc_profile")  # colours, nothing personal
            if icc:
                options["icc_profile"] = icc
            upright.info = {}  # Pillow writes a comment, EXIF or XMP found here back
            out = BytesIO()
            upright.save(out, format=kind, **options)
    out.seek(0)
    return ImageFile(out, name=f"photo.{kind.lower()}"), content_type


@transaction.atomic
def add_photo(whistle: Whistle, upload, user) -> WhistlePhoto:
    content, content_type = clean_photo(upload)
    now = timezone.now()
    photo = WhistlePhoto(
        whistle=whistle,
        token=secrets.token_hex(16),
        content_type=content_type,
        size=content.size,
        uploaded_by=user,
        uploaded_at=now,
    )
    photo.image.save(f"photo{photo.extension}", content, save=False)
    photo.save()
    record_event(whistle.pk, EventType.PHOTO_ADDED, now, actor=user, photo=photo.pk)
    return photo
