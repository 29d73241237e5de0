"""Findings of the review of the powers, each pinned by a test."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.choices import Power, Role
from accounts.models import Street
from accounts.services import add_membership, grant_power
from powers import services
from powers.models import OfficerAssessment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "period", ["２０２５", "٢٠٢٥", "0000", "0000-01", "9999-12", "9999-Q4", "1999"]
)
def test_periods_are_ascii_and_of_this_millennium(api, officer, period):
    body = {"officer": officer.pk, "period": period, "score": "60", "grade": "competent"}
    answer = api("street_jinhaihu").post("/api/v1/officer-assessments/", body)
    assert answer.status_code == 400 and "period" in answer.json(), period
    client = Client()
    client.force_login(officer.street.committee.user_set.get(username="street_jinhaihu"))
    page = client.post(f"/powers/officers/{officer.pk}/assess/", body)
    assert page.status_code == 200, period
    assert not OfficerAssessment.objects.exists()


def test_superscript_digits_are_not_ids(demo):
    client = Client()
    client.force_login(demo["district_pinggu"])
    assert client.get("/powers/matters/", {"street": "²"}).status_code == 200
    answer = client.post("/powers/grants/", {"street": "²", "power": "veto_department"})
    assert answer.status_code == 200  # the form again, with the error on the street


def test_an_opinion_is_filed_under_the_street_whose_committee_holds_the_power(demo, streets):
    """Someone on the committees of 金海湖镇 (advice revoked) and of a street added later
    (granted), both named: the opinion is the granted street's, not the first street's."""
    from accounts.models import PowerGrant
    from accounts.services import revoke_power

    user, jinhaihu, admin = demo["street_jinhaihu"], streets["金海湖镇"], demo["district_pinggu"]
    revoke_power(
        admin,
        PowerGrant.objects.get(street=jinhaihu, power=Power.ADVISE_MAJOR_MATTER, revoked_at=None),
        "",
    )
    newer = Street.objects.create(district=jinhaihu.district, name="新设街道", kind="subdistrict")
    assert newer.pk > jinhaihu.pk  # the old code took the first named street of the person
    grant_power(admin, newer, Power.ADVISE_MAJOR_MATTER)
    add_membership(user, Role.COMMITTEE_MEMBER, newer)
    matter = services.publish_matter(
        admin,
        district=jinhaihu.district,
        title="规划",
        description="d",
        streets=[jinhaihu, newer],
        opinions_until=timezone.now() + timedelta(days=1),
    )
    opinion = services.submit_opinion(user, matter, content="意见")
    assert opinion.street == newer
