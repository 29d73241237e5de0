"""Every URL pattern of the project × every demo account, against docs/permission-matrix.md.

The URL patterns come from the resolver, so a new endpoint without a row in the table fails
`test_every_url_pattern_has_a_row` until somebody decides who may use it.
"""

import io
from pathlib import Path

import pytest
from axes.models import AccessFailureLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image
from rest_framework.authtoken.models import Token

from accounts.demo import ACCOUNTS
from accounts.models import (
    Community,
    Department,
    DispatchedAgency,
    District,
    PowerGrant,
    Station,
    StationedOfficer,
    Street,
)
from community import demo as frontline_demo
from community import demo_dual as dual_demo
from tests.services import workers_alive

MATRIX = Path(__file__).resolve().parent.parent / "docs" / "permission-matrix.md"
# The table's columns: the demo accounts of api-contract.md, the front line's three and 双报到's
# member and unit contact. The demo's generated stewards, cadres and members
# (longtan_steward_NNN, longtan_cadre_NN, longtan_member_NN, ...) have none.
COLUMNS = {
    "anonymous",
    "admin",
    *ACCOUNTS,
    frontline_demo.STEWARD,
    frontline_demo.CHIEF,
    frontline_demo.WORKER,
    dual_demo.MEMBER,
    dual_demo.UNIT_CONTACT,
}


def _tables() -> list[list[list[str]]]:
    tables, current = [], None
    for line in MATRIX.read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if current is None:
                current = [cells]
                tables.append(current)
            elif not set("".join(cells)) <= set("-: "):
                current.append(cells)
        else:
            current = None
    return tables


def _walk(patterns, namespace=None, route=""):
    """(qualified name or None, pattern, namespace, full route) of every URL pattern."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace) if x) or None
            yield from _walk(p.url_patterns, ns, route + str(p.pattern))
        elif isinstance(p, URLPattern):
            name = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else None
            yield name, p, namespace, route + str(p.pattern)


def url_patterns(namespace=None):
    """(name, pattern) of every named URL pattern, optionally only those of one namespace."""
    return [
        (name, p)
        for name, p, ns, _route in _walk(get_resolver().url_patterns)
        if name and (namespace is None or ns == namespace)
    ]


def unnamed_patterns():
    return [(ns, route) for name, _p, ns, route in _walk(get_resolver().url_patterns) if not name]


def _whistles(demo):
    """The whistles of the matrix: one in 金海湖镇 (police and chengguan summoned, with a photo),
    one in 龙潭街道 (Dongcheng chengguan summoned)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dispatch.services import blow_whistle
    from whistle.services import add_photo

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    png = buffer.getvalue()
    whistles = {}
    for username, street, names in (
        ("street_jinhaihu", "金海湖镇", ["平谷区城管执法局", "平谷公安分局"]),
        ("street_longtan", "龙潭街道", ["东城区城管执法局"]),
    ):
        whistle = blow_whistle(
            demo[username],
            street=Street.objects.get(name=street),
            kind="enforcement",
            category="other",
            title="矩阵测试",
            location="测试地点",
            departments=list(Department.objects.filter(name__in=names)),
        )
        add_photo(whistle, SimpleUploadedFile("p.png", png, "image/png"), demo[username])
        whistles[street] = whistle
    return whistles


