"""The roles a person holds in a unit (accounts.Membership), and the groups of them the apps
ask about. Here, below accounts, so that every app speaks of them alike."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STREET_OFFICIAL = "street_official", _("Street official")
    COMMITTEE_MEMBER = "committee_member", _("Party committee member")
    DEPARTMENT_DISPATCHER = "department_dispatcher", _("Department dispatcher")
    DISTRICT_REVIEWER = "district_reviewer", _("District reviewer")
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    HOTLINE_OPERATOR = "hotline_operator", _("12345 hotline operator")
    # 街巷长: a street cadre whose part on the platform is the alleys they lead (community/);
    # it gives no say in the street's whistles or 12345 requests
    ALLEY_CHIEF = "alley_chief", _("Alley chief")


# the street's people: its officials and its party committee (who blow whistles, answer
# requests and hear of what happens in the street)
STREET_ROLES = (Role.STREET_OFFICIAL, Role.COMMITTEE_MEMBER)
# the front line: cadres of a street who act only in their alleys (community/)
FRONTLINE_ROLES = (Role.ALLEY_CHIEF,)
# the district's people: its reviewers and its administrators
DISTRICT_ROLES = (Role.DISTRICT_REVIEWER, Role.DISTRICT_ADMIN)
