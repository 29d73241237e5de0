"""The street's duty list (街道职责清单): versions, import, the list in force, citing, figures."""

import io
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts import duties
from accounts.choices import TimelineEventType
from accounts.dutyimport import import_duty_list
from accounts.models import District, DutyItem, DutyList, DutySection, Street, TimelineEvent
from core.periods import BEIJING, parse_period
from dispatch import duties as dispatch_duties
from whistle.choices import EventType
from whistle.models import Event, Whistle

HEADER = "section_number,section_title,item_number,item_title,role,categories,district\n"
GOOD = (
    HEADER
    + "1,城市管理,1,拆除违法建设,organise,illegal_construction,平谷区\n"
    + "1,城市管理,2,背街小巷环境巡查,lead,urban_rural_order,平谷区\n"
    + "2,平安建设,3,配合消防检查,assist,fire,\n"
)


def upload(text, name="duties.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"))


def _import(user, district, text, version="2026", name="duties.csv", day=date(2025, 3, 1)):
    return import_duty_list(
        upload(text, name),
        actor=user,
        district=district,
        version=version,
        title="平谷区街道职责清单",
        effective_from=day,
    )


@pytest.fixture
def pinggu(demo):
    return District.objects.get(name="平谷区")


@pytest.fixture
def jinhaihu(demo):
    return Street.objects.get(name="金海湖镇")


@pytest.fixture
def longtan(demo):
    return Street.objects.get(name="龙潭街道")


def _counts():
    return DutyList.objects.count(), DutySection.objects.count(), DutyItem.objects.count()


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_list_has_6_sections_111_items_and_shares_25_35_40(demo):
    city_list = DutyList.objects.get(district=None, version="2025")
    assert city_list.sections.count() == 6
    roles = list(DutyItem.objects.filter(duty_list=city_list).values_list("role", flat=True))
    assert len(roles) == 111
    counts = Counter(roles)
    shares = {role: round(100 * n / len(roles)) for role, n in counts.items()}
    assert shares == {"lead": 25, "organise": 35, "assist": 40}
    assert duties.role_shares(roles)["lead"]["percent"] == 25
    # every item's categories are whistle or 12345 categories
    known = duties.known_categories()
    for categories in DutyItem.objects.filter(duty_list=city_list).values_list(
        "categories", flat=True
    ):
        assert set(categories) <= known


# --- import ----------------------------------------------------------------------------------


def test_a_good_file_publishes_a_version_with_an_event(demo, pinggu):
    result = _import(demo["district_pinggu"], pinggu, GOOD)
    assert result.ok, result.errors
    duty_list = result.duty_list
    assert duty_list.district == pinggu
    assert list(duty_list.sections.values_list("number", "title")) == [
        (1, "城市管理"),
        (2, "平安建设"),
    ]
    assert list(duty_list.items.values_list("number", "role", "categories")) == [
        (1, "organise", ["illegal_construction"]),
        (2, "lead", ["urban_rural_order"]),
        (3, "assist", ["fire"]),
    ]
    assert TimelineEvent.objects.filter(
        type=TimelineEventType.DUTY_LIST_PUBLISHED, subject_id=duty_list.pk
    ).exists()


def test_an_xlsx_file_is_read_too(demo, pinggu):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for line in GOOD.splitlines():
        sheet.append(line.split(","))
    data = io.BytesIO()
    book.save(data)
    result = import_duty_list(
        SimpleUploadedFile("d.xlsx", data.getvalue()),
        actor=demo["district_pinggu"],
        district=pinggu,
        version="x",
        title="t",
        effective_from=date(2025, 1, 1),
    )
    assert result.ok, result.errors
    assert result.duty_list.items.count() == 3


def test_a_missing_column_stops_the_import(demo, pinggu):
    before = _counts()
    text = GOOD.replace(",role", "").replace(",organise", "").replace(",lead", "")
    text = text.replace(",assist", "")
    result = _import(demo["district_pinggu"], pinggu, text)
    assert [(e.line, e.column) for e in result.errors] == [(1, "role")]
    assert _counts() == before