def _power_objects(demo):
    """The powers' objects of the matrix, in the two pilot streets: a supervision order to the
    street's 城管, a personnel recommendation about its 派出所, a daily record and an
    assessment of a police officer stationed there, a major matter of its district naming it
    (平谷区's also names 滨河街道, which holds no grant) and the street's opinion on it."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import DispatchedAgency, Station, StationedOfficer
    from powers import services

    objects = {}
    for street_name, username, district_name, publisher, named in (
        ("金海湖镇", "street_jinhaihu", "平谷区", "district_pinggu", ["金海湖镇", "滨河街道"]),
        ("龙潭街道", "street_longtan", "东城区", "district_dongcheng", ["龙潭街道"]),
    ):
        user = demo[username]
        street = Street.objects.get(name=street_name)
        prefix = district_name[:2]
        station = Station.objects.get(street=street, department__name=f"{district_name}城管执法局")
        officer = (
            StationedOfficer.objects.filter(street=street, department__name=f"{prefix}公安分局")
            .order_by("pk")
            .first()
        )
        objects[("order", street_name)] = services.issue_order(
            user, station=station, title="矩阵督办", content="测试"
        )
        objects[("recommendation", street_name)] = services.recommend_personnel(
            user,
            agency=DispatchedAgency.objects.get(street=street, name=f"{street.short_name}派出所"),
            action="reward",
            subject="",
            reason="测试",
        )
        objects[("officer-record", street_name)] = services.record_officer(
            user, officer=officer, date=timezone.localdate(), kind="task"
        )
        objects[("officer-assessment", street_name)] = services.assess_officer(
            user, officer=officer, period="2026-Q3", score=90, grade="excellent"
        )
        matter = services.publish_matter(
            demo[publisher],
            district=District.objects.get(name=district_name),
            title="矩阵重大事项",
            description="测试",
            streets=list(Street.objects.filter(name__in=named)),
            opinions_until=timezone.now() + timedelta(days=1),
        )
        objects[("matter", district_name)] = matter
        objects[("opinion", street_name)] = services.submit_opinion(user, matter, content="测试")
    return objects


def _evaluation_objects(demo):
    """Resolved whistles for the evaluation rows: in 金海湖镇 平谷公安分局 (on site, evaluated
    with a veto awaiting review) and 平谷区城管执法局 (not evaluated yet); in 龙潭街道 东城区城管执法局
    (evaluated with a veto) and 东城公安分局 (not evaluated). The scores of this month follow."""
    from dispatch import services as loop
    from evaluation import scoring, services
    from evaluation.models import DepartmentScore

    objects = {}
    for street_name, username, dispatcher, evaluated, waiting in (
        ("金海湖镇", "street_jinhaihu", "dept_pg_police", "平谷公安分局", "平谷区城管执法局"),
        ("龙潭街道", "street_longtan", "dept_dc_chengguan", "东城区城管执法局", "东城公安分局"),
    ):
        user = demo[username]
        whistle = loop.blow_whistle(
            user,
            street=Street.objects.get(name=street_name),
            kind="emergency",
            category="fire",
            title="矩阵评价",
            location="测试地点",
            departments=list(Department.objects.filter(name__in=[evaluated, waiting])),
        )
        on_site = whistle.check_ins.get(department__name=evaluated)
        loop.arrive(demo[dispatcher], on_site)
        loop.resolve(user, whistle, summary="测试")
        evaluation = services.evaluate(
            user, on_site, response=4, cooperation=4, result=4, veto=True, veto_reason="测试"
        )
        objects[("evaluation", street_name)] = evaluation
        objects[("resolved-check-in", street_name)] = whistle.check_ins.get(
            department__name=waiting
        )
        objects[("resolved-whistle", street_name)] = whistle
    scoring.recompute_all(scoring.periods_of(whistle.blown_at))
    for score in DepartmentScore.objects.filter(period=scoring.periods_of(whistle.blown_at)[0]):
        objects[("score", score.department.name)] = score
    return objects


def _hotline_objects(demo):
    """A 12345 request dispatched to 金海湖镇 and one to 龙潭街道 (taken by the operator); the
    request category `noise`."""
    from hotline import services
    from hotline.models import RequestCategory

    objects = {("category", "noise"): RequestCategory.objects.get(code="noise")}
    for street_name in ("金海湖镇", "龙潭街道"):
        objects[("request", street_name)] = services.take_request(
            demo["hotline_operator"],
            channel="phone",
            category=objects[("category", "noise")],
            description="矩阵诉求",
            citizen_name="张三",
            citizen_phone="13812345678",
            street=Street.objects.get(name=street_name),
        )
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "PNG")
    from django.core.files.uploadedfile import SimpleUploadedFile

    objects[("request-photo", "金海湖镇")] = services.add_photo(
        demo["hotline_operator"],
        objects[("request", "金海湖镇")],
        SimpleUploadedFile("p.png", buffer.getvalue(), "image/png"),
    )
    # a request posted through Open311 (public, by its number and its token)
    posted = services.take_request(
        None,
        channel="open311",
        category=objects[("category", "noise")],
        description="外部系统提交的诉求",
        address="金海湖镇",
        open311_token="matrix-token",
    )
    objects[("open311-request", "金海湖镇")] = posted
    objects[("open311-token", "金海湖镇")] = posted
    # and one answered and called back (the call-back admin has an object to show)
    done = services.take_request(
        demo["hotline_operator"],
        channel="phone",
        category=objects[("category", "noise")],
        description="已办结诉求",
        street=Street.objects.get(name="金海湖镇"),
    )
    services.accept(demo["street_jinhaihu"], done)
    services.reply(demo["street_jinhaihu"], done, reply="已处理")
    services.call_back(demo["hotline_operator"], done, reached=False)
    return objects


def _frontline_objects(demo):
    """The front line's objects of the matrix (community/), in 龙潭街道 and 金海湖镇. Reports:
    steward_longtan's on 夕照寺街 (led by street_longtan, with a photo) and on 板厂南里胡同 (led
    by chief_longtan), another steward's on 光明路 (neither's) and on 海子村东街 (金海湖镇), each
    accepted already by its alley's chief, so accepting again is refused. In each street a
    patrol of the alley's steward; a steward who left (the adoption ended), an assignment to
    the community that ended, a task done (leaving, ending, finishing again: refused too); last
    year's household count and a visit of 夕照寺社区 (worker_longtan's) and of 海子村."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from community import services
    from community.models import Adoption, Alley

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    now = timezone.now()
    objects = {}

    def steward_of(alley):
        adoption = Adoption.objects.filter(alley=alley, end=None).exclude(
            steward__user__username=frontline_demo.STEWARD
        )
        return adoption.order_by("pk").first().steward.user

    for street_name, alley_name, reporter, photo in (
        ("龙潭街道", "夕照寺街", "steward_longtan", True),
        ("龙潭街道", "板厂南里胡同", "steward_longtan", False),
        ("龙潭街道", "光明路", None, False),
        ("金海湖镇", "海子村东街", None, False),
    ):
        alley = Alley.objects.get(street__name=street_name, name=alley_name)
        user = demo[reporter] if reporter else steward_of(alley)
        photos = [SimpleUploadedFile("p.png", buffer.getvalue(), "image/png")] if photo else []
        report = services.file_report(
            user, alley=alley, category="parking", text="矩阵上报", photos=photos
        )
        report = services.accept(services.current_chief(alley).user, report)
        objects[("report", f"{street_name}/{alley_name}")] = report
        if photo:
            objects[("report-photo", f"{street_name}/{alley_name}")] = report.photos.get()

    for street_name, alley_name, community_name, official, patroller in (
        ("龙潭街道", "夕照寺街", "夕照寺社区", "street_longtan", "steward_longtan"),
        ("金海湖镇", "海子村东街", "海子村", "street_jinhaihu", None),
    ):
        user = demo[official]
        street = Street.objects.get(name=street_name)
        alley = Alley.objects.get(street=street, name=alley_name)
        community = Community.objects.get(street=street, name=community_name)
        at_alley, at_community = f"{street_name}/{alley_name}", f"{street_name}/{community_name}"
        objects[("patrol", at_alley)] = services.record_patrol(
            demo[patroller] if patroller else steward_of(alley),
            alley=alley,
            started_at=now - timedelta(minutes=40),
            ended_at=now - timedelta(minutes=5),
        )
        # a steward the street recruited to look after the alley, who left: the adoption ended
        steward, _password = services.recruit_steward(
            user, street=street, name="矩阵管家", phone="13900001234", kind="resident"
        )
        adoption = services.adopt(user, steward, alley)
        objects[("left-steward", street_name)] = services.steward_leaves(user, steward)
        adoption.refresh_from_db()
        objects[("adoption", at_alley)] = adoption
        worker = get_user_model().objects.create(
            username=f"matrix_worker_{street.pk}", full_name="矩阵社工"
        )
        staff = services.assign_staff(user, community, worker, kind="worker")
        objects[("community-staff", at_community)] = services.end_staff(user, staff)
        task = services.add_task(user, community, title="矩阵任务")
        objects[("task", at_community)] = services.complete_task(user, task)
        objects[("household-count", at_community)] = services.set_households(
            user, community, year=timezone.localdate().year - 1, households=1000
        )
        objects[("visit", at_community)] = services.record_visit(
            user, community=community, household_ref="矩阵1号楼1单元101"
        )
    return objects


