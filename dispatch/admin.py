from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import CheckIn


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    list_display = (
        "whistle",
        "department",
        "round",
        "status",
        "deadline",
        "checked_in_at",
        "overdue_at",
    )
    list_filter = ("status", "department__district")
    list_select_related = ("whistle", "department")
    search_fields = ("whistle__number", "department__name")
