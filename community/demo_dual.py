"""The demo of 双报到 and co-governance: units stationed in 龙潭街道 and 金海湖镇 registered with
their street; in-service party members registered with their communities (one awaiting
confirmation, one who moved); culture spaces, needs and service activities, past ones with
check-ins and hours and coming ones with places left; a committee per level with members, a
meeting with follow-ups, the three lists with a project matched from a need, exchanges and a
published mutual evaluation. Built through the services where the present allows it; a second
run writes nothing."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.demo import fake_name, fake_phone
from accounts.models import Community, District, Street, User
from core.periods import BEIJING

from . import cogovern, dual
from .models import (
    Committee,
    MemberRegistration,
    PartyMember,
    PartyUnit,
    ServiceActivity,
    SignUp,
)

MEMBER = "member_longtan"  # an in-service party member of 夕照寺社区 (README)
UNIT_CONTACT = "unit_longtan"  # the contact of 北京京城机电有限公司's party committee (README)
# street → (unit name, party organisation, kind, central)
UNITS = {
    ("东城区", "龙潭街道"): [
        ("北京京城机电有限公司", "北京京城机电有限公司党委", "state_enterprise", False),
        ("北京市第五十中学分校", "北京市第五十中学分校党支部", "school", False),
        ("龙潭科创有限公司", "龙潭科创有限公司党支部", "private_enterprise", False),
        ("中国某科学研究院", "中国某科学研究院机关党委", "government", True),
        ("龙潭社会工作服务中心", "龙潭社会工作服务中心党支部", "social_org", False),
    ],
    ("平谷区", "金海湖镇"): [
        ("金海湖风景区管理处", "金海湖风景区管理处党支部", "government", False),
        ("平谷某农业合作社", "平谷某农业合作社党支部", "private_enterprise", False),
    ],
}
MEMBERS = {("东城区", "龙潭街道"): 40, ("平谷区", "金海湖镇"): 10}
SPACES = {
    "夕照寺社区": [("夕照寺社区客厅", "living_room")],
    "光明社区": [("光明阅读空间", "reading")],
    "板厂南里社区": [("板厂南里活动室", "hall")],
    "龙潭北里社区": [("龙潭北里社区客厅", "living_room")],
    "金海湖社区": [("金海湖社区活动室", "hall")],
}
NEEDS = [
    ("独居老人陪伴", "elderly"),
    ("青少年课后托管", "children"),
    ("法律咨询进社区", "legal"),
]
ACTIVITIES = ["陪伴独居老人", "社区环境清洁", "青少年课后辅导", "法律知识讲座", "垃圾分类宣传"]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), BEIJING)


@transaction.atomic
def seed() -> dict:
    if PartyUnit.objects.exists():  # loaded before: nothing to write
        return _counts()
    admin = User.objects.filter(username="admin").first()
    hashed = admin.password if admin else "!"
    today = timezone.localdate(timezone.now(), BEIJING)
    for (district, street_name), units in UNITS.items():
        street = Street.objects.filter(district__name=district, name=street_name).first()
        if street is not None:
            _street(street, units, MEMBERS[(district, street_name)], hashed, today)
    return _counts()


def _counts() -> dict:
    return {
        "party units": PartyUnit.objects.count(),
        "party members": PartyMember.objects.count(),
        "service activities": ServiceActivity.objects.count(),
        "committees": Committee.objects.count(),
    }


def _official(street) -> User:
    return User.objects.get(
        username="street_longtan" if street.short_name == "龙潭" else "street_jinhaihu"
    )


def _street(street, units, n_members, hashed, today) -> None:
    official = _official(street)
    prefix = "longtan" if street.short_name == "龙潭" else "jinhaihu"
    made = []
    for name, organisation, kind, central in units:
        registration = dual.register_unit(
            official, street=street, name=name, party_organisation=organisation, kind=kind,
            central=central, contact_name=fake_name(name, "contact"),
            contact_phone=fake_phone(name, "contact"),
        )  # fmt: skip
        dual.confirm_unit(official, registration)
        made.append(registration.unit)
    if prefix == "longtan":
        contact, _c = User.objects.get_or_create(
            username=UNIT_CONTACT, defaults={"full_name": "孙立军", "password": hashed}
        )
        PartyUnit.objects.filter(pk=made[0].pk).update(contact_user=contact)
    communities = list(Community.objects.filter(street=street).order_by("id"))
    registrations = []
    for i in range(1, n_members + 1):
        username = MEMBER if (prefix == "longtan" and i == 1) else f"{prefix}_member_{i:02d}"
        user, _c = User.objects.get_or_create(
            username=username,
            defaults={"full_name": fake_name(prefix, "member", str(i)), "password": hashed},
        )
        community = communities[0] if i == 1 else communities[i % len(communities)]
        registrations.append(
            dual.register_member(
                user,
                community=community,
                employer=made[i % len(made)],
                name=user.full_name,
                phone=fake_phone(prefix, "member", str(i)),
                address=f"{community.name}{i % 12 + 1}号楼",
            )
        )
    staff_of = {c.pk: official for c in communities}
    for registration in registrations[:-1]:  # the last awaits its confirmation
        dual.confirm_member(staff_of[registration.community_id], registration)
    if len(registrations) > 3:  # one moved: the history shows both
        mover = registrations[2]
        target = next(c for c in communities if c.pk != mover.community_id)
        moved = dual.move_member(mover.member.user, mover, community=target)
        dual.confirm_member(official, moved)
    # registered since mid-October (this quarter): the confirmations' dates
    since = timezone.now() - timedelta(days=50)
    MemberRegistration.objects.filter(street=street).update(registered_at=since)
    MemberRegistration.objects.filter(street=street, confirmed_at__isnull=False).update(
        confirmed_at=since + timedelta(days=1)
    )
    _activities(street, communities, official, today)
    _committees(street, communities, official, made, today)


def _activities(street, communities, official, today) -> None:
    """Past activities with check-ins and hours (loaded as rows: the services refuse to sign
    up for what is over), and coming ones with places left."""
    for n, community in enumerate(communities):
        for name, kind in SPACES.get(community.name, []):
            space = dual.add_space(official, community, name=name, kind=kind, capacity=40)
        if community.name not in SPACES:
            space = None
        needs = [
            dual.publish_need(official, community, title=title, category=category)
            for title, category in NEEDS[: 2 + n % 2]
        ]
        members = list(
            PartyMember.objects.filter(
                registrations__community=community, registrations__status="confirmed"
            ).order_by("id")
        )
        for k, title in enumerate(ACTIVITIES):
            past = k < 3
            day = today - timedelta(days=7 * (k + 1)) if past else today + timedelta(days=3 + k)
            activity = dual.publish_activity(
                official, community, title=title, starts_at=_at(day, 9), ends_at=_at(day, 11),
                capacity=10, space=space, place="" if space else community.name,
                need=needs[k % len(needs)],
            )  # fmt: skip
            if past:
                ServiceActivity.objects.filter(pk=activity.pk).update(
                    published_at=_at(day - timedelta(days=5), 10)
                )
                attended = members[k::2][:6]
                SignUp.objects.bulk_create(
                    [
                        SignUp(
                            activity=activity,
                            member=m,
                            signed_up_at=_at(day - timedelta(days=2), 12),
                            checked_in_at=_at(day, 9) if j % 5 else None,
                            checked_in_by=official if j % 5 else None,
                            hours=Decimal("2.0") if j % 5 else None,
                        )
                        for j, m in enumerate(attended, start=1)
                    ]
                )
            elif members:
                dual.sign_up(members[0].user, activity)


def _committees(street, communities, official, units, today) -> None:
    committee = cogovern.create_committee(
        official, level="street", street=street, name=f"{street.name}党建协调委员会",
        director_name=fake_name(street.name, "director"), director_title=f"{street.district.name}委常委",
    )  # fmt: skip
    members = [
        cogovern.add_member(
            official,
            committee,
            organisation="",
            representative=fake_name(u.name, "rep"),
            post="党组织书记",
            unit=u,
        )
        for u in units
    ]
    first = communities[0]
    cogovern.create_committee(
        official, level="community", community=first, name=f"{first.name}党建协调委员会",
        director_name=fake_name(first.name, "director"), director_title=f"{street.name}党工委委员",
    )  # fmt: skip
    if street.short_name == "龙潭":
        district = District.objects.get(name="东城区")
        admin = User.objects.get(username="district_dongcheng")
        cogovern.create_committee(
            admin, level="district", district=district, name="东城区党建协调委员会",
            director_name="区委书记", director_title="北京市委委员", director_from_above=True,
        )  # fmt: skip
    meeting = cogovern.hold_meeting(
        official, committee, held_at=_at(today - timedelta(days=20), 14), agenda="共驻共建年度议题",
        decisions="建立资源、需求、项目三张清单", present=members[:-1],
        follow_ups=[
            ("开放单位活动场地", members[0], timezone.now() + timedelta(days=10)),
            ("汇总居民需求", members[-1], timezone.now() + timedelta(days=20)),
        ],
    )  # fmt: skip
    cogovern.complete_follow_up(official, meeting.follow_ups.order_by("id").first(), note="已开放")
    venue = cogovern.list_resource(
        official, committee, unit=units[0], category="venue", title="单位礼堂（可容纳200人）",
        capacity="200人", latitude="39.8795", longitude="116.4412",
    )  # fmt: skip
    cogovern.list_resource(
        official, committee, unit=units[1 % len(units)], category="volunteers",
        title="青年志愿者服务队", capacity="30人",
    )  # fmt: skip
    need = cogovern.list_need(
        official, committee, source="community", category="venue", title="老年合唱团排练场地",
        latitude="39.8801", longitude="116.4420",
    )  # fmt: skip
    cogovern.list_need(
        official, committee, source="unit", unit=units[-1], category="volunteers",
        title="社区实践岗位",
    )  # fmt: skip
    project = cogovern.match_project(
        official, committee, need=need, resources=[venue], title="单位礼堂向社区开放",
        owner=members[0],
    )  # fmt: skip
    cogovern.update_project(official, project, status="running")
    cogovern.record_exchange(
        official, committee, unit=units[0], direction="to_unit", is_service=True,
        held_on=today - timedelta(days=12), subject="社区为单位职工子女开设暑托班",
    )  # fmt: skip
    cogovern.record_exchange(
        official, committee, unit=units[0], direction="from_unit", is_service=False,
        held_on=today - timedelta(days=5), subject="共建联席会沟通",
    )  # fmt: skip
    previous = (
        f"{today.year}-Q{(today.month - 1) // 3}" if today.month > 3 else f"{today.year - 1}-Q4"
    )
    for unit in units[:2]:
        cogovern.evaluate(
            official, committee, unit=unit, period=previous, direction="to_unit", score=5
        )
    cogovern.publish_evaluations(official, committee, previous)
