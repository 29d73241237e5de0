"""Project-wide middleware: the body limit, and the headers every answer carries."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


class BodyLimitMiddleware:
    """A request announcing a body over REQUEST_MAX_BYTES answers 413 before any of it is read
    (Django's own limits apply only once a view reads the body, and a multipart upload is
    streamed to disk whole first). Without a length (chunked), gunicorn and Django's limits on
    what is read still apply."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            megabytes = settings.REQUEST_MAX_BYTES // (1024 * 1024)
            message = _("The request is larger than %(mb)s MB.") % {"mb": megabytes}
            if request.path.startswith(("/api/", "/open311/")):
                response = JsonResponse({"detail": message, "code": "too_large"}, status=413)
            else:
                response = HttpResponse(
                    message, content_type="text/plain; charset=utf-8", status=413
                )
            response["Connection"] = "close"  # what was sent is not read
            return response
        return self.get_response(request)


class PrivacyHeadersMiddleware:
    """Permissions-Policy on every answer; `Cache-Control: private` on every answer to a
    signed-in person (no shared cache keeps a page meant for one). Only a request that carries
    a session cookie, on an answer not already private, is asked who it is: anonymous answers
    and the live queue's 204 cost no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        cache_control = response.get("Cache-Control", "")
        if "private" in cache_control or "no-store" in cache_control:
            return response
        if settings.SESSION_COOKIE_NAME in request.COOKIES or request.headers.get("Authorization"):
            user = getattr(request, "user", None)
            if (user is not None and user.is_authenticated) or request.headers.get("Authorization"):
                patch_cache_control(response, private=True)
        return response
