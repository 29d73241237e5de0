"""`Idempotency-Key` on creating POSTs: the same key from the same user answers the first
result again and creates nothing more.

The key row is inserted first, in the same transaction as the work: a concurrent request with
the same key waits on the unique index until the first commits, then replays its answer. When
the work fails, the key goes with the rolled-back transaction, so a corrected retry works."""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .models import IdempotencyKey

HEADER = "Idempotency-Key"

# the header in the schema of the operations that honour it
IDEMPOTENCY = OpenApiParameter(
    HEADER,
    {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
    OpenApiParameter.HEADER,
    description="Retry safely: the same key from the same user answers the first result again.",
)


def _fingerprint(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except TypeError:
        body = repr(request.data)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def replay_or_run(request, run) -> Response:
    key = request.headers.get(HEADER)
    if key is None:
        return run()
    if not key.strip() or len(key) > 200:
        return Response(
            {HEADER: [_("Send 1 to 200 characters.")]}, status=status.HTTP_400_BAD_REQUEST
        )
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=request.user, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            record = IdempotencyKey.objects.get(user=request.user, key=key)
            if record.fingerprint != fingerprint:
                return Response(
                    {HEADER: [_("This key was already used for a different request.")]},
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            return Response(
                record.body, status=record.status, headers={"Idempotent-Replayed": "true"}
            )
        response = run()
        record.status = response.status_code
        record.body = json.loads(JSONRenderer().render(response.data) or b"null")
        record.save(update_fields=["status", "body"])
        return response


def once(user, key: str, run):
    """For a page's form: `run()` (which creates and returns one object) once per user and
    form key. Returns (the object's pk, whether it was made before): a repeat, or a request
    racing the first (it waits on the unique index until the first commits), gets the pk of
    what the first made. An empty key runs every time."""
    if not key:
        return run().pk, False
    key = f"form:{key}"[:200]
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(user=user, key=key, fingerprint="form")
        except IntegrityError:
            return IdempotencyKey.objects.get(user=user, key=key).body["pk"], True
        made = run()
        record.status, record.body = status.HTTP_201_CREATED, {"pk": made.pk}
        record.save(update_fields=["status", "body"])
        return made.pk, False
