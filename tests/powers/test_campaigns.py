"""Campaigns (专项行动, docs/campaigns.md): the services and their bad input, the figures
(day count, the departments' check-in record), the timeline, who may, and flat query counts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import campaigns as accounts_campaigns
from accounts.choices import CampaignRole, TimelineEventType
from accounts.models import (
    Campaign,
    CampaignCounter,
    Department,
    IndicatorReading,
    Street,
    TimelineEvent,
)
from accounts.services import timeline
from dispatch import services as loop
from dispatch.models import CheckIn
from powers import campaigns
from powers import demo as campaign_demo
from whistle.choices import EventType

pytestmark = pytest.mark.django_db


@pytest.fixture
def jinhaihu(demo):
    return Street.objects.get(name="金海湖镇")


@pytest.fixture
def campaign(demo, jinhaihu):
    return accounts_campaigns.create_campaign(
        demo["district_pinggu"],
        name="测试行动",
        district=jinhaihu.district,
        streets=[jinhaihu],
        starts_on=datetime.date(2026, 1, 1),
    )


def _blow(demo, street, username="street_jinhaihu", names=("平谷区城管执法局", "平谷公安分局")):
    return loop.blow_whistle(
        demo[username],
        street=street,
        kind="enforcement",
        category="other",
        title="联合执法",
        location="测试地点",
        departments=list(Department.objects.filter(name__in=names)),
    )


def test_the_demo_campaign(demo):
    c = Campaign.objects.get(name="双安双打")
    assert campaigns.day_count(c) == 117  # 2017-04-01 .. 2017-07-26, both days counted
    assert [s.name for s in c.streets.all()] == ["金海湖镇"]
    counters = {x.name: (x.value, x.unit, x.source) for x in c.counters.all()}
    assert counters["行政立案"] == (Decimal(17), "件", "平谷区城管执法局")
    assert counters["刑事拘留犯罪嫌疑人"] == (Decimal(10), "人", "平谷公安分局")
    last = IndicatorReading.objects.filter(indicator__campaign=c).order_by("on").last()
    assert (last.value, last.label) == (Decimal(2), "II类")
    roles = set(c.posts.values_list("role", flat=True))
    assert {
        CampaignRole.COMMANDER,
        CampaignRole.BRANCH_SECRETARY,
        CampaignRole.POST_MEMBER,
    } <= roles
    before = TimelineEvent.objects.count()
    campaign_demo.seed()  # a second run writes nothing
    assert TimelineEvent.objects.count() == before


def test_day_count_running_and_ended(campaign):
    assert campaigns.day_count(campaign, today=datetime.date(2026, 1, 1)) == 1
    assert campaigns.day_count(campaign, today=datetime.date(2026, 1, 31)) == 31
    campaign.ends_on = datetime.date(2026, 1, 10)
    assert campaigns.day_count(campaign, today=datetime.date(2026, 12, 31)) == 10


def test_end_before_start_is_refused_naming_ends_on(demo, jinhaihu):
    count = Campaign.objects.count()
    with pytest.raises(ValidationError) as exc:
        accounts_campaigns.create_campaign(
            demo["district_pinggu"],
            name="倒序",
            district=jinhaihu.district,
            streets=[jinhaihu],
            starts_on=datetime.date(2026, 5, 2),
            ends_on=datetime.date(2026, 5, 1),
        )
    assert "ends_on" in exc.value.message_dict
    assert Campaign.objects.count() == count


def test_api_bad_input_is_400_naming_the_field(demo, api, campaign, jinhaihu):
    admin = api("district_pinggu")
    count = Campaign.objects.count()
    answer = admin.post(
        "/api/v1/campaigns/",
        {"name": "倒序", "district": jinhaihu.district_id, "streets": [jinhaihu.pk],
         "starts_on": "2026-05-02", "ends_on": "2026-05-01"},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 400 and "ends_on" in answer.json()
    assert Campaign.objects.count() == count
    events = TimelineEvent.objects.count()
    answer = api("street_jinhaihu").post(
        f"/api/v1/campaigns/{campaign.pk}/counters/",
        {"name": "立案", "value": "3", "unit": "件", "source": ""},
        format="json",
    )
    assert answer.status_code == 400 and "source" in answer.json()
    assert not CampaignCounter.objects.filter(campaign=campaign).exists()
    other = _blow(demo, Street.objects.get(name="龙潭街道"), "street_longtan", ["东城区城管执法局"])
    answer = api("admin").post(
        f"/api/v1/campaigns/{campaign.pk}/whistles/", {"whistle": other.pk}, format="json"
    )
    assert answer.status_code == 400 and "whistle" in answer.json()
    other.refresh_from_db()
    assert other.campaign_id is None
    assert TimelineEvent.objects.count() == events


def test_counter_without_source_names_source(demo, campaign):
    with pytest.raises(ValidationError) as exc:
        accounts_campaigns.set_counter(
            demo["street_jinhaihu"], campaign, name="立案", value=3, unit="件", source=" "
        )
    assert "source" in exc.value.message_dict
    assert not CampaignCounter.objects.filter(campaign=campaign).exists()


def test_whistle_of_another_street_names_whistle(demo, campaign):
    other = _blow(demo, Street.objects.get(name="龙潭街道"), "street_longtan", ["东城区城管执法局"])
    with pytest.raises(ValidationError) as exc:
        campaigns.link_whistle(demo["admin"], campaign, other)
    assert "whistle" in exc.value.message_dict
    other.refresh_from_db()
    assert other.campaign_id is None


def test_each_change_is_on_the_timeline(demo, campaign, jinhaihu):
    commander = demo["street_jinhaihu"]
    admin = demo["district_pinggu"]
    accounts_campaigns.add_post(admin, campaign, user=commander, role=CampaignRole.COMMANDER)
    accounts_campaigns.change_campaign(admin, campaign, aims="打击盗采")
    accounts_campaigns.set_counter(
        commander, campaign, name="立案", value=3, unit="件", source="城管"
    )
    accounts_campaigns.set_counter(commander, campaign, name="立案", value=5)
    accounts_campaigns.set_counter(commander, campaign, name="立案", value=5)  # unchanged
    indicator = accounts_campaigns.add_indicator(commander, campaign, name="水质", source="监测站")
    accounts_campaigns.record_reading(
        commander, indicator, on=datetime.date(2026, 1, 31), value=2, label="II类"
    )
    whistle = _blow(demo, jinhaihu)
    campaigns.link_whistle(commander, campaign, whistle)
    accounts_campaigns.end_campaign(admin, campaign, datetime.date(2026, 2, 1))
    types = [e.type for e in timeline(campaign).order_by("at", "id")]
    assert types == [
        TimelineEventType.CAMPAIGN_CREATED,
        TimelineEventType.CAMPAIGN_POST_ADDED,
        TimelineEventType.CAMPAIGN_CHANGED,
        TimelineEventType.COUNTER_SET,
        TimelineEventType.COUNTER_SET,
        TimelineEventType.CAMPAIGN_CHANGED,  # the indicator followed
        TimelineEventType.READING_RECORDED,
        TimelineEventType.CAMPAIGN_LINKED,
        TimelineEventType.CAMPAIGN_ENDED,
    ]
    assert whistle.events.filter(type=EventType.CAMPAIGN_LINKED).count() == 1
    counter = CampaignCounter.objects.get(campaign=campaign)
    assert (counter.value, counter.updated_by) == (5, commander)


def test_who_may(demo, campaign, jinhaihu):
    with pytest.raises(PermissionDenied):  # a street official does not set up or change
        accounts_campaigns.change_campaign(demo["street_jinhaihu"], campaign, aims="x")
    with pytest.raises(PermissionDenied):  # a department (not on the command post) records not
        accounts_campaigns.set_counter(
            demo["dept_pg_police"], campaign, name="a", value=1, unit="件", source="s"
        )
    with pytest.raises(PermissionDenied):  # another district's administrator
        accounts_campaigns.end_campaign(demo["district_dongcheng"], campaign)
    accounts_campaigns.add_post(
        demo["district_pinggu"], campaign, user=demo["dept_pg_police"],
        role=CampaignRole.DEPUTY_COMMANDER,
    )  # fmt: skip
    accounts_campaigns.set_counter(  # a deputy commander records
        demo["dept_pg_police"], campaign, name="a", value=1, unit="件", source="s"
    )


def test_pages_404_outside_403_without_the_right(demo, client, campaign):
    url = reverse("powers:campaign", args=[campaign.pk])
    client.force_login(demo["street_longtan"])
    assert client.get(url).status_code == 404
    client.force_login(demo["dept_pg_police"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"form": "counter"}).status_code == 403
    client.force_login(demo["street_jinhaihu"])
    answer = client.post(
        url, {"form": "counter", "counter-name": "立案", "counter-value": "2", "counter-unit": "件"}
    )
    assert answer.status_code == 200  # the form again, the source named
    assert "source" in answer.context["forms"]["counter"].errors
    assert not CampaignCounter.objects.filter(campaign=campaign).exists()
    answer = client.post(
        url,
        {"form": "counter", "counter-name": "立案", "counter-value": "2", "counter-unit": "件",
         "counter-source": "城管"},
    )  # fmt: skip
    assert answer.status_code == 302
    assert client.get(reverse("powers:campaigns")).status_code == 200


def test_departments_record_from_raw_check_ins(demo, campaign, jinhaihu):
    commander = demo["street_jinhaihu"]
    first, second = _blow(demo, jinhaihu), _blow(demo, jinhaihu)
    for w in (first, second):
        campaigns.link_whistle(commander, campaign, w)
    _blow(demo, jinhaihu)  # not in the campaign: not counted
    police = first.check_ins.get(department__name="平谷公安分局")
    loop.arrive(demo["dept_pg_police"], police)  # on time
    late = second.check_ins.get(department__name="平谷公安分局")
    CheckIn.objects.filter(pk=late.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))
    loop.arrive(demo["dept_pg_police"], CheckIn.objects.get(pk=late.pk))  # late
    never = second.check_ins.get(department__name="平谷区城管执法局")
    CheckIn.objects.filter(pk=never.pk).update(overdue_at=timezone.now())
    expected = {}
    for c in CheckIn.objects.filter(whistle__campaign=campaign).select_related("department"):
        row = expected.setdefault(c.department.name, [0, 0, 0, 0])
        row[0] += 1
        if c.checked_in_at is not None:
            row[1 if c.checked_in_at <= c.deadline else 2] += 1
        elif c.overdue_at is not None:
            row[3] += 1
    got = {
        r.name: [r.summoned, r.on_time, r.late, r.never_arrived]
        for r in campaigns.figures(campaign)["departments"]
    }
    assert got == expected
    assert got["平谷公安分局"] == [2, 1, 1, 0]
    assert got["平谷区城管执法局"] == [2, 0, 0, 1]


def test_query_count_does_not_grow_with_whistles(demo, client, api, campaign, jinhaihu):
    commander = demo["street_jinhaihu"]
    url = reverse("powers:campaign", args=[campaign.pk])
    client.force_login(commander)
    rest = api("street_jinhaihu")

    def counts():
        found = []
        for get in (lambda: client.get(url), lambda: rest.get(f"/api/v1/campaigns/{campaign.pk}/")):
            with CaptureQueriesContext(connection) as queries:
                assert get().status_code == 200
            found.append(len(queries))
        return found

    campaigns.link_whistle(commander, campaign, _blow(demo, jinhaihu))
    before = counts()
    for _ in range(4):
        campaigns.link_whistle(commander, campaign, _blow(demo, jinhaihu))
    assert counts() == before
