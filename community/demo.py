"""The front line's demo data: 龙潭街道 with its alleys, chiefs and 147 stewards (118 of them
residents, as the seed says), patrols and reports of the last months, households and visits
of its communities (光明社区 below the 90% bar); 金海湖镇's villages likewise, smaller.
Deterministic (the same fake people every run); a second run writes nothing."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import _stable, fake_name, fake_phone
from accounts.models import Community, Membership, Street, User
from core.periods import BEIJING
from core.roles import Role

from .choices import (
    HouseholdSource,
    ReportCategory,
    ReportStatus,
    StaffKind,
    StewardKind,
    VisitPurpose,
)
from .models import (
    Adoption,
    Alley,
    AlleyChief,
    CommissionerTask,
    CommunityStaff,
    FrontlineReport,
    Household,
    HouseholdCount,
    Patrol,
    Steward,
    Visit,
)

# community → alleys (real names of the area where known)
ALLEYS = {
    ("东城区", "龙潭街道"): {
        "夕照寺社区": ["夕照寺街", "夕照寺中街", "夕照寺西里胡同", "幸福大街南段", "夕照寺东巷"],
        "板厂南里社区": ["板厂南里胡同", "板厂路", "左安门内大街北段", "板厂东巷", "板厂西巷"],
        "龙潭北里社区": ["龙潭路", "龙潭北里一巷", "龙潭北里二巷", "龙潭西里胡同", "法华寺街"],
        "光明社区": ["光明路", "光明东路", "光明中街", "广渠门内大街南段", "光明楼北巷"],
    },
    ("平谷区", "金海湖镇"): {
        "海子村": ["海子村东街", "海子村西街"],
        "上宅村": ["上宅村中心街", "上宅村北巷"],
        "将军关村": ["将军关村主街", "将军关关城路"],
        "茅山后村": ["茅山后村街"],
        "金海湖社区": ["金海湖路", "湖滨街"],
    },
}
# (district, street) → (stewards, residents among them, households per community, the
# community below the bar, cadres leading alleys besides the demo accounts)
SCALE = {
    ("东城区", "龙潭街道"): (147, 118, [1200, 980, 1450, 860], "光明社区", 8),
    ("平谷区", "金海湖镇"): (30, 24, [420, 380, 350, 260, 640], "将军关村", 3),
}
# the demo accounts of the front line (api-contract.md's table lists them in README)
STEWARD = "steward_longtan"  # a resident steward of 龙潭街道
CHIEF = "chief_longtan"  # a cadre of 龙潭街道 whose only role is alley chief
WORKER = "worker_longtan"  # a community worker of 夕照寺社区
OTHER_KINDS = [  # the stewards who are not residents, in turn
    StewardKind.UNIT_EMPLOYEE,
    StewardKind.UNIT_EMPLOYEE,
    StewardKind.MERCHANT,
    StewardKind.PARTY_MEMBER,
    StewardKind.OTHER,
]
TASKS = [
    "走访困难家庭",
    "楼门院治理议事会",
    "社区环境整治",
    "冬季供暖问题摸排",
    "老旧小区加装电梯意见征集",
]
FOUND = ["共享单车乱停放", "垃圾桶满溢", "占道经营", "井盖破损", "小广告", "无"]
REPORT_TEXTS = {
    ReportCategory.SANITATION: "胡同口垃圾堆放未清运",
    ReportCategory.PARKING: "机动车占用消防通道",
    ReportCategory.VENDING: "早市摊贩占道经营",
    ReportCategory.CONSTRUCTION: "院内新搭建彩钢板房",
    ReportCategory.FACILITY: "路灯不亮，夜间行人不便",
    ReportCategory.GREENERY: "行道树枯枝有坠落危险",
    ReportCategory.SAFETY: "电动车楼道内充电",
    ReportCategory.GROUP_RENTAL: "疑似群租，人员进出频繁",
}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), BEIJING)


@transaction.atomic
def seed() -> dict:
    admin = User.objects.filter(username="admin").first()
    hashed = admin.password if admin else "!"
    today = timezone.localdate(timezone.now(), BEIJING)
    for (district, street_name), communities in ALLEYS.items():
        street = Street.objects.filter(district__name=district, name=street_name).first()
        if street is None:
            continue
        _seed_street(street, communities, SCALE[(district, street_name)], hashed, today)
    return {
        "alleys": Alley.objects.count(),
        "stewards": Steward.objects.count(),
        "patrols": Patrol.objects.count(),
        "front-line reports": FrontlineReport.objects.count(),
        "household visits": Visit.objects.count(),
    }


def _user(username, full_name, hashed) -> User:
    user, _created = User.objects.get_or_create(
        username=username, defaults={"full_name": full_name, "password": hashed}
    )
    return user


def _seed_street(street, communities, scale, hashed, today) -> None:
    n_stewards, residents, households, below, n_cadres = scale
    by_name = {c.name: c for c in Community.objects.filter(street=street)}
    start = today - timedelta(days=200)
    alleys = []
    for community_name, names in communities.items():
        community = by_name.get(community_name)
        for name in names:
            alley, _c = Alley.objects.get_or_create(
                street=street,
                name=name,
                defaults={"community": community, "created_at": _at(start, 9)},
            )
            alleys.append(alley)
    short = street.short_name
    prefix = "longtan" if short == "龙潭" else "jinhaihu"

    # the chiefs: cadres of the street (a membership in it), two or three alleys each
    cadres = []
    for i in range(1, n_cadres + 1):
        user = _user(f"{prefix}_cadre_{i:02d}", fake_name(short, "cadre", str(i)), hashed)
        Membership.objects.get_or_create(user=user, role=Role.ALLEY_CHIEF, street=street)
        cadres.append(user)
    lead = {}
    if prefix == "longtan":
        chief = _user(CHIEF, "孟庆华", hashed)
        Membership.objects.get_or_create(user=chief, role=Role.ALLEY_CHIEF, street=street)
        official = User.objects.get(username="street_longtan")
        lead = {
            alleys[0].pk: official,
            alleys[5].pk: chief,
            alleys[6].pk: chief,
            alleys[10].pk: chief,
        }
    else:
        lead = {alleys[0].pk: User.objects.get(username="street_jinhaihu")}
    free = [a for a in alleys if a.pk not in lead]
    for i, alley in enumerate(free):
        lead[alley.pk] = cadres[i % len(cadres)]
    led = set(
        AlleyChief.objects.filter(alley__street=street, until=None).values_list(
            "alley_id", flat=True
        )
    )
    AlleyChief.objects.bulk_create(
        [
            AlleyChief(alley_id=pk, user=user, since=_at(start, 9))
            for pk, user in lead.items()
            if pk not in led
        ]
    )

    # the stewards: accounts of their own; the last alley of each community has none
    lonely = {names[-1] for names in communities.values()}
    adoptable = [a for a in alleys if a.name not in lonely]
    existing = set(Steward.objects.filter(street=street).values_list("user__username", flat=True))
    wanted = {}  # username → (i, name): the stewards not there yet, made in bulk
    for i in range(1, n_stewards + 1):
        username = STEWARD if (prefix == "longtan" and i == 1) else f"{prefix}_steward_{i:03d}"
        if username not in existing:
            wanted[username] = (i, fake_name(short, "steward", str(i)))
    if wanted:
        have = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        User.objects.bulk_create(
            [
                User(username=u, full_name=name, password=hashed)
                for u, (_i, name) in wanted.items()
                if u not in have
            ]
        )
        users = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
        stewards = []
        for username, (i, name) in wanted.items():
            kind = StewardKind.RESIDENT if i <= residents else OTHER_KINDS[i % len(OTHER_KINDS)]
            stewards.append(
                Steward(
                    user_id=users[username],
                    street=street,
                    kind=kind,
                    name=name,
                    phone=fake_phone(short, "steward", str(i)),
                    address=f"{street.name}{(i * 7) % 40 + 1}号院{(i % 6) + 1}单元",
                    employer="北京市第一服装厂" if kind == StewardKind.UNIT_EMPLOYEE else "",
                    recruited_on=start + timedelta(days=i % 30),
                )
            )
        Steward.objects.bulk_create(stewards)
        made = {s.user_id: s for s in Steward.objects.filter(user_id__in=users.values())}
        adoptions = []
        for username, (i, _name) in wanted.items():
            steward = made[users[username]]
            mine = [adoptable[i % len(adoptable)]]
            if i % 4 == 0:
                mine.append(adoptable[(i * 3 + 1) % len(adoptable)])
            if username == STEWARD:  # the demo steward looks after the official's and the chief's
                mine = [alleys[0], alleys[5]]
            adoptions += [
                Adoption(steward=steward, alley=a, start=steward.recruited_on)
                for a in dict.fromkeys(mine)
            ]
        Adoption.objects.bulk_create(adoptions)

    if not Patrol.objects.filter(street=street).exists():
        _history(street, alleys, lead, today)
    _households(street, by_name, households, below, cadres, hashed, today, prefix)


def _history(street, alleys, lead, today) -> None:
    """Patrols and reports of the last four months."""
    adoptions = list(
        Adoption.objects.filter(alley__street=street, end=None).select_related("steward")
    )
    patrols = []
    for n, adoption in enumerate(adoptions):
        for week in range(0, 17, 2):  # every other week for four months
            day = today - timedelta(days=week * 7 + n % 7 + 1)
            begin = _at(day, 8 + n % 10, (n * 13) % 60)
            found = FOUND[(n + week) % len(FOUND)]
            patrols.append(
                Patrol(
                    street=street,
                    alley=adoption.alley,
                    steward=adoption.steward,
                    patrolled_by_id=adoption.steward.user_id,
                    started_at=begin,
                    ended_at=begin + timedelta(minutes=30 + n % 40),
                    found="" if found == "无" else found,
                    dissuaded="劝阻占道摆卖" if (n + week) % 5 == 0 else "",
                    dissuaded_count=1 if (n + week) % 5 == 0 else 0,
                    recorded_at=begin + timedelta(hours=1),
                )
            )
    Patrol.objects.bulk_create(patrols, batch_size=1000)

    categories = list(REPORT_TEXTS)
    now = timezone.now()
    reports = []
    for n, adoption in enumerate(adoptions[::2]):
        age = timedelta(hours=3 + (n * 37) % (24 * 120))
        at = now - age
        category = categories[n % len(categories)]
        if age < timedelta(hours=20):
            status = ReportStatus.NEW
        elif n % 9 == 0:
            status = ReportStatus.NEW  # left untouched: overdue
        elif n % 7 == 0:
            status = ReportStatus.ACCEPTED
        else:
            status = ReportStatus.RESOLVED
        chief = lead.get(adoption.alley_id)
        handled = at + timedelta(hours=2 + n % 20)
        deadline = at + timedelta(hours=24)
        day = timezone.localtime(at, BEIJING).strftime("%Y%m%d")
        reports.append(
            FrontlineReport(
                number=f"JX{day}D{_stable(street.name, str(n)) % 10**6:06d}",
                street=street,
                alley=adoption.alley,
                community_id=adoption.alley.community_id,
                steward=adoption.steward,
                reported_by_id=adoption.steward.user_id,
                category=category,
                text=REPORT_TEXTS[category],
                status=status,
                reported_at=at,
                deadline=deadline,
                overdue_at=deadline if status == ReportStatus.NEW and deadline < now else None,
                accepted_at=handled if status != ReportStatus.NEW else None,
                accepted_by=chief if status != ReportStatus.NEW else None,
                handled_at=handled if status == ReportStatus.RESOLVED else None,
                handled_by=chief if status == ReportStatus.RESOLVED else None,
                outcome="已协调街道城管队清理完毕" if status == ReportStatus.RESOLVED else "",
            )
        )
    FrontlineReport.objects.bulk_create(reports, batch_size=500, ignore_conflicts=True)
    _events(street)


def _events(street) -> None:
    """The timelines of the history loaded in bulk: what the services would have written."""
    from django.contrib.contenttypes.models import ContentType

    from accounts.choices import TimelineEventType as T
    from accounts.models import TimelineEvent

    report_type = ContentType.objects.get_for_model(FrontlineReport)
    patrol_type = ContentType.objects.get_for_model(Patrol)
    events = []
    for r in FrontlineReport.objects.filter(street=street):
        common = {"street": street, "subject_type": report_type, "subject_id": r.pk}
        events.append(
            TimelineEvent(
                type=T.REPORT_FILED,
                at=r.reported_at,
                actor_id=r.reported_by_id,
                data={"alley": r.alley_id},
                **common,
            )
        )
        if r.overdue_at:
            events.append(TimelineEvent(type=T.REPORT_OVERDUE, at=r.overdue_at, **common))
        if r.accepted_at:
            events.append(
                TimelineEvent(
                    type=T.REPORT_ACCEPTED, at=r.accepted_at, actor_id=r.accepted_by_id, **common
                )
            )
        if r.status == ReportStatus.RESOLVED:
            events.append(
                TimelineEvent(
                    type=T.REPORT_RESOLVED, at=r.handled_at, actor_id=r.handled_by_id, **common
                )
            )
    events += [
        TimelineEvent(
            type=T.PATROL_RECORDED, at=p.recorded_at, actor_id=p.patrolled_by_id, street=street,
            subject_type=patrol_type, subject_id=p.pk, data={"alley": p.alley_id},
        )
        for p in Patrol.objects.filter(street=street).only("pk", "recorded_at", "patrolled_by_id", "alley_id")
    ]  # fmt: skip
    TimelineEvent.objects.bulk_create(events, batch_size=1000)


def _households(street, by_name, households, below, cadres, hashed, today, prefix) -> None:
    """Household counts of this year and visits up to today (one community below the bar);
    a commissioner per community with tasks; the demo community worker."""
    year = today.year
    for i, (name, community) in enumerate(by_name.items()):
        total = households[i % len(households)]
        HouseholdCount.objects.get_or_create(
            community=community,
            year=year,
            defaults={
                "households": total,
                "source": HouseholdSource.IMPORTED,
                "set_at": _at(date(year, 1, 5), 9),
            },
        )
        commissioner = cadres[i % len(cadres)]
        staff, _c = CommunityStaff.objects.get_or_create(
            community=community,
            user=commissioner,
            kind=StaffKind.COMMISSIONER,
            until=None,
            defaults={"since": date(year, 1, 1)},
        )
        if not CommissionerTask.objects.filter(community=community).exists():
            CommissionerTask.objects.bulk_create(
                [
                    CommissionerTask(
                        community=community,
                        assignee=staff,
                        title=TASKS[(i + k) % len(TASKS)],
                        due_on=today + timedelta(days=7 * (k + 1)),
                        created_by=commissioner,
                        created_at=_at(today - timedelta(days=30), 10),
                        done_at=_at(today - timedelta(days=3), 16) if k == 0 else None,
                        done_by=commissioner if k == 0 else None,
                    )
                    for k in range(3)
                ]
            )
        worker = None
        if prefix == "longtan" and i == 0:
            worker = _user(WORKER, "田秀英", hashed)
            CommunityStaff.objects.get_or_create(
                community=community,
                user=worker,
                kind=StaffKind.WORKER,
                until=None,
                defaults={"since": date(year, 1, 1)},
            )
        if Visit.objects.filter(community=community).exists():
            continue
        share = 0.84 if name == below else 0.91 + (i % 3) * 0.025
        visited = int(total * share)
        refs = [
            f"{(k // 24) + 1}号楼{(k // 6) % 4 + 1}单元{k % 6 + 1}0{k % 2 + 1}"
            for k in range(visited)
        ]
        Household.objects.bulk_create(
            [Household(community=community, ref=ref) for ref in refs], batch_size=1000
        )
        ids = dict(Household.objects.filter(community=community).values_list("ref", "pk"))
        days = max(1, (today - date(year, 1, 1)).days)
        purposes = list(VisitPurpose)
        by = worker or commissioner
        Visit.objects.bulk_create(
            [
                Visit(
                    community=community,
                    street=street,
                    household_id=ids[ref],
                    visited_on=date(year, 1, 1) + timedelta(days=(k * 7919) % days),
                    purpose=purposes[k % len(purposes)],
                    follow_up="协助申请居家养老服务" if k % 17 == 0 else "",
                    visited_by=by,
                    recorded_at=_at(today, 9),
                )
                for k, ref in enumerate(refs)
            ],
            batch_size=1000,
        )
