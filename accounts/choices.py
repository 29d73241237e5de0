from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import Role  # the roles live in core: every app speaks of them


class StreetKind(models.TextChoices):
    SUBDISTRICT = "subdistrict", _("Subdistrict (街道)")
    TOWN = "town", _("Town (镇)")
    TOWNSHIP = "township", _("Township (乡)")


class CommunityKind(models.TextChoices):
    COMMUNITY = "community", _("Community (社区)")
    VILLAGE = "village", _("Village (村)")


class DepartmentKind(models.TextChoices):
    ENFORCEMENT = "enforcement", _("Enforcement")
    FUNCTIONAL = "functional", _("Functional")
    PUBLIC_SERVICE = "public_service", _("Public service")


class StationMode(models.TextChoices):
    """The 1+4+N: the street's own enforcement team, four stationed, N on call."""

    RESIDENT = "resident", _("1 · resident")
    STATIONED = "stationed", _("4 · stationed")
    ON_CALL = "on_call", _("N · on call")


class StaffingForm(models.TextChoices):
    """区属、街管、街用: on whose books, managed and used by the street."""

    DISTRICT_OWNED = "district_owned", _("District-owned, street-managed, street-used")


class UnitType(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street or township")
    DEPARTMENT = "department", _("Department")


# The kind of unit each role belongs to: one source for the membership constraint.
ROLE_UNIT = {
    Role.STREET_OFFICIAL: UnitType.STREET,
    Role.COMMITTEE_MEMBER: UnitType.STREET,
    Role.DEPARTMENT_DISPATCHER: UnitType.DEPARTMENT,
    Role.DISTRICT_REVIEWER: UnitType.DISTRICT,
    Role.DISTRICT_ADMIN: UnitType.DISTRICT,
    Role.HOTLINE_OPERATOR: UnitType.CITY,
    Role.ALLEY_CHIEF: UnitType.STREET,
}


class Power(models.TextChoices):
    """The powers a street's party committee may be granted (domain.md): the four of the
    city-wide grant and Pinggu's veto. Each value is also the codename of the object
    permission it gives, on the objects it governs."""

    COORDINATE_DEPARTMENTS = (
        "coordinate_departments",
        _("Coordinate and supervise (统筹协调和督办权)"),
    )
    ADVISE_MAJOR_MATTER = "advise_major_matter", _("Advise on major matters (意见建议权)")
    RECOMMEND_PERSONNEL = "recommend_personnel", _("Recommend on personnel (人事建议权)")
    ASSESS_STATIONED_STAFF = "assess_stationed_staff", _("Assess stationed staff (日常管理考核权)")
    VETO_DEPARTMENT = "veto_department", _("Veto (否决权)")


class TimelineEventType(models.TextChoices):
    POWER_GRANTED = "power_granted", _("Power granted")
    POWER_REVOKED = "power_revoked", _("Power revoked")
    ORDER_ISSUED = "order_issued", _("Supervision order issued")
    ORDER_ANSWERED = "order_answered", _("Supervision order answered")
    ORDER_OVERDUE = "order_overdue", _("Supervision order overdue")
    MATTER_PUBLISHED = "matter_published", _("Major matter published")
    OPINION_SUBMITTED = "opinion_submitted", _("Opinion submitted")
    OPINION_ANSWERED = "opinion_answered", _("Opinion answered")
    PERSONNEL_RECOMMENDED = "personnel_recommended", _("Personnel recommendation made")
    PERSONNEL_ANSWERED = "personnel_answered", _("Personnel recommendation answered")
    PERSONNEL_OVERDUE = "personnel_overdue", _("Personnel recommendation overdue")
    OFFICER_RECORDED = "officer_recorded", _("Daily record of a stationed officer")
    OFFICER_ASSESSED = "officer_assessed", _("Stationed officer assessed")
    SCORE_ADJUSTED = "score_adjusted", _("Department score adjusted")
    SCORE_CONFIRMED = "score_confirmed", _("Department score confirmed")
    REQUEST_RECEIVED = "request_received", _("Request received")
    REQUEST_DISPATCHED = "request_dispatched", _("Request dispatched to the street")
    REQUEST_ACCEPTED = "request_accepted", _("Request accepted")
    REQUEST_CONTACTED = "request_contacted", _("Citizen contacted")
    REQUEST_REPLIED = "request_replied", _("Request replied")
    REQUEST_RETURNED = "request_returned", _("Request returned")
    REQUEST_OVERDUE = "request_overdue", _("Request deadline missed")
    REQUEST_CALLED_BACK = "request_called_back", _("Citizen called back")
    REQUEST_REOPENED = "request_reopened", _("Request reopened")
    REQUEST_CLOSED = "request_closed", _("Request closed")
    REQUEST_WHISTLE = "request_whistle", _("Whistle blown for the request")
    REQUEST_PHOTO = "request_photo", _("Photo added to the request")
    # the front line (community/): never a steward's phone or address
    ALLEY_CREATED = "alley_created", _("Alley created")
    CHIEF_ASSIGNED = "chief_assigned", _("Alley chief assigned")
    STEWARD_RECRUITED = "steward_recruited", _("Alley steward recruited")
    STEWARD_LEFT = "steward_left", _("Alley steward left")
    ALLEY_ADOPTED = "alley_adopted", _("Alley adopted by a steward")
    ADOPTION_ENDED = "adoption_ended", _("Adoption of an alley ended")
    REPORT_FILED = "report_filed", _("Front-line report filed")
    REPORT_ACCEPTED = "report_accepted", _("Front-line report accepted")
    REPORT_RESOLVED = "report_resolved", _("Front-line report fixed by the street")
    REPORT_WHISTLE = "report_whistle", _("Whistle blown for the report")
    REPORT_ORDER = "report_order", _("Supervision order issued for the report")
    REPORT_OVERDUE = "report_overdue", _("Front-line report left untouched")
    REPORT_OUTCOME = "report_outcome", _("Outcome of the report")
    PATROL_RECORDED = "patrol_recorded", _("Patrol recorded")
    STAFF_ASSIGNED = "staff_assigned", _("Assigned to the community")
    STAFF_ENDED = "staff_ended", _("Assignment to the community ended")
    TASK_ADDED = "task_added", _("Commissioner's task added")
    TASK_DONE = "task_done", _("Commissioner's task done")
    HOUSEHOLDS_SET = "households_set", _("Households counted")
    VISIT_RECORDED = "visit_recorded", _("Household visit recorded")
    # 双报到 (community/): never a member's phone or address
    UNIT_REGISTERED = "unit_registered", _("Unit registered with the street")
    UNIT_CONFIRMED = "unit_confirmed", _("Unit's registration confirmed")
    MEMBER_REGISTERED = "member_registered", _("Party member registered with the community")
    MEMBER_CONFIRMED = "member_confirmed", _("Party member's registration confirmed")
    MEMBER_ENDED = "member_ended", _("Party member's registration ended")
    NEED_PUBLISHED = "need_published", _("Need published")
    SPACE_ADDED = "space_added", _("Culture space added")
    ACTIVITY_PUBLISHED = "activity_published", _("Service activity published")
    ACTIVITY_CANCELLED = "activity_cancelled", _("Service activity cancelled")
    SIGNED_UP = "signed_up", _("Signed up for an activity")
    SIGN_UP_CANCELLED = "sign_up_cancelled", _("Sign-up cancelled")
    CHECKED_IN = "checked_in", _("Checked in at an activity")
    COMMITTEE_CREATED = "committee_created", _("Coordination committee set up")
    COMMITTEE_MEMBER_ADDED = "committee_member_added", _("Member of the committee added")
    MEETING_HELD = "meeting_held", _("Committee meeting recorded")
    FOLLOW_UP_DONE = "follow_up_done", _("Follow-up item done")
    FOLLOW_UP_OVERDUE = "follow_up_overdue", _("Follow-up item overdue")
    RESOURCE_LISTED = "resource_listed", _("Resource listed")
    NEED_LISTED = "need_listed", _("Need listed")
    PROJECT_MATCHED = "project_matched", _("Project matched")
    PROJECT_UPDATED = "project_updated", _("Project updated")
    EXCHANGE_RECORDED = "exchange_recorded", _("Two-way exchange recorded")
    EVALUATION_GIVEN = "evaluation_given", _("Two-way evaluation given")
    EVALUATIONS_PUBLISHED = "evaluations_published", _("Two-way evaluations published")
    EMPLOYER_REPORT = "employer_report", _("Report to the employer generated")
    DUTY_LIST_PUBLISHED = "duty_list_published", _("Duty list published")
    OFFICE_ADDED = "office_added", _("Office of the street added")
    OFFICE_CHANGED = "office_changed", _("Office of the street changed")
    ASSIGNED_TO_OFFICE = "assigned_to_office", _("Assigned to an office")
    DUTY_ITEM_CITED = "duty_item_cited", _("Duty item cited")
    CAMPAIGN_CREATED = "campaign_created", _("Campaign set up")
    CAMPAIGN_CHANGED = "campaign_changed", _("Campaign changed")
    CAMPAIGN_ENDED = "campaign_ended", _("Campaign ended")
    CAMPAIGN_POST_ADDED = "campaign_post_added", _("Command post or party branch member added")
    CAMPAIGN_LINKED = "campaign_linked", _("Put into a campaign")
    COUNTER_SET = "counter_set", _("Campaign result recorded")
    READING_RECORDED = "reading_recorded", _("Campaign indicator recorded")


class DutyRole(models.TextChoices):
    """The street's part in a duty of its list (街道职责清单)."""

    LEAD = "lead", _("Lead / undertake (负责/承担)")
    ORGANISE = "organise", _("Organise / coordinate (组织/协调)")
    ASSIST = "assist", _("Take part / assist (参与/协助)")


class OfficeKind(models.TextChoices):
    """六办一队三中心: the street's offices, its enforcement team, its centres."""

    OFFICE = "office", _("Office (办)")
    TEAM = "team", _("Enforcement team (队)")
    CENTRE = "centre", _("Centre (中心)")


class CampaignRole(models.TextChoices):
    COMMANDER = "commander", _("Commander")
    DEPUTY_COMMANDER = "deputy_commander", _("Deputy commander")
    POST_MEMBER = "post_member", _("Member of the command post")
    BRANCH_SECRETARY = "branch_secretary", _("Secretary of the temporary party branch")
    BRANCH_MEMBER = "branch_member", _("Member of the temporary party branch")
