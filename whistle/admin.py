from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Event, Whistle, WhistlePhoto


class EventInline(admin.TabularInline):
    model = Event
    fields = ("at", "type", "actor", "check_in", "data")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Whistle)
class WhistleAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "street", "kind", "category", "status", "blown_at")
    list_filter = ("status", "kind", "street__district")
    search_fields = ("number", "title", "location")
    list_select_related = ("street",)
    date_hierarchy = "blown_at"
    inlines = [EventInline]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("at", "type", "whistle", "actor", "check_in")
    list_filter = ("type",)
    list_select_related = ("whistle", "actor")
    search_fields = ("whistle__number",)


@admin.register(WhistlePhoto)
class WhistlePhotoAdmin(ReadOnlyAdmin):
    list_display = ("whistle", "content_type", "size", "uploaded_by", "uploaded_at")
    list_select_related = ("whistle", "uploaded_by")
