"""The demo organisation of Beijing and the demo accounts of api-contract.md.

Streets and townships are real (accounts/data/beijing_streets_sample.csv, four in each of the
16 districts); departments follow each district's usual names; people, phone numbers and the
communities of the three demo streets are made up for the demo. `seed()` upserts by natural
keys inside one transaction, so running it twice changes nothing and a failure leaves nothing.
"""

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from .choices import CommunityKind, DepartmentKind, Power, Role, StationMode, StreetKind
from .models import (
    City,
    Community,
    Department,
    DepartmentLeader,
    DispatchedAgency,
    District,
    Membership,
    PowerGrant,
    Station,
    StationedOfficer,
    Street,
    User,
)
from .services import grant_power, sync_powers, upsert

STREETS_CSV = Path(__file__).parent / "data" / "beijing_streets_sample.csv"

DISTRICT_CODES = {
    "东城区": "110101", "西城区": "110102", "朝阳区": "110105", "丰台区": "110106",
    "石景山区": "110107", "海淀区": "110108", "门头沟区": "110109", "房山区": "110111",
    "通州区": "110112", "顺义区": "110113", "昌平区": "110114", "大兴区": "110115",
    "怀柔区": "110116", "平谷区": "110117", "密云区": "110118", "延庆区": "110119",
}  # fmt: skip


@dataclass(frozen=True)
class DepartmentTemplate:
    key: str  # stable handle used by the demo accounts below
    name: str  # {d} = district name (平谷区), {s} = its short form (平谷)
    kind: str
    mode: str
    leader_title: str


# The 1+4+N of every demo street: the street's city-management enforcement team (1), public
# security, fire, traffic and market supervision stationed (4), the others on call (N).
DEPARTMENTS = [
    DepartmentTemplate("chengguan", "{d}城管执法局", DepartmentKind.ENFORCEMENT, StationMode.RESIDENT, "局长"),
    DepartmentTemplate("police", "{s}公安分局", DepartmentKind.ENFORCEMENT, StationMode.STATIONED, "分局长"),
    DepartmentTemplate("fire", "{d}消防救援支队", DepartmentKind.ENFORCEMENT, StationMode.STATIONED, "支队长"),
    DepartmentTemplate("traffic", "{s}交通支队", DepartmentKind.ENFORCEMENT, StationMode.STATIONED, "支队长"),
    DepartmentTemplate("market", "{d}市场监管局", DepartmentKind.ENFORCEMENT, StationMode.STATIONED, "局长"),
    DepartmentTemplate("housing", "{d}住房城乡建设委", DepartmentKind.FUNCTIONAL, StationMode.ON_CALL, "主任"),
    DepartmentTemplate("planning", "{d}规划国土", DepartmentKind.FUNCTIONAL, StationMode.ON_CALL, "局长"),
    DepartmentTemplate("landscape", "{d}园林绿化局", DepartmentKind.FUNCTIONAL, StationMode.ON_CALL, "局长"),
    DepartmentTemplate("culture", "{d}文化和旅游局", DepartmentKind.PUBLIC_SERVICE, StationMode.ON_CALL, "局长"),
]  # fmt: skip

COMMUNITIES = {
    ("平谷区", "金海湖镇"): [
        ("海子村", CommunityKind.VILLAGE), ("上宅村", CommunityKind.VILLAGE),
        ("将军关村", CommunityKind.VILLAGE), ("茅山后村", CommunityKind.VILLAGE),
        ("金海湖社区", CommunityKind.COMMUNITY),
    ],
    ("东城区", "龙潭街道"): [
        ("夕照寺社区", CommunityKind.COMMUNITY), ("板厂南里社区", CommunityKind.COMMUNITY),
        ("龙潭北里社区", CommunityKind.COMMUNITY), ("光明社区", CommunityKind.COMMUNITY),
    ],
    ("海淀区", "曙光街道"): [
        ("世纪城东区社区", CommunityKind.COMMUNITY), ("世纪城西区社区", CommunityKind.COMMUNITY),
        ("曙光花园社区", CommunityKind.COMMUNITY), ("车道沟社区", CommunityKind.COMMUNITY),
    ],
}  # fmt: skip

# Higher apps register a callable here (in AppConfig.ready) that loads their demo data; it must
# write nothing when the data is already there, and returns counts to print.
SEED_EXTENSIONS: list = []

PILOT_STREETS = [("平谷区", "金海湖镇"), ("东城区", "龙潭街道")]
# (department key, agency name suffix, leader title) of every street's 派出机构.
AGENCIES = [
    ("police", "派出所", "所长"),
    ("market", "市场监管所", "所长"),
    ("traffic", "交通中队", "中队长"),
]
# (department key, position) of the officers stationed in every street.
OFFICERS = [
    ("police", "驻街民警"), ("police", "驻街民警"), ("market", "驻街市场监管员"),
    ("traffic", "驻街交警"), ("fire", "驻街消防监督员"),
]  # fmt: skip