def _dual_objects(demo):
    """双报到's objects of the matrix (community/dual.py), in 龙潭街道 and 金海湖镇, made through
    the services: in each street a unit the street registered and confirmed (`party-unit:`,
    `unit-registration:`); a member (an account of no column) registered with 夕照寺社区 /
    海子村, confirmed, signed up for an activity of the community that started a few minutes
    ago and checked in (`party-member:`, `activity:`, `sign-up:`), and their registration
    (`member-registration:`, confirmed: confirming again is refused) and another member's
    registration they ended (`left-registration:`: confirming, ending again refused, moving
    is the member's own); a culture space and a
    need of the community; the unit's report to the employer of this period."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from community import dual, feedback

    now = timezone.now()
    objects = {}
    for street_name, community_name, official, staff in (
        ("龙潭街道", "夕照寺社区", "street_longtan", "worker_longtan"),
        ("金海湖镇", "海子村", "street_jinhaihu", "street_jinhaihu"),
    ):
        user, worker = demo[official], demo[staff]
        street = Street.objects.get(name=street_name)
        community = Community.objects.get(street=street, name=community_name)
        unit = dual.register_unit(
            user, street=street, name=f"矩阵单位{street.pk}", party_organisation="矩阵单位党委",
            kind="state_enterprise", contact_name="联系人", contact_phone="010-66660000",
        )  # fmt: skip
        objects[("unit-registration", street_name)] = dual.confirm_unit(user, unit)
        objects[("party-unit", street_name)] = unit.unit
        member = get_user_model().objects.create_user(f"matrix_member_{street.pk}")
        registration = dual.register_member(
            member, community=community, employer=unit.unit, name="矩阵党员",
            phone="13700001234", address="矩阵地址",
        )  # fmt: skip
        registration = dual.confirm_member(worker, registration)
        objects[("member-registration", street_name)] = registration
        objects[("party-member", street_name)] = registration.member
        leaver = get_user_model().objects.create_user(f"matrix_leaver_{street.pk}")
        left = dual.register_member(
            leaver, community=community, employer=unit.unit, name="矩阵离开党员",
            phone="13700005678",
        )  # fmt: skip
        objects[("left-registration", street_name)] = dual.end_member(leaver, left)
        objects[("culture-space", street_name)] = dual.add_space(
            worker, community, name="矩阵社区客厅", kind="living_room"
        )
        objects[("community-need", street_name)] = dual.publish_need(
            worker, community, title="矩阵需求", category="elderly"
        )
        activity = dual.publish_activity(
            worker, community, title="矩阵活动", starts_at=now - timedelta(minutes=10),
            ends_at=now + timedelta(hours=2), capacity=10, place="社区活动室",
        )  # fmt: skip
        objects[("activity", street_name)] = activity
        objects[("sign-up", street_name)] = dual.check_in(worker, dual.sign_up(member, activity))
    feedback.ensure_reports(feedback.period_of())
    for street_name in ("龙潭街道", "金海湖镇"):
        unit = objects[("party-unit", street_name)]
        objects[("employer-report", street_name)] = unit.employer_reports.get()
    return objects


def _campaign_objects():
    """The demo's campaign 双安双打 of 平谷区 over 金海湖镇 (powers/demo.py): ended in 2017,
    commanded by street_jinhaihu, district_pinggu a deputy, 平谷's three departments members."""
    from accounts.models import Campaign

    return {("campaign", "金海湖镇"): Campaign.objects.get(name="双安双打")}


