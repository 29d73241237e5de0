"""Errors that services raise and both the pages and the API turn into clear answers, and the
answer when something unexpected breaks.

- django.core.exceptions.ValidationError (with field names): 400 / a form error
- django.core.exceptions.PermissionDenied: 403 (the object is in scope, the action is not yours)
- Conflict: 409 (the object's state forbids the action)
"""


class Conflict(Exception):
    def __init__(self, message: str, code: str = "conflict"):
        super().__init__(message)
        self.message = message
        self.code = code


RETRY_AFTER_SECONDS = 30


def _database_down(exc) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError)


def server_error(request, *args, **kwargs):
    """handler500, called while the exception is being handled. The database unreachable is
    an outage, not a bug: 503 with Retry-After. Clients of the API and Open311 get JSON; people
    get a page in the platform's language (Chinese by default), never Django's English one."""
    import sys

    from django.http import HttpResponse, JsonResponse
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.translation import gettext as _

    exc = sys.exc_info()[1]
    down = _database_down(exc)
    status = 503 if down else 500
    from django.conf import settings

    with translation.override(getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE):
        if down:
            message = _("The service is briefly unavailable. Please try again in a moment.")
        else:
            message = _("Something went wrong on our side. It has been logged; please try again.")
        if request.path.startswith("/open311/"):  # the specification's errors, in English
            from hotline.open311 import error_response

            fmt = "xml" if request.path.endswith(".xml") else "json"
            said = "Service unavailable; try again later." if down else "Internal error."
            response = error_response(fmt, status, said)
        elif request.path.startswith("/api/"):
            code = "unavailable" if down else "error"
            response = JsonResponse({"detail": message, "code": code}, status=status)
        else:
            try:  # without the request: its context processors would ask the database
                page = render_to_string("500.html", {"message": message, "down": down})
            except Exception:  # whatever else is broken: plain text, still in the language
                page = message
            response = HttpResponse(page, status=status)
    if down:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def page_not_found(request, exception=None):
    """handler404: the API's clients get JSON (`{"detail", "code"}`) for a URL that names no
    operation (an id that is not a number, a path that does not exist), as for every other
    404 of the API; everyone else gets Django's page in their language."""
    from django.views.defaults import page_not_found as django_page_not_found

    if request.path.startswith("/api/"):
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return django_page_not_found(request, exception)
