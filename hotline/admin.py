from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import CallBack, Open311Key, RequestCategory, ServiceRequest


@admin.register(RequestCategory)
class RequestCategoryAdmin(admin.ModelAdmin):
    """The categories and their deadlines are configured here."""

    list_display = ("code", "name", "group", "response_hours", "resolution_hours", "active")
    list_editable = ("response_hours", "resolution_hours", "active")
    search_fields = ("code", "name")


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "created_at")
    readonly_fields = ("created_at",)


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ("number", "category", "street", "status", "received_at")
    list_filter = ("status", "channel", "category")
    search_fields = ("number",)
    list_select_related = ("category", "street")
    exclude = ("citizen_name", "citizen_phone", "citizen_email")


@admin.register(CallBack)
class CallBackAdmin(ReadOnlyAdmin):
    list_display = (
        "request",
        "called_at",
        "reached",
        "contacted",
        "resolved",
        "satisfaction",
        "latest",
    )
    list_select_related = ("request",)
