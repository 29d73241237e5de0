from django.conf import settings
from django.contrib.auth.views import LoginView
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _


class SignInView(LoginView):
    """Django's sign-in page; a signed-in person is sent on, and a `next` that points back to
    the sign-in page itself goes home instead of looping (which Django answers with a 500)."""

    redirect_authenticated_user = True

    def get_redirect_url(self):
        url = super().get_redirect_url()
        return "" if url.split("?")[0] == reverse("login") else url


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes' answer to a locked-out sign-in (any path): 429 with Retry-After, saying
    how long to wait; JSON for the API, the sign-in page with the message for people."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed sign-ins for this account or from this address. Try again in %(minutes)d minutes, or ask your administrator."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def client_address(request) -> str:
    """The address that sign-in failures are counted by: REMOTE_ADDR; with TRUSTED_PROXY_COUNT
    proxies in front, the address the outermost of them saw, the N-th entry from the right of
    X-Forwarded-For (each proxy appends what it saw; entries left of those were written by the
    client and are not believed)."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    return hops[-count] if len(hops) >= count else remote
