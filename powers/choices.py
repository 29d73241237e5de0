from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonnelAction(models.TextChoices):
    APPOINT = "appoint", _("Appointment (任用)")
    TRANSFER = "transfer", _("Transfer (调整)")
    REWARD = "reward", _("Reward (奖励)")
    PUNISH = "punish", _("Punishment (惩处)")


class PersonnelDecision(models.TextChoices):
    ADOPTED = "adopted", _("Adopted (采纳)")
    PARTLY = "partly", _("Partly adopted (部分采纳)")
    NOT_ADOPTED = "not_adopted", _("Not adopted, with reasons (不予采纳)")


class RecordKind(models.TextChoices):
    """Entries of the daily management of a stationed officer (日常管理)."""

    ATTENDANCE = "attendance", _("On duty (在岗)")
    ABSENCE = "absence", _("Absent (缺勤)")
    TASK = "task", _("Task done (完成任务)")
    COMMENDATION = "commendation", _("Commendation (表扬)")
    PROBLEM = "problem", _("Problem (问题)")


class AssessmentGrade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    COMPETENT = "competent", _("Competent (称职)")
    BASIC = "basic", _("Basically competent (基本称职)")
    INCOMPETENT = "incompetent", _("Incompetent (不称职)")


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Awaiting answer")
    ANSWERED = "answered", _("Answered")
    OVERDUE = "overdue", _("Overdue")
