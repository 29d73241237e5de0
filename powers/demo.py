"""The demo's campaign (docs/campaigns.md): 双安双打 in 金海湖镇, 平谷区, 2017 — 117 days
(2017-04-01 to 2017-07-26, both days counted), 17 cases filed, 10 detained, the lake's water
quality reaching class II. Made through the services, each piece only when missing, so a
second run writes nothing. No whistles are made up for it: the demo has none from 2017."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts import campaigns
from accounts.choices import CampaignRole
from accounts.models import Campaign, CampaignPost, District, Street, User

NAME = "双安双打"
STARTS_ON = datetime.date(2017, 4, 1)
ENDS_ON = datetime.date(2017, 7, 26)  # 116 days after the start: 117 days counted inclusively
AIMS = "安全生产、安全稳定，打击盗挖盗采、打击违法犯罪。由金海湖镇党委书记任总指挥、临时党支部书记；镇吹哨后，各执法部门30分钟内报到，事不完、人不撤。"
POSTS = [  # (username, role, the department they come from)
    ("street_jinhaihu", CampaignRole.COMMANDER, False),
    ("district_pinggu", CampaignRole.DEPUTY_COMMANDER, False),
    ("dept_pg_chengguan", CampaignRole.POST_MEMBER, True),
    ("dept_pg_police", CampaignRole.POST_MEMBER, True),
    ("dept_pg_planning", CampaignRole.POST_MEMBER, True),
    ("street_jinhaihu", CampaignRole.BRANCH_SECRETARY, False),
    ("street_jinhaihu_clerk", CampaignRole.BRANCH_MEMBER, False),
]
COUNTERS = [  # (name, value, unit, source)
    ("行政立案", 17, "件", "平谷区城管执法局"),
    ("刑事拘留犯罪嫌疑人", 10, "人", "平谷公安分局"),
]
WATER = ("金海湖水质类别", "类", "平谷区生态环境局水质监测")
READINGS = [  # the month's reading: class IV in spring, class II at the end
    (datetime.date(2017, 4, 30), 4, "IV类"),
    (datetime.date(2017, 5, 31), 4, "IV类"),
    (datetime.date(2017, 6, 30), 3, "III类"),
    (datetime.date(2017, 7, 26), 2, "II类"),
]


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(18, 0)))


def seed() -> dict[str, int]:
    district = District.objects.filter(name="平谷区").first()
    street = Street.objects.filter(district=district, name="金海湖镇").first()
    users = {u.username: u for u in User.objects.filter(username__in={p[0] for p in POSTS})}
    if street is None or len(users) < len({p[0] for p in POSTS}):
        return {}
    admin, commander = users["district_pinggu"], users["street_jinhaihu"]
    campaign = Campaign.objects.filter(district=district, name=NAME).first()
    if campaign is None:
        campaign = campaigns.create_campaign(
            admin,
            name=NAME,
            district=district,
            streets=[street],
            starts_on=STARTS_ON,
            ends_on=ENDS_ON,
            aims=AIMS,
            at=_at(STARTS_ON - datetime.timedelta(days=1)),
        )
    held = set(CampaignPost.objects.filter(campaign=campaign).values_list("user_id", "role"))
    for username, role, from_department in POSTS:
        user = users[username]
        if (user.pk, role.value) in held:
            continue
        department = None
        if from_department:
            membership = user.memberships.exclude(department=None).first()
            department = membership.department if membership else None
        campaigns.add_post(admin, campaign, user=user, role=role, department=department)
    existing = set(campaign.counters.values_list("name", flat=True))
    for name, value, unit, source in COUNTERS:
        if name not in existing:
            campaigns.set_counter(
                commander, campaign, name=name, value=Decimal(value), unit=unit, source=source,
                at=_at(ENDS_ON),
            )  # fmt: skip
    indicator = campaign.indicators.filter(name=WATER[0]).first()
    if indicator is None:
        indicator = campaigns.add_indicator(
            commander, campaign, name=WATER[0], unit=WATER[1], source=WATER[2]
        )
    read = set(indicator.readings.values_list("on", flat=True))
    for on, value, label in READINGS:
        if on not in read:
            campaigns.record_reading(
                commander, indicator, on=on, value=Decimal(value), label=label, at=_at(on)
            )
    return {"campaigns": Campaign.objects.count()}
