"""The department's live queue, answered without the database while nothing changed.

Each department has a version in the cache (Redis; files on the embedded default), set after
every committed change to its check-ins (`touch`). The queue's fragment carries a signed token
naming the dispatcher's departments and their versions when it was drawn; the page asks for
the fragment again every LIVE_POLL_MS with that token, and while the versions are the same it
gets 204 from the cache alone: no session, no user, no query (docs/live-queue.md says why this
and not server-sent events). Only a change costs a render. Where the cache is not shared
between processes (local memory), or cannot be read, the page polls the fragment every
LIVE_FALLBACK_MS as before.
"""

import functools
import logging
import os
import time
from urllib.parse import unquote

from django.conf import settings
from django.core import signing
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction

log = logging.getLogger(__name__)

SALT = "dispatch.live-queue"
LIVE_POLL_MS = 500
LIVE_FALLBACK_MS = 3000
# A token answers 204 for at most this long: the queue is drawn in full at least once a minute,
# whatever became of a version (a cache write that failed, a process that died after commit).
TOKEN_MAX_AGE = 60
LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def _key(department_id) -> str:
    return f"queue-version:{department_id}"


def shared() -> bool:
    """Whether every process reads the same cache (else a change in the worker is not seen)."""
    return settings.CACHES["default"]["BACKEND"] not in LOCAL_CACHES


def touch(department_ids) -> None:
    """After the caller's transaction commits: these departments' queues changed. A cache
    that cannot be written is logged; the pages see the change when their token expires
    (TOKEN_MAX_AGE) or the cache answers again."""
    ids = sorted({int(d) for d in department_ids if d is not None})
    if not ids:
        return

    def bump():
        try:
            cache.set_many({_key(d): time.time_ns() for d in ids}, timeout=None)
        except Exception:
            log.warning("queue versions of %s not set", ids, exc_info=True)

    transaction.on_commit(bump)


@functools.cache
def _redis_client(pid: int):
    """One client per process for the hot read (Django's RedisCache builds a new client for
    every call: measured 0.4 ms of a 0.8-ms poll); its connection pool is the cache's own."""
    return caches["default"]._cache.get_client()


def _read(keys: list[str]) -> dict:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        raw = _redis_client(os.getpid()).mget([backend.make_and_validate_key(k) for k in keys])
        # Django's Redis serializer stores integers as they are
        return {k: int(v) for k, v in zip(keys, raw, strict=True) if v is not None}
    return cache.get_many(keys)


def versions(department_ids) -> str:
    ids = sorted(department_ids)
    found = _read([_key(d) for d in ids])
    return ".".join(str(found.get(_key(d), 0)) for d in ids)


def token(department_ids) -> str | None:
    """The token a fragment carries: read BEFORE its rows are queried, so a change that
    commits in between is drawn again, never missed. None when there is no fast path."""
    if not shared():
        return None
    ids = sorted(department_ids)
    try:
        return signing.dumps({"d": ids, "v": versions(ids)}, salt=SALT, compress=True)
    except Exception:
        log.warning("queue versions unreadable; polling the database", exc_info=True)
        return None


def unchanged(value: str) -> bool:
    """True when `value` is a valid token whose departments' versions are still the same.
    Anything else (no token, a forged or expired one, a cache that fails) answers False: the
    caller then draws the queue the full way, signed-in user and all."""
    if not value:
        return False
    try:
        data = signing.loads(value, salt=SALT, max_age=TOKEN_MAX_AGE)
        return versions(data["d"]) == data["v"]
    except Exception:  # BadSignature, a malformed payload, the cache down
        return False


class Shortcut:
    """WSGI middleware (config/wsgi.py): a queue poll whose token is unchanged is answered 204
    before Django's middleware and URL resolving run (measured: docs/live-queue.md); every
    other request, and every poll that finds a change, goes to Django, where the view makes
    the same check."""

    def __init__(self, application, path: str = "/queue/items/", param: str = "live"):
        self.application = application
        self.path = path
        self.prefix = param + "="
        # the first read imports the Redis client and connects (0.8 s measured): done here, as
        # each worker starts, not on the first poll, with a queue of others behind it
        unchanged(token([0]) or "")

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == self.path and environ.get("REQUEST_METHOD") == "GET":
            for part in environ.get("QUERY_STRING", "").split("&"):
                if part.startswith(self.prefix) and unchanged(unquote(part[len(self.prefix) :])):
                    start_response("204 No Content", NO_CONTENT_HEADERS)
                    return [b""]
        return self.application(environ, start_response)


NO_CONTENT_HEADERS = [
    ("Cache-Control", "private, no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Length", "0"),
]