def _cogovern_objects(demo):
    """Co-governance's objects of the matrix: the demo's (community/demo_dual.py). The
    committees of 东城区, of 龙潭街道 and 金海湖镇 and of their first communities (夕照寺社区,
    海子村); of each street's committee its first member, its meeting and the follow-up item
    done already (completing it again: refused), its first resource and need, the project
    matched from the need (under way), its first exchange and its first (published)
    evaluation."""
    from community.models import Committee

    objects = {
        ("committee", "东城区"): Committee.objects.get(level="district", district__name="东城区")
    }
    for street_name, community_name in (("龙潭街道", "夕照寺社区"), ("金海湖镇", "海子村")):
        committee = Committee.objects.get(level="street", street__name=street_name)
        objects[("committee", street_name)] = committee
        objects[("committee", community_name)] = Committee.objects.get(
            level="community", community__name=community_name
        )
        meeting = committee.meetings.get()
        objects[("committee-member", street_name)] = committee.members.order_by("pk").first()
        objects[("meeting", street_name)] = meeting
        objects[("follow-up", street_name)] = meeting.follow_ups.exclude(done_at=None).get()
        objects[("resource", street_name)] = committee.resources.order_by("pk").first()
        objects[("list-need", street_name)] = committee.needs.order_by("pk").first()
        objects[("project", street_name)] = committee.projects.get()
        objects[("exchange", street_name)] = committee.exchanges.order_by("pk").first()
        objects[("mutual-evaluation", street_name)] = committee.evaluations.order_by("pk").first()
    return objects


