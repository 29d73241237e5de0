from django.contrib import admin

from .models import Delivery, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = (
        "channel",
        "address",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Notifications are written by the services: the admin reads them and may delete old
    ones (their deliveries go with them)."""

    list_display = ("title", "kind", "recipient", "phone", "created_at", "read_at")
    list_filter = ("kind", "deliveries__status", "deliveries__channel")
    list_select_related = ("recipient",)
    search_fields = ("title", "dedupe_key", "recipient__username", "phone")
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
