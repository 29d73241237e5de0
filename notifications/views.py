"""The in-app notifications: the list, marking read, and the bell fragment that every page
polls. Only one's own notifications: someone else's id answers 404."""

import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import services
from .models import Notification

PAGE_SIZE = 30
BELL_EVENT = "notificationsUnread"  # HX-Trigger event of the bell: {"count": n}


def _safe(request, url) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@login_required
@require_GET
def notification_list(request):
    notifications = Notification.objects.of(request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        notifications = notifications.unread()
    page = Paginator(
        notifications.only("id", "kind", "title", "body", "link", "created_at", "read_at"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def read(request, pk):
    """Mark one read; with `open`, go on to what it is about."""
    notification = services.mark_read(request.user, pk)
    if request.POST.get("open"):
        target = _safe(request, notification.link)
        if target:
            return redirect(target)
    return redirect(_safe(request, request.POST.get("next")) or "notifications:list")


@login_required
@require_POST
def read_all(request):
    services.mark_all_read(request.user)
    return redirect(_safe(request, request.POST.get("next")) or "notifications:list")


@login_required
@require_GET
def bell(request):
    """The bell with the unread count (polled by HTMX); the HX-Trigger event
    `notificationsUnread` lets a page react to a new notification (a sound, an alert)."""
    count = services.unread_count(request.user)
    response = render(request, "notifications/bell.html", {"unread_notifications": count})
    response["HX-Trigger"] = json.dumps({BELL_EVENT: {"count": count}})
    return response