@pytest.mark.parametrize(
    "row, column",
    [
        ("2,平安建设,4,防汛值守,boss,flood_control,平谷区", "role"),  # an unknown role type
        ("2,平安建设,2,防汛值守,lead,flood_control,平谷区", "item_number"),  # a duplicate number
        ("2,平安建设,4,防汛值守,lead,flood_control,东城区", "district"),  # another district's row
    ],
)
def test_a_bad_row_stops_the_import_naming_row_and_column(demo, pinggu, row, column):
    before = _counts()
    result = _import(demo["district_pinggu"], pinggu, GOOD + row + "\n")
    assert [(e.line, e.column) for e in result.errors] == [(5, column)]
    assert f"第 5 行，{column} 列" in str(result.errors[0])  # zh-hans, the default
    with translation.override("en"):
        assert f"line 5, column {column}" in str(result.errors[0])
    assert result.duty_list is None
    assert _counts() == before


def test_every_bad_row_is_named_at_once(demo, pinggu):
    before = _counts()
    text = (
        GOOD
        + "2,平安建设,4,a,boss,,平谷区\n"
        + "2,平安建设,1,b,lead,,平谷区\n"
        + "2,平安建设,6,c,lead,,东城区\n"
        + "2,平安建设,7,d,lead,nosuchcategory,\n"
    )
    result = _import(demo["district_pinggu"], pinggu, text)
    assert [(e.line, e.column) for e in result.errors] == [
        (5, "role"),
        (6, "item_number"),
        (7, "district"),
        (8, "categories"),
    ]
    assert _counts() == before


def test_only_the_units_own_people_publish(demo, pinggu):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _import(demo["district_dongcheng"], pinggu, GOOD)
    with pytest.raises(PermissionDenied):
        _import(demo["district_pinggu"], None, GOOD.replace("平谷区", ""))
    assert _import(demo["hotline_operator"], None, GOOD.replace("平谷区", "")).ok


def test_the_api_import_answers_400_naming_rows(demo, pinggu, client):
    client.force_login(demo["district_pinggu"])
    before = _counts()
    answer = client.post(
        reverse("api:duty-list-import"),
        {
            "file": upload(GOOD + "2,平安建设,4,x,boss,,平谷区\n"),
            "district": pinggu.pk,
            "version": "v2",
            "title": "t",
            "effective_from": "2025-01-01",
        },
    )
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"line": 5, "column": "role", "message": answer.json()["errors"][0]["message"]}
    ]
    assert _counts() == before
    answer = client.post(
        reverse("api:duty-list-import"),
        {
            "file": upload(GOOD),
            "district": pinggu.pk,
            "version": "v2",
            "title": "t",
            "effective_from": "2025-01-01",
        },
    )
    assert answer.status_code == 201, answer.content
    detail = client.get(reverse("api:duty-list-detail", args=[answer.json()["id"]])).json()
    assert [len(s["items"]) for s in detail["sections"]] == [2, 1]


def test_the_import_page_shows_the_rows_and_saves_nothing(demo, pinggu, client):
    client.force_login(demo["district_pinggu"])
    before = _counts()
    answer = client.post(
        reverse("org:duty-import"),
        {
            "unit": str(pinggu.pk),
            "file": upload(GOOD + "2,平安建设,1,x,lead,,平谷区\n"),
            "version": "v3",
            "title": "t",
            "effective_from": "2025-01-01",
        },
    )
    assert answer.status_code == 200
    assert "item_number" in answer.content.decode()
    assert _counts() == before


# --- the list in force -------------------------------------------------------------------------


def test_a_street_follows_its_districts_version_in_force_else_the_citys(
    demo, pinggu, jinhaihu, longtan
):
    city_list = DutyList.objects.get(district=None, version="2025")
    day = date(2025, 6, 1)
    assert duties.list_in_force(jinhaihu, day) == city_list
    future = _import(demo["district_pinggu"], pinggu, GOOD, version="later", day=date(2025, 9, 1))
    assert duties.list_in_force(jinhaihu, day) == city_list
    current = _import(demo["district_pinggu"], pinggu, GOOD, version="now", day=date(2025, 5, 1))
    assert duties.list_in_force(jinhaihu, day) == current.duty_list
    assert duties.list_in_force(jinhaihu, date(2025, 9, 2)) == future.duty_list
    assert duties.list_in_force(longtan, day) == city_list  # another district
    assert duties.list_in_force(jinhaihu, date(2024, 1, 1)) is None


def test_suggestions_come_from_the_category(demo, jinhaihu):
    items = duties.suggested_items(jinhaihu, "fire")
    assert items and all("fire" in i.categories for i in items)
    assert items[0].role == "organise"
    assert duties.suggested_items(jinhaihu, "") == []


