"""The powers' objects in the administration: read only (every change goes through the
services, which check the power and record the timeline)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import (
    MajorMatter,
    OfficerAssessment,
    OfficerRecord,
    Opinion,
    PersonnelRecommendation,
    SupervisionOrder,
)


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnlyAdmin):
    list_display = (
        "title",
        "street",
        "department",
        "issued_at",
        "deadline",
        "overdue_at",
        "answered_at",
    )
    list_filter = ("street__district",)
    list_select_related = ("street", "department")
    search_fields = ("title",)


@admin.register(MajorMatter)
class MajorMatterAdmin(ReadOnlyAdmin):
    list_display = ("title", "district", "published_at", "opinions_until")
    list_select_related = ("district",)
    search_fields = ("title",)


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ("matter", "street", "submitted_at", "answered_at")
    list_select_related = ("matter", "street")


@admin.register(PersonnelRecommendation)
class PersonnelRecommendationAdmin(ReadOnlyAdmin):
    list_display = ("agency", "action", "subject", "recommended_at", "deadline", "answered_at")
    list_select_related = ("agency",)


@admin.register(OfficerRecord)
class OfficerRecordAdmin(ReadOnlyAdmin):
    list_display = ("officer", "date", "kind", "street")
    list_select_related = ("officer", "street")


@admin.register(OfficerAssessment)
class OfficerAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("officer", "period", "score", "grade", "street")
    list_select_related = ("officer", "street")