# username → (full name, role, (district, unit) where unit is a street name, a department
# key, or None for the district itself / the city).
ACCOUNTS = {
    "street_jinhaihu": ("王建华", [
        (Role.STREET_OFFICIAL, ("平谷区", "street", "金海湖镇")),
        (Role.COMMITTEE_MEMBER, ("平谷区", "street", "金海湖镇")),
    ]),
    "street_jinhaihu_clerk": ("李晓梅", [(Role.STREET_OFFICIAL, ("平谷区", "street", "金海湖镇"))]),
    "street_longtan": ("赵立新", [
        (Role.STREET_OFFICIAL, ("东城区", "street", "龙潭街道")),
        (Role.COMMITTEE_MEMBER, ("东城区", "street", "龙潭街道")),
    ]),
    "street_shuguang": ("陈思远", [
        (Role.STREET_OFFICIAL, ("海淀区", "street", "曙光街道")),
        (Role.COMMITTEE_MEMBER, ("海淀区", "street", "曙光街道")),
    ]),
    "dept_pg_chengguan": ("刘强", [(Role.DEPARTMENT_DISPATCHER, ("平谷区", "department", "chengguan"))]),
    "dept_pg_police": ("孙伟", [(Role.DEPARTMENT_DISPATCHER, ("平谷区", "department", "police"))]),
    "dept_pg_planning": ("周敏", [(Role.DEPARTMENT_DISPATCHER, ("平谷区", "department", "planning"))]),
    "dept_dc_chengguan": ("吴磊", [(Role.DEPARTMENT_DISPATCHER, ("东城区", "department", "chengguan"))]),
    "district_pinggu": ("郑红", [
        (Role.DISTRICT_REVIEWER, ("平谷区", "district", None)),
        (Role.DISTRICT_ADMIN, ("平谷区", "district", None)),
    ]),
    "district_dongcheng": ("冯涛", [
        (Role.DISTRICT_REVIEWER, ("东城区", "district", None)),
        (Role.DISTRICT_ADMIN, ("东城区", "district", None)),
    ]),
    "hotline_operator": ("何静", [(Role.HOTLINE_OPERATOR, (None, "city", None))]),
}  # fmt: skip

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
)
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
         "秀兰", "霞", "平", "刚", "桂英", "建国", "志强", "海燕", "文博", "子涵"]  # fmt: skip


def _stable(*parts: str) -> int:
    """A number that depends only on the names: the same fake person every run."""
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:12], 16)


def fake_name(*parts: str) -> str:
    n = _stable(*parts)
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 97) % len(GIVEN)]


def fake_phone(*parts: str) -> str:
    return f"1{3 + _stable(*parts) % 7}{_stable('phone', *parts) % 10**9:09d}"


def short_district(name: str) -> str:
    return name.removesuffix("区")


def read_streets(path: Path = STREETS_CSV) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [(row["district"], row["street"], row["kind"]) for row in csv.DictReader(f)]


def _upsert(model, lookup: dict, values: dict):
    return upsert(model, lookup, values)[0]


def _sync(model, keys: tuple[str, ...], rows: list[dict]) -> dict[tuple, object]:
    """Bulk upsert: create the missing rows, update the differing fields of the others.

    Returns the objects by key (foreign keys given as objects, keyed by their pk)."""
    attnames = [model._meta.get_field(k).attname for k in keys]

    def key(values: dict) -> tuple:
        return tuple(getattr(values[k], "pk", values[k]) for k in keys)

    existing = {tuple(getattr(o, a) for a in attnames): o for o in model.objects.all()}
    missing, changed_objects, changed_fields = [], [], set()
    for values in rows:
        obj = existing.get(key(values))
        if obj is None:
            missing.append(model(**values))
            continue
        diff = [k for k, v in values.items() if k not in keys and getattr(obj, k) != v]
        for k in diff:
            setattr(obj, k, values[k])
        if diff:
            changed_objects.append(obj)
            changed_fields.update(diff)
    if missing:
        model.objects.bulk_create(missing)
    if changed_objects:
        model.objects.bulk_update(changed_objects, sorted(changed_fields))
    wanted = {key(values) for values in rows}
    return {
        k: o
        for k, o in {tuple(getattr(o, a) for a in attnames): o for o in model.objects.all()}.items()
        if k in wanted
    }


