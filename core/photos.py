"""Photos (of whistles, of 12345 requests): checked as images within the platform's one size
limit (WHISTLE_PHOTO_MAX_BYTES, named when only whistles had photos), encoded again without
their metadata, and served only to whoever may see what they belong to."""

from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

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


def store_photo(photo, upload):
    """Save `photo` (an unsaved row of a photo model, its owner and uploader set) from the
    upload: checked and cleaned (clean_photo), stored under a random token."""
    import secrets

    content, content_type = clean_photo(upload)
    photo.token = secrets.token_hex(16)
    photo.content_type = content_type
    photo.size = content.size
    photo.image.save(f"photo{photo.extension}", content, save=False)
    photo.save()
    return photo


def private_image(image, content_type):
    """A stored photo's bytes, never cached by shared caches (a lost file answers 404)."""
    try:
        stream = image.open("rb")
    except FileNotFoundError:  # the file was lost from storage: say so, not 500
        raise Http404 from None
    response = FileResponse(stream, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
