"""Read only: evaluations, vetoes and scores change through the services (and the timeline)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import DepartmentScore, Evaluation, EvaluationWindow


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ("whistle", "department", "status", "timeliness", "veto_status", "evaluated_at")
    list_filter = ("status", "timeliness", "veto_status")
    list_select_related = ("whistle", "department")


@admin.register(EvaluationWindow)
class EvaluationWindowAdmin(ReadOnlyAdmin):
    list_display = ("whistle", "deadline", "overdue_at")
    list_select_related = ("whistle",)


@admin.register(DepartmentScore)
class DepartmentScoreAdmin(ReadOnlyAdmin):
    list_display = ("department", "period", "score", "adjusted_score", "confirmed_at")
    list_filter = ("period", "district")
    list_select_related = ("department",)