@transaction.atomic
def seed(password: str | None = None) -> dict[str, int]:
    password = password or settings.DEMO_PASSWORD
    city = _upsert(City, {"name": "北京市"}, {})
    rows = read_streets()
    districts: dict[str, District] = {}
    for district_name in dict.fromkeys(d for d, _s, _k in rows):
        districts[district_name] = _upsert(
            District,
            {"name": district_name},
            {"city": city, "code": DISTRICT_CODES.get(district_name, "")},
        )

    department_rows, names = [], {}
    for district_name, district in districts.items():
        for t in DEPARTMENTS:
            name = t.name.format(d=district_name, s=short_district(district_name))
            names[(district_name, t.key)] = name
            department_rows.append({"district": district, "name": name, "kind": t.kind})
    by_key = _sync(Department, ("district", "name"), department_rows)
    departments = {(d, key): by_key[(districts[d].pk, name)] for (d, key), name in names.items()}
    _sync(
        DepartmentLeader,
        ("department", "title"),
        [
            {
                "department": dept,
                "title": t.leader_title,
                "name": fake_name(dept.name, "leader"),
                "phone": fake_phone(dept.name, "leader"),
            }
            for (_d, key), dept in departments.items()
            for t in DEPARTMENTS
            if t.key == key
        ],
    )

    streets: dict[tuple[str, str], Street] = {}
    station_rows = []
    for district_name, street_name, kind in rows:
        # Streets one by one: Street.save() creates the party-committee group.
        street = _upsert(
            Street,
            {"district": districts[district_name], "name": street_name},
            {"kind": StreetKind(kind)},
        )
        streets[(district_name, street_name)] = street
        station_rows += [
            {
                "street": street,
                "department": departments[(district_name, t.key)],
                "mode": t.mode,
                "duty_contact": fake_name(street_name, t.key),
                "duty_phone": fake_phone(street_name, t.key),
            }
            for t in DEPARTMENTS
        ]
    _sync(Station, ("street", "department"), station_rows)

    _sync(
        Community,
        ("street", "name"),
        [
            {"street": streets[street_key], "name": name, "kind": kind}
            for street_key, communities in COMMUNITIES.items()
            for name, kind in communities
        ],
    )

    # Every street has its dispatched agencies (派出机构) and stationed officers.
    agency_rows, officer_rows = [], []
    for (district_name, street_name), street in streets.items():
        for key, suffix, title in AGENCIES:
            name = street.short_name + suffix
            agency_rows.append(
                {
                    "street": street,
                    "name": name,
                    "department": departments[(district_name, key)],
                    "leader_name": fake_name(name, "leader"),
                    "leader_title": title,
                    "leader_phone": fake_phone(name, "leader"),
                }
            )
        for i, (key, position) in enumerate(OFFICERS):
            dept = departments[(district_name, key)]
            officer_rows.append(
                {
                    "street": street,
                    "department": dept,
                    "name": fake_name(street_name, key, str(i)),
                    "position": position,
                    "phone": fake_phone(street_name, key, str(i)),
                }
            )
    _sync(DispatchedAgency, ("street", "name"), agency_rows)
    _sync(StationedOfficer, ("street", "department", "name"), officer_rows)

    _seed_accounts(password, city, districts, streets, departments)
    _seed_grants([streets[key] for key in PILOT_STREETS])
    from .demo_duties import seed as seed_duties

    counts = seed_duties()  # the city's duty list (街道职责清单)
    for extension in SEED_EXTENSIONS:  # the higher apps' demo data (hotline/: categories, keys)
        counts.update(extension() or {})
    return {
        "districts": District.objects.count(),
        "streets": Street.objects.count(),
        "communities": Community.objects.count(),
        "departments": Department.objects.count(),
        "stations": Station.objects.count(),
        "agencies": DispatchedAgency.objects.count(),
        "officers": StationedOfficer.objects.count(),
        "users": User.objects.count(),
        **counts,
    }


def _seed_grants(pilots) -> None:
    """The pilot streets hold every power (the four and Pinggu's veto); the others none. Then
    guardian's object permissions are brought in step with the grants (the bulk loads above
    bypass the per-object signal)."""
    held = set(
        PowerGrant.objects.filter(revoked_at=None, street__in=pilots).values_list(
            "street_id", "power"
        )
    )
    for street in pilots:
        for power in Power:
            if (street.pk, power.value) not in held:
                grant_power(None, street, power, note="试点街乡")
    sync_powers()


def _password_hash(password: str) -> str:
    """One hash for every demo account: hashing is slow on purpose, so hash once, and keep
    the stored hash when it already matches (a second run changes nothing)."""
    stored = (
        User.objects.filter(username__in=["admin", *ACCOUNTS])
        .values_list("password", flat=True)
        .first()
    )
    if stored and check_password(password, stored):
        return stored
    return make_password(password)


def _seed_accounts(password, city, districts, streets, departments) -> None:
    hashed = _password_hash(password)
    _upsert(
        User,
        {"username": "admin"},
        {"full_name": "系统管理员", "is_staff": True, "is_superuser": True, "password": hashed},
    )
    for username, (full_name, roles) in ACCOUNTS.items():
        user = _upsert(User, {"username": username}, {"full_name": full_name, "password": hashed})
        for role, (district_name, unit_type, unit) in roles:
            target = {
                "city": lambda: city,
                "district": lambda d=district_name: districts[d],
                "street": lambda d=district_name, s=unit: streets[(d, s)],
                "department": lambda d=district_name, k=unit: departments[(d, k)],
            }[unit_type]()
            Membership.objects.get_or_create(user=user, role=role, **{unit_type: target})