def _kwargs(spec: str, names: list[str], whistles, powers=None) -> dict:
    if "format" in names:  # Open311: by extension, service code, public number, token
        kind, _, key = spec.partition(":")
        obj = (powers or {}).get((kind, key))
        values = {
            "format": "json",
            "service_code": "noise",
            "service_request_id": getattr(obj, "number", None),
            "token": getattr(obj, "open311_token", None),
        }
        return {name: values[name] for name in names}
    kind, _, key = spec.partition(":")
    parts = key.split("/")
    if kind == "district":
        obj = District.objects.get(name=parts[0])
    elif kind == "street":
        obj = Street.objects.get(district__name=parts[0], name=parts[1])
    elif kind == "department":
        obj = Department.objects.get(district__name=parts[0], name=parts[1])
    elif kind == "whistle":
        obj = whistles[parts[0]]
    elif kind == "check-in":
        obj = whistles[parts[0]].check_ins.get(department__name=parts[1])
    elif kind == "notification":
        from notifications.models import Notification

        obj = Notification.objects.filter(recipient__username=parts[0]).order_by("pk").first()
    elif kind == "station":
        obj = Station.objects.get(street__name=parts[0], department__name=parts[1])
    elif kind == "agency":
        obj = DispatchedAgency.objects.get(street__name=parts[0], name=parts[1])
    elif kind == "officer":
        obj = (
            StationedOfficer.objects.filter(street__name=parts[0], department__name=parts[1])
            .order_by("pk")
            .first()
        )
    elif kind == "grant":
        obj = PowerGrant.objects.get(street__name=parts[0], power=parts[1], revoked_at=None)
    elif kind == "request-photo":
        photo = powers[(kind, parts[0])]
        return {"request_pk": photo.request_id, "pk": photo.pk}
    elif kind == "report-photo":  # the page names them pk and photo_pk, the API report_pk and pk
        photo = powers[(kind, key)]
        if "photo_pk" in names:
            return {"pk": photo.report_id, "photo_pk": photo.pk}
        return {"report_pk": photo.report_id, "pk": photo.pk}
    elif kind == "alley":
        from community.models import Alley

        obj = Alley.objects.get(street__name=parts[0], name=parts[1])
    elif kind == "steward":
        from community.models import Steward

        obj = Steward.objects.get(street__name=parts[0], user__username=parts[1])
    elif kind == "community":
        obj = Community.objects.get(street__name=parts[0], name=parts[1])
    elif kind == "duty-list":  # `duty-list:city`: the demo's city list; else a district's newest
        from accounts.models import DutyList

        lists = DutyList.objects.order_by("-effective_from", "-pk")
        obj = (
            lists.filter(district=None)
            if parts[0] == "city"
            else lists.filter(district__name=parts[0])
        ).first()
    elif kind == "membership":  # `membership:street/username`: the account's official role
        from accounts.models import Membership

        obj = Membership.objects.get(
            street__name=parts[0], user__username=parts[1], role="street_official"
        )
    elif kind == "office":  # `office:street/name`: one of the street's 六办一队三中心
        from accounts.models import StreetOffice

        obj = StreetOffice.objects.get(street__name=parts[0], name=parts[1])
    elif (kind, key) in (powers or {}):
        obj = powers[(kind, key)]
    elif (kind, parts[0]) in (powers or {}):
        obj = powers[(kind, parts[0])]
    elif kind == "photo":
        whistle = whistles[parts[0]]
        return {"whistle_pk": whistle.pk, "pk": whistle.photos.get().pk}
    else:
        raise AssertionError(f"unknown object kind in the matrix: {spec}")
    (name,) = names
    return {name: obj.pk}