# --- citing ------------------------------------------------------------------------------------


def _whistle(street, user, at, item=None, n=[0]):  # noqa: B006 - a counter for unique numbers
    n[0] += 1
    return Whistle.objects.create(
        street=street,
        number=f"T-{n[0]}",
        year=at.year,
        sequence=n[0],
        kind="enforcement",
        category="urban_rural_order",
        title=f"t{n[0]}",
        location="here",
        blown_by=user,
        blown_at=at,
        duty_item=item,
    )


NOW = datetime(2025, 6, 10, 10, 0, tzinfo=BEIJING)


def test_citing_an_item_of_another_list_is_refused(demo, pinggu, jinhaihu):
    user = demo["street_jinhaihu"]
    whistle = _whistle(jinhaihu, user, NOW)
    other = _import(
        demo["district_dongcheng"],
        District.objects.get(name="东城区"),
        GOOD.replace("平谷区", "东城区"),
    )
    with pytest.raises(ValidationError) as refused:
        dispatch_duties.cite_on_whistle(user, whistle, other.duty_list.items.first())
    assert "duty_item" in refused.value.message_dict
    item = DutyItem.objects.filter(duty_list__district=None, number=5).get()
    dispatch_duties.cite_on_whistle(user, whistle, item)
    whistle.refresh_from_db()
    assert whistle.duty_item == item
    assert Event.objects.filter(whistle=whistle, type=EventType.DUTY_ITEM_CITED).count() == 1


def test_accepting_a_request_cites_the_item_and_refuses_another_lists(demo, jinhaihu, client):
    from hotline import services as hotline_services
    from hotline.duties import cite_on_request
    from hotline.models import RequestCategory

    noise = RequestCategory.objects.get(code="noise")
    request = hotline_services.take_request(
        demo["hotline_operator"],
        channel="phone",
        category=noise,
        description="夜间施工噪声扰民",
        address="金海湖镇将军关村",
        street=jinhaihu,
    )
    other = _import(
        demo["district_dongcheng"],
        District.objects.get(name="东城区"),
        GOOD.replace("平谷区", "东城区"),
    )
    with pytest.raises(ValidationError) as refused:
        cite_on_request(demo["street_jinhaihu"], request, other.duty_list.items.first())
    assert "duty_item" in refused.value.message_dict

    client.force_login(demo["street_jinhaihu"])
    page = client.get(reverse("hotline:request", args=[request.pk])).content.decode()
    suggested = duties.suggested_items(jinhaihu, "noise")
    assert suggested and 'name="duty_item"' in page and suggested[0].title in page
    answer = client.post(
        reverse("hotline:accept", args=[request.pk]),
        {"seen_status": request.status, "duty_item": suggested[0].pk},
    )
    assert answer.status_code == 302
    request.refresh_from_db()
    assert request.status == "accepted" and request.duty_item == suggested[0]
    assert TimelineEvent.objects.filter(
        type=TimelineEventType.DUTY_ITEM_CITED, subject_id=request.pk
    ).exists()


def test_the_blow_form_offers_the_items_in_force(demo, client):
    client.force_login(demo["street_jinhaihu"])
    page = client.get(reverse("dispatch:whistle-new")).content.decode()
    assert 'name="duty_item"' in page
    item = DutyItem.objects.get(duty_list__district=None, number=1)
    assert item.title in page


# --- the figures -------------------------------------------------------------------------------


def _make_whistles(demo, count):
    jinhaihu = Street.objects.get(name="金海湖镇")
    binhe = Street.objects.get(name="滨河街道")
    items = list(DutyItem.objects.filter(duty_list__district=None).order_by("number"))
    for i in range(count):
        street = jinhaihu if i % 2 else binhe
        _whistle(
            street,
            demo["street_jinhaihu"],
            NOW + timedelta(hours=i),
            items[(i * 7) % len(items)] if i % 3 else None,
        )
    # outside the period: never counted
    _whistle(jinhaihu, demo["street_jinhaihu"], NOW - timedelta(days=60), items[0])


