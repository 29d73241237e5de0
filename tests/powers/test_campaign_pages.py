"""The campaign pages a district's administrator and a commander use (docs/campaigns.md):
setting up and changing a campaign, posting people, ending it, following an indicator and
putting a supervision order in; bad input is a form error and saves nothing."""

import datetime

import pytest
from django.urls import reverse

from accounts import campaigns as accounts_campaigns
from accounts.choices import CampaignRole, TimelineEventType
from accounts.models import Campaign, CampaignIndicator, CampaignPost, Street, TimelineEvent
from accounts.services import timeline

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


def _form(jinhaihu, **over):
    data = {
        "name": "春季清河行动",
        "district": jinhaihu.district_id,
        "streets": [jinhaihu.pk],
        "starts_on": "2026-03-01",
        "ends_on": "",
        "aims": "清理河道",
    }
    data.update(over)
    return data


def test_a_district_administrator_sets_up_a_campaign(demo, client, jinhaihu):
    client.force_login(demo["district_pinggu"])
    page = client.get(reverse("powers:campaigns"))
    assert reverse("powers:campaign-new") in page.content.decode()
    # the form offers the administrator's own district only
    form = client.get(reverse("powers:campaign-new")).context["form"]
    assert list(form.fields["district"].queryset) == [jinhaihu.district]
    answer = client.post(reverse("powers:campaign-new"), _form(jinhaihu))
    made = Campaign.objects.get(name="春季清河行动")
    assert answer.status_code == 302
    assert answer.url == reverse("powers:campaign", args=[made.pk])
    assert list(made.streets.all()) == [jinhaihu] and made.ends_on is None
    assert [e.type for e in timeline(made)] == [TimelineEventType.CAMPAIGN_CREATED]


@pytest.mark.parametrize(
    "over, field",
    [
        ({"ends_on": "2026-02-01"}, "ends_on"),  # ends before it starts
        ({"name": "  "}, "name"),
        ({"streets": []}, "streets"),
        ({"starts_on": "2026-13-01"}, "starts_on"),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(demo, client, jinhaihu, over, field):
    client.force_login(demo["district_pinggu"])
    before = Campaign.objects.count()
    answer = client.post(reverse("powers:campaign-new"), _form(jinhaihu, **over))
    assert answer.status_code == 200
    assert field in answer.context["form"].errors
    assert answer.context["form"]["aims"].value() == "清理河道"  # what was typed stays
    assert Campaign.objects.count() == before


def test_another_districts_street_is_refused(demo, client, jinhaihu):
    longtan = Street.objects.get(name="龙潭街道")
    client.force_login(demo["district_pinggu"])
    answer = client.post(reverse("powers:campaign-new"), _form(jinhaihu, streets=[longtan.pk]))
    assert answer.status_code == 200 and "streets" in answer.context["form"].errors
    assert not Campaign.objects.filter(name="春季清河行动").exists()


def test_only_the_districts_administrators_set_up(demo, client, campaign):
    for username in ("street_jinhaihu", "dept_pg_police", "hotline_operator"):
        client.force_login(demo[username])
        assert client.get(reverse("powers:campaign-new")).status_code == 403
        assert client.get(reverse("powers:campaign-edit", args=[campaign.pk])).status_code == 403
    client.force_login(demo["district_dongcheng"])  # another district's: not in sight
    assert client.get(reverse("powers:campaign-edit", args=[campaign.pk])).status_code == 404


def test_changing_keeps_the_district_and_names_what_changed(demo, client, campaign, jinhaihu):
    client.force_login(demo["district_pinggu"])
    url = reverse("powers:campaign-edit", args=[campaign.pk])
    assert client.get(url).context["form"]["name"].value() == "测试行动"
    answer = client.post(url, _form(jinhaihu, name="测试行动二", starts_on="2026-01-01"))
    assert answer.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "测试行动二"
    changed = TimelineEvent.objects.filter(type=TimelineEventType.CAMPAIGN_CHANGED).last()
    assert changed.data["name"] == "测试行动二" and "starts_on" not in changed.data


def test_posts_end_indicator_and_order_on_the_campaign_page(demo, client, campaign, jinhaihu):
    url = reverse("powers:campaign", args=[campaign.pk])
    client.force_login(demo["district_pinggu"])
    page = client.get(url)
    people = page.context["setup_forms"]["post"].fields["user"].queryset
    assert demo["dept_pg_police"] in people and demo["street_longtan"] not in people
    answer = client.post(
        url,
        {"form": "post", "post-user": demo["street_jinhaihu"].pk,
         "post-role": CampaignRole.COMMANDER},
    )  # fmt: skip
    assert answer.status_code == 302
    assert CampaignPost.objects.filter(
        campaign=campaign, user=demo["street_jinhaihu"], role=CampaignRole.COMMANDER
    ).exists()
    # a person of another district is not offered: a form error, nothing saved
    answer = client.post(
        url,
        {"form": "post", "post-user": demo["street_longtan"].pk,
         "post-role": CampaignRole.BRANCH_MEMBER},
    )  # fmt: skip
    assert answer.status_code == 200 and "user" in answer.context["setup_forms"]["post"].errors
    assert CampaignPost.objects.filter(campaign=campaign).count() == 1

    # the commander follows an indicator; without a source it is a form error
    client.force_login(demo["street_jinhaihu"])
    answer = client.post(
        url, {"form": "indicator", "indicator-name": "水质", "indicator-source": ""}
    )
    assert answer.status_code == 200 and "source" in answer.context["forms"]["indicator"].errors
    answer = client.post(
        url,
        {"form": "indicator", "indicator-name": "水质", "indicator-unit": "类",
         "indicator-source": "区生态环境局"},
    )  # fmt: skip
    assert answer.status_code == 302
    assert CampaignIndicator.objects.get(campaign=campaign).source == "区生态环境局"
    # the commander does not end the campaign: that is the district's
    assert client.post(url, {"form": "end", "end-ends_on": "2026-02-01"}).status_code == 403

    client.force_login(demo["district_pinggu"])
    answer = client.post(url, {"form": "end", "end-ends_on": "2025-12-01"})
    assert answer.status_code == 200 and "ends_on" in answer.context["setup_forms"]["end"].errors
    campaign.refresh_from_db()
    assert campaign.ends_on is None
    assert client.post(url, {"form": "end", "end-ends_on": "2026-02-01"}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.ends_on == datetime.date(2026, 2, 1)
    types = [e.type for e in timeline(campaign)]
    assert types.count(TimelineEventType.CAMPAIGN_POST_ADDED) == 1
    assert TimelineEventType.CAMPAIGN_ENDED in types
    assert types.count(TimelineEventType.CAMPAIGN_CHANGED) == 1  # the indicator