def _columns(demo) -> list[str]:
    """The main table's account columns, each a demo account (or `anonymous`)."""
    accounts = _tables()[0][0][3:]
    unknown = set(accounts) - {"anonymous", *demo}
    assert not unknown, f"these columns name no account of the demo: {unknown}"
    assert set(accounts) == COLUMNS, "the matrix must have a column per account of COLUMNS"
    return accounts


def _clients(demo, accounts) -> dict[str, Client]:
    clients = {}
    for username in accounts:
        client = Client()
        if username != "anonymous":
            client.force_login(demo[username])
        clients[username] = client
    return clients


def _url(name, spec, kwargs_of, whistles, objects) -> str:
    """The row's URL. The front line's figures take their unit in the query string
    (`?street=` or `?district=`): for those the object goes there."""
    if spec == "-" and not kwargs_of[name]:
        return reverse(name)
    if not kwargs_of[name]:
        kind = spec.partition(":")[0]
        (pk,) = _kwargs(spec, ["pk"], whistles, objects).values()
        return f"{reverse(name)}?{kind}={pk}"
    return reverse(name, kwargs=_kwargs(spec, kwargs_of[name], whistles, objects))


def _request(client, method, url):
    if method == "POST":  # an invalid body: the answer shows who may act, and nothing changes
        return client.post(url, {"latitude": "north"})
    return getattr(client, method.lower())(url)


def test_every_url_pattern_has_a_row():
    table = _tables()[0]
    named = {row[0] for row in table[1:]}
    assert len({tuple(row[:3]) for row in table[1:]}) == len(table) - 1, "a row appears twice"
    # Only the admin's own redirects have no name (walked in the admin test below).
    unnamed = [route for ns, route in unnamed_patterns() if ns != "admin"]
    assert not unnamed, f"URL patterns without a name cannot be in the matrix: {unnamed}"
    project = {name for name, _p in url_patterns() if not name.startswith("admin:")}
    assert project - named == set(), "add these URL patterns to docs/permission-matrix.md"
    assert named - project == set(), "these matrix rows name no URL pattern any more"