def test_the_figures_match_the_raw_whistle_rows(demo, pinggu):
    _make_whistles(demo, 12)
    period = parse_period("2025-06")
    rows = dispatch_duties.figures(dispatch_duties.figure_streets(demo["district_pinggu"]), period)
    start, end = period.bounds
    raw = list(
        Whistle.objects.filter(blown_at__gte=start, blown_at__lt=end).values_list(
            "street_id", "duty_item__section__title", "duty_item__role", "pk"
        )
    )
    for row in rows:
        mine = [r for r in raw if r[0] == row["street"].pk]
        assert row["whistles"] == len(mine)
        assert row["uncited"] == sum(1 for r in mine if r[2] is None)
        assert {s["title"]: s["whistles"] for s in row["sections"]} == dict(
            Counter(r[1] for r in mine if r[1])
        )
        assert {r["role"]: r["whistles"] for r in row["roles"] if r["whistles"]} == dict(
            Counter(r[2] for r in mine if r[2])
        )
        assert sorted(w["id"] for w in row["lead_whistles"]) == sorted(
            r[3] for r in mine if r[2] == "lead"
        )
    assert {r["street"].district_id for r in rows} == {pinggu.pk}


def _figure_queries(client, demo):
    counts = []
    for url in (
        reverse("dispatch:duty-figures") + "?period=2025-06",
        reverse("api:duty-figures") + "?period=2025-06",
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return counts


def test_the_figures_cost_the_same_queries_whatever_the_data(demo, client):
    client.force_login(demo["district_pinggu"])
    _make_whistles(demo, 2)
    few = _figure_queries(client, demo)
    _make_whistles(demo, 40)
    assert _figure_queries(client, demo) == few


def test_the_figures_are_for_the_district_and_the_city(demo, client):
    url = reverse("api:duty-figures")
    for username, status in (
        ("district_pinggu", 200),
        ("admin", 200),
        ("street_jinhaihu", 403),
        ("dept_pg_police", 403),
    ):
        client.force_login(demo[username])
        assert client.get(url).status_code == status, username
    client.force_login(demo["district_pinggu"])
    assert client.get(url + "?period=2025-13").status_code == 400


def test_the_items_of_a_street_and_the_list_pages(demo, client, jinhaihu, longtan):
    client.force_login(demo["district_pinggu"])
    answer = client.get(reverse("api:duty-items") + f"?street={jinhaihu.pk}&category=fire")
    assert answer.status_code == 200
    assert len(answer.json()["results"]) == 111
    assert answer.json()["suggested"]
    assert client.get(reverse("api:duty-items") + f"?street={longtan.pk}").status_code == 404
    city_list = DutyList.objects.get(district=None)
    page = client.get(reverse("org:duty-list", args=[city_list.pk])).content.decode()
    assert "25%" in page and "35%" in page and "40%" in page
    assert client.get(reverse("org:duty-lists")).status_code == 200


def test_blowing_with_a_duty_item_cites_it(demo, client, jinhaihu):
    from accounts.models import Department

    user = demo["street_jinhaihu"]
    client.force_login(user)
    department = Department.objects.summonable_by(user, jinhaihu).first()
    item = duties.suggested_items(jinhaihu, "fire")[0]
    answer = client.post(
        reverse("dispatch:whistle-new") + f"?street={jinhaihu.pk}",
        {
            "kind": "emergency",
            "category": "fire",
            "title": "仓库起火",
            "location": "将军关村",
            "departments": [department.pk],
            "duty_item": item.pk,
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    whistle = Whistle.objects.get(title="仓库起火")
    assert whistle.duty_item == item
    assert Event.objects.filter(whistle=whistle, type=EventType.DUTY_ITEM_CITED).exists()


def test_the_api_cites_an_item_on_a_request(demo, jinhaihu):
    from rest_framework.test import APIClient

    from hotline import services as hotline_services
    from hotline.models import RequestCategory

    request = hotline_services.take_request(
        demo["hotline_operator"],
        channel="phone",
        category=RequestCategory.objects.get(code="noise"),
        description="夜间施工噪声扰民",
        address="金海湖镇将军关村",
        street=jinhaihu,
    )
    item = duties.suggested_items(jinhaihu, "noise")[0]
    client = APIClient()
    client.force_authenticate(demo["street_jinhaihu"])
    url = f"/api/v1/requests/{request.pk}/duty-item/"
    answer = client.post(url, {"duty_item": 999999}, format="json")
    assert answer.status_code == 400 and "duty_item" in answer.json()
    answer = client.post(url, {"duty_item": item.pk}, format="json")
    assert answer.status_code == 200 and answer.json()["duty_item"] == item.pk
    events = TimelineEvent.objects.filter(type=TimelineEventType.DUTY_ITEM_CITED)
    assert events.filter(subject_id=request.pk).count() == 1