@pytest.mark.django_db
def test_pages_and_api_answer_as_the_matrix_says(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    whistles = _whistles(demo)
    powers = {
        **_power_objects(demo),
        **_evaluation_objects(demo),
        **_hotline_objects(demo),
        **_frontline_objects(demo),
        **_dual_objects(demo),
        **_cogovern_objects(demo),
        **_campaign_objects(),
    }
    workers_alive()  # the sweep and every queue's worker ran, as they do: /healthz is healthy
    _header, *rows = _tables()[0]
    accounts = _columns(demo)
    clients = _clients(demo, accounts)
    kwargs_of = {name: list(p.pattern.regex.groupindex) for name, p in url_patterns()}
    mismatches = []
    for name, method, spec, *expected in rows:
        url = _url(name, spec, kwargs_of, whistles, powers)
        for account, want in zip(accounts, expected, strict=True):
            got = _request(clients[account], method, url).status_code
            if str(got) != want:
                mismatches.append(
                    f"{method} {url} ({name} {spec}) as {account}: {got}, table says {want}"
                )
    assert not mismatches, "\n".join(mismatches)


def _admin_kwargs(name: str, pattern, superuser) -> dict:
    models = {f"admin:{m._meta.app_label}_{m._meta.model_name}_": m for m in admin.site._registry}
    model = next((m for prefix, m in models.items() if name.startswith(prefix)), None)
    first = model.objects.order_by("pk").first() if model else None
    values = {
        "object_id": first.pk if first else None,
        "object_pk": first.pk if first else None,
        "id": superuser.pk,
        "user_id": superuser.pk,
        "group_id": Group.objects.order_by("pk").first().pk,
        "app_label": "accounts",
        "content_type_id": 1,
    }
    names = set(pattern.pattern.regex.groupindex)
    if name == "admin:view_on_site":
        return {"content_type_id": 1, "object_id": 1}
    missing = [k for k in names if values.get(k) is None]
    assert not missing, f"{name}: no object to fill {missing} (seed one)"
    return {k: values[k] for k in names}


@pytest.mark.django_db
def test_the_admin_is_for_the_superuser_only(demo, settings, tmp_path):
    header, *rows = _tables()[1]
    expected = {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows}
    superuser = demo["admin"]
    Token.objects.get_or_create(user=superuser)  # so the token admin has an object to show
    settings.MEDIA_ROOT = tmp_path
    _whistles(demo)  # and the whistle, check-in, event and photo admins
    _power_objects(demo)  # and the powers' admins
    _evaluation_objects(demo)  # and the evaluation admins
    _hotline_objects(demo)  # and the hotline admins
    clients = _clients(demo, _columns(demo))
    # a wrong password under a name nobody signs in with: the sign-in lockout's admins have rows
    Client().post(reverse("login"), {"username": "nobody-here", "password": "wrong"})
    AccessFailureLog.objects.create(
        username="nobody-here", ip_address="127.0.0.1"
    )  # off by default
    targets = [
        (name, reverse(name, kwargs=_admin_kwargs(name, pattern, superuser)))
        for name, pattern in url_patterns("admin")
    ]
    # The admin's unnamed patterns: `<object_id>/` redirects to the change page; the rest 404s.
    models = {f"admin/{m._meta.app_label}/{m._meta.model_name}/": m for m in admin.site._registry}
    for _ns, route in unnamed_patterns():
        if route.endswith("<path:object_id>/"):
            prefix = route.removesuffix("<path:object_id>/")
            first = models[prefix].objects.order_by("pk").first()
            targets.append(("(object redirect)", f"/{prefix}{first.pk}/"))
        else:
            targets.append(("(catch-all)", "/admin/no-such-page/"))
    mismatches, walked = [], 0
    for name, url in targets:
        want = expected.get(name, expected["*"])
        for account, client in clients.items():
            column = account if account in ("anonymous", "admin") else "every other account"
            response = client.get(url)
            walked += 1
            if str(response.status_code) != want[column]:
                mismatches.append(
                    f"GET {url} ({name}) as {account}: {response.status_code}, table says {want[column]}"
                )
            elif account != "admin" and response.status_code == 302:
                # to the admin sign-in, or to the admin index, which sends them there
                location = response["Location"]
                assert location.startswith("/admin/login/") or location == "/admin/", (url, account)
    assert walked > 100
    assert not mismatches, "\n".join(mismatches)
