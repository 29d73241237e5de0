"""Open311 GeoReport v2 conformance (hotline/open311.py): every resource, method and error path
in JSON and XML, the citizen's contact never shown, the 90-day and 1000-request rules, no
answer 500 whatever the input, and as many queries for 30 requests as for one."""

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Street
from hotline import open311, services
from hotline.models import Open311Key, RequestCategory, ServiceRequest

KEY = "demo-open311-key"
FORMATS = ["json", "xml"]
PHONE, EMAIL, FIRST, LAST = "13812345678", "zhang.sanfeng@example.com", "三丰", "张"
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]


# --- helpers ----------------------------------------------------------------------------------


def url(name, fmt="json", **kwargs):
    return reverse(f"open311:{name}", kwargs={"format": fmt, **kwargs})


def xml_root(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)


def items(response, fmt, root="service_requests", item="request"):
    """The list of an answer as dicts of text (XML: the elements' text, "" when empty)."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        data = json.loads(response.content.decode("utf-8"))
        assert isinstance(data, list)
        return data
    tree = xml_root(response)
    assert tree.tag == root
    assert all(child.tag == item for child in tree)
    return [{field.tag: field.text or "" for field in child} for child in tree]


def errors(response, fmt, status):
    """The errors of an answer in the specification's format: [(code, description)]."""
    assert response.status_code == status, response.content
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        data = json.loads(response.content.decode("utf-8"))
        assert isinstance(data, list) and data
        assert all(set(e) == {"code", "description"} for e in data)
        found = [(e["code"], e["description"]) for e in data]
    else:
        tree = xml_root(response)
        assert tree.tag == "errors"
        assert [e.tag for e in tree] == ["error"] * len(tree) and len(tree)
        assert all([f.tag for f in e] == ["code", "description"] for e in tree)
        found = [(int(e.findtext("code")), e.findtext("description")) for e in tree]
    assert all(code == status for code, _d in found)
    return found


def described(found, field):
    return any(description.startswith(field) for _c, description in found)


def post(client, fmt="json", **data):
    return client.post(url("requests", fmt), data)


def valid(**changes):
    data = {
        "api_key": KEY,
        "service_code": "noise",
        "lat": "40.123456",
        "long": "117.321",
        "address_string": "金海湖镇上宅村",
        "description": "夜间施工噪声扰民",
        "email": EMAIL,
        "first_name": FIRST,
        "last_name": LAST,
        "phone": PHONE,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def make(code="noise", days_ago=0, **fields):
    """A request that came in through Open311 (received `days_ago` days ago)."""
    request = services.take_request(
        None,
        channel=fields.pop("channel", "open311"),
        category=RequestCategory.objects.get(code=code),
        description=fields.pop("description", "路灯不亮"),
        address=fields.pop("address", "平谷区金海湖镇"),
        citizen_name="李四",
        citizen_phone="13900001111",
        citizen_email="lisi@example.com",
        **fields,
    )
    if days_ago:
        ServiceRequest.objects.filter(pk=request.pk).update(
            received_at=timezone.now() - timedelta(days=days_ago)
        )
        request.refresh_from_db()
    return request


def numbers(response, fmt):
    return [row["service_request_id"] for row in items(response, fmt)]


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def jinhaihu(demo):
    return Street.objects.get(name="金海湖镇")


# --- discovery, services, definitions --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(client, fmt):
    response = client.get(url("discovery", fmt))
    assert response.status_code == 200
    if fmt == "json":
        data = response.json()
        assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
        (endpoint,) = data["endpoints"]
        formats = endpoint["formats"]
    else:
        tree = xml_root(response)
        assert tree.tag == "discovery"
        assert [c.tag for c in tree] == ["changeset", "contact", "key_service", "endpoints"]
        assert [e.tag for e in tree.find("endpoints")] == ["endpoint"]
        node = tree.find("endpoints/endpoint")
        endpoint = {c.tag: c.text for c in node if c.tag != "formats"}
        assert [f.tag for f in node.find("formats")] == ["format", "format"]
        formats = [f.text for f in node.find("formats")]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] == "production"
    assert endpoint["changeset"] == open311.CHANGESET
    assert sorted(formats) == ["application/json", "text/xml"]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_active_categories(client, demo, fmt):
    RequestCategory.objects.filter(code="other").update(active=False)
    response = client.get(url("services", fmt))
    assert response.status_code == 200
    rows = items(response, fmt, "services", "service")
    expected = RequestCategory.objects.filter(active=True).order_by("id")
    assert [r["service_code"] for r in rows] == [c.code for c in expected]
    assert "other" not in [r["service_code"] for r in rows]
    for row in rows:
        assert list(row) == SERVICE_FIELDS
    noise = rows[0]
    assert noise["service_name"] == "噪声扰民"
    assert noise["group"] == "城市管理"
    assert noise["type"] == "realtime"
    assert noise["metadata"] is False if fmt == "json" else noise["metadata"] == "false"
    if fmt == "json":
        assert "噪声扰民".encode() in response.content  # UTF-8, not escaped


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_and_unknown_service(client, demo, fmt):
    response = client.get(url("service-definition", fmt, service_code="noise"))
    assert response.status_code == 200
    if fmt == "json":
        assert response.json() == {"service_code": "noise", "attributes": []}
    else:
        tree = xml_root(response)
        assert tree.tag == "service_definition"
        assert [c.tag for c in tree] == ["service_code", "attributes"]
        assert tree.findtext("service_code") == "noise"
        assert list(tree.find("attributes")) == []
    for code in ("no-such-service", "x" * 300, "噪声"):
        found = errors(client.get(url("service-definition", fmt, service_code=code)), fmt, 404)
        assert described(found, "service_code")
    RequestCategory.objects.filter(code="noise").update(active=False)
    errors(client.get(url("service-definition", fmt, service_code="noise")), fmt, 404)


# --- POST requests ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_post_creates_a_request_awaiting_dispatch(client, demo, fmt):
    response = post(client, fmt, **valid())
    assert response.status_code == 201, response.content
    (answer,) = items(response, fmt)
    assert set(answer) == {"service_request_id", "service_notice", "account_id", "token"}
    assert answer["account_id"] in (None, "")
    assert answer["service_notice"]
    request = ServiceRequest.objects.get()
    assert answer["service_request_id"] == request.number
    assert answer["token"] == request.open311_token and len(request.open311_token) >= 20
    assert request.channel == "open311"
    assert request.status == "new" and request.street is None
    assert request.category.code == "noise"
    assert request.citizen_phone == PHONE
    assert request.citizen_email == EMAIL
    assert request.citizen_name == "张三丰"  # a Chinese name: the family name first
    assert request.latitude == Decimal("40.123456")
    assert request.longitude == Decimal("117.321000")
    assert request.address == "金海湖镇上宅村"
    assert request.received_by is None
    # The contact is stored, and never shown by any GET, in either format.
    for other in FORMATS:
        for target in (
            url("requests", other),
            url("requests", other) + f"?service_request_id={request.number}",
            url("request", other, service_request_id=request.number),
            url("token", other, token=request.open311_token),
        ):
            got = client.get(target)
            assert got.status_code == 200
            text = got.content.decode("utf-8")
            assert request.number in text
            for secret in (PHONE, EMAIL, FIRST, "张三丰", PHONE[-4:], "zhang.sanfeng"):
                assert secret not in text, (target, secret)


@pytest.mark.django_db
def test_post_takes_json_bodies_and_other_locations(client, demo):
    response = client.post(
        url("requests"),
        json.dumps(
            {
                **valid(lat=39.9, long=116.4, email=None),
                "attribute": {"x": 1},
                "jurisdiction_id": "beijing",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    request = ServiceRequest.objects.get(number=response.json()[0]["service_request_id"])
    assert (request.latitude, request.longitude) == (Decimal("39.9"), Decimal("116.4"))
    # An address alone, or an address_id alone, is a location; attributes are ignored.
    only_address = valid(lat=None, long=None, **{"attribute[WHAT]": "x"})
    assert post(client, **only_address).status_code == 201
    only_id = valid(lat=None, long=None, address_string=None, address_id="A-100")
    response = post(client, "xml", **only_id)
    assert response.status_code == 201
    created = ServiceRequest.objects.get(number=items(response, "xml")[0]["service_request_id"])
    assert created.latitude is None and "A-100" in created.address
    assert ServiceRequest.objects.filter(channel="open311").count() == 3


@pytest.mark.django_db
def test_post_needs_no_session_and_no_csrf_token(demo):
    client = Client(enforce_csrf_checks=True)
    response = post(client, **valid())
    assert response.status_code == 201
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("key", [None, "", "wrong-key", "inactive-key", "x" * 500, "a\x00b"])
def test_post_without_a_valid_key_is_refused(client, demo, fmt, key):
    Open311Key.objects.create(key="inactive-key", name="停用", active=False)
    found = errors(post(client, fmt, **valid(api_key=key)), fmt, 403)
    assert described(found, "api_key")
    assert not ServiceRequest.objects.exists()


BAD_POSTS = [
    ({"service_code": None}, "service_code"),
    ({"service_code": ""}, "service_code"),
    ({"service_code": "no-such-service"}, "service_code"),
    ({"service_code": "inactive"}, "service_code"),
    ({"lat": None, "long": None, "address_string": None}, "lat"),
    ({"long": None}, "long"),
    ({"lat": None}, "lat"),
    ({"lat": "91"}, "lat"),
    ({"lat": "-90.0000001"}, "lat"),
    ({"long": "180.5"}, "long"),
    ({"lat": "north"}, "lat"),
    ({"lat": "NaN"}, "lat"),
    ({"lat": "inf"}, "lat"),
    ({"lat": "1e1"}, "lat"),
    ({"lat": "9" * 39}, "lat"),
    ({"lat": "9" * 5000}, "lat"),
    ({"description": None}, "description"),
    ({"description": "   "}, "description"),
    ({"description": "长" * 4001}, "description"),
    ({"email": "not-an-email"}, "email"),
    ({"email": "a@" + "b" * 300 + ".com"}, "email"),
    ({"phone": "call me maybe"}, "phone"),
    ({"phone": "1" * 31}, "phone"),
    ({"first_name": "名" * 40, "last_name": "姓" * 40}, "first_name"),
    ({"address_string": "路" * 201}, "address_string"),
    ({"description": "a\x00b"}, "description"),
    ({"media_url": "h" * 3000}, "media_url"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("changes", "field"), BAD_POSTS)
def test_post_with_a_missing_or_malformed_field_saves_nothing(client, demo, fmt, changes, field):
    RequestCategory.objects.create(code="inactive", name="停用", active=False)
    found = errors(post(client, fmt, **valid(**changes)), fmt, 400)
    assert described(found, field), found
    assert not ServiceRequest.objects.exists()


@pytest.mark.django_db
def test_post_lists_every_error(client, demo):
    found = errors(post(client, **valid(service_code=None, lat="91", description="")), "json", 400)
    assert described(found, "service_code")
    assert described(found, "lat")
    assert described(found, "description")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'"a string"', "application/json"),
        (b"{", "application/json"),
        (b"[" * 100000, "application/json"),
        (json.dumps({**valid(), "lat": [1, 2]}).encode(), "application/json"),
        (json.dumps({**valid(), "description": {"a": 1}}).encode(), "application/json"),
        (json.dumps({**valid(), "lat": True}).encode(), "application/json"),
        (
            b'{"api_key": "demo-open311-key", "service_code": "noise", "lat": NaN, "long": 1, '
            b'"description": "x"}',
            "application/json",
        ),
        (
            b'{"api_key": "demo-open311-key", "service_code": "noise", "lat": 1e999, "long": 1, '
            b'"description": "x"}',
            "application/json",
        ),
        (
            b'{"api_key": "demo-open311-key", "service_code": "noise", "lat": '
            + b"9" * 5000
            + b', "long": 1, "description": "x"}',
            "application/json",
        ),
        (json.dumps({**valid(), "description": "\ud800"}).encode(), "application/json"),
        (
            b"api_key=demo-open311-key&service_code=noise&lat=\xff\xfe&long=1&description=\xc3",
            "application/x-www-form-urlencoded",
        ),
        (
            b"api_key=demo-open311-key&service_code=noise%00&lat=1&long=1&description=x",
            "application/x-www-form-urlencoded",
        ),
        (b"--broken\r\nnot multipart", "multipart/form-data; boundary=other"),
        (b"&".join(b"f%d=1" % i for i in range(1500)), "application/x-www-form-urlencoded"),
        (
            b"api_key=demo-open311-key&description=" + b"x" * (3 * 1024 * 1024),
            "application/x-www-form-urlencoded",
        ),
    ],
)
def test_post_fuzz_never_answers_500(client, demo, body, content_type):
    response = client.post(url("requests"), body, content_type=content_type)
    assert 400 <= response.status_code < 500, response.content[:300]
    errors(response, "json", response.status_code)
    assert not ServiceRequest.objects.exists()


# --- GET requests ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_shows_the_specification_fields(client, demo, jinhaihu, fmt):
    new = make()
    replied = make("water", address="金海湖镇二号")
    services.dispatch_request(None, replied, jinhaihu)
    services.accept(demo["street_jinhaihu"], replied)
    services.reply(demo["street_jinhaihu"], replied, reply="已修复")
    returned = make("parking")
    services.dispatch_request(None, returned, jinhaihu)
    services.return_request(demo["street_jinhaihu"], returned, reason="不属本街道")
    dispatched = make("heating", latitude=Decimal("40.1"), longitude=Decimal("117.2"))
    services.dispatch_request(None, dispatched, jinhaihu)
    response = client.get(url("requests", fmt))
    assert response.status_code == 200
    rows = {row["service_request_id"]: row for row in items(response, fmt)}
    assert list(rows) == [dispatched.number, returned.number, replied.number, new.number]
    for row in rows.values():
        assert list(row) == REQUEST_FIELDS
    empty = None if fmt == "json" else ""
    row = rows[new.number]
    assert row["status"] == "open"
    assert row["agency_responsible"] == "12345"
    assert row["expected_datetime"] == empty
    assert row["status_notes"] == empty
    assert row["service_code"] == "noise" and row["service_name"] == "噪声扰民"
    assert row["description"] == "路灯不亮" and row["address"] == "平谷区金海湖镇"
    assert row["requested_datetime"] == timezone.localtime(new.received_at).isoformat(
        timespec="seconds"
    )
    assert row["requested_datetime"].endswith("+08:00")
    row = rows[replied.number]
    assert row["status"] == "closed"
    assert row["status_notes"] == "已修复"
    assert row["agency_responsible"] == "金海湖镇"
    assert row["expected_datetime"] not in (None, "")
    assert row["updated_datetime"] >= row["requested_datetime"]
    row = rows[returned.number]
    assert row["status"] == "open"
    assert row["status_notes"] == "Returned to the 12345 centre for re-dispatch."  # not the reason
    assert row["agency_responsible"] == "12345"
    row = rows[dispatched.number]
    assert row["agency_responsible"] == "金海湖镇"
    deadline = dispatched.deadlines.get(kind="resolution").deadline
    assert row["expected_datetime"] == timezone.localtime(deadline).isoformat(timespec="seconds")
    if fmt == "json":
        assert (row["lat"], row["long"]) == (40.1, 117.2)
    else:
        assert (float(row["lat"]), float(row["long"])) == (40.1, 117.2)
    text = response.content.decode("utf-8")
    for secret in ("李四", "13900001111", "lisi@example.com", "1111"):
        assert secret not in text


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_filters(client, demo, jinhaihu, fmt):
    noise, water = make("noise"), make("water")
    services.dispatch_request(None, water, jinhaihu)
    services.accept(demo["street_jinhaihu"], water)
    services.reply(demo["street_jinhaihu"], water, reply="已处理")
    old = make("noise", days_ago=100)
    week = make("parking", days_ago=7)

    def get(**params):
        response = client.get(url("requests", fmt), params)
        assert response.status_code == 200, response.content
        return numbers(response, fmt)

    assert get() == [water.number, noise.number, week.number]  # newest first, last 90 days
    assert get(service_code="noise") == [noise.number]
    assert get(service_code="noise,water") == [water.number, noise.number]
    assert get(status="open") == [noise.number, week.number]
    assert get(status="closed") == [water.number]
    assert get(status="open,closed") == get(status="OPEN, Closed") == get()
    now = timezone.now()
    assert get(start_date=(now - timedelta(days=8)).isoformat(), end_date=now.isoformat()) == [
        water.number,
        noise.number,
        week.number,
    ]
    assert get(start_date=(now - timedelta(days=1)).isoformat()) == [water.number, noise.number]
    assert get(end_date=(now - timedelta(days=2)).isoformat()) == [week.number]
    assert get(
        start_date=(now - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        end_date=(now - timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    ) == [old.number]
    day = timezone.localtime(week.received_at).date().isoformat()
    assert get(start_date=day, end_date=day) == [week.number]  # a day: the whole day
    # Numbers separated by commas: the other filters are ignored (even the 90 days).
    assert get(
        service_request_id=f"{old.number}, {noise.number},{old.number}",
        service_code="water",
        status="closed",
        start_date="2000-01-01T00:00:00Z",
        end_date="2000-01-02T00:00:00Z",
    ) == [noise.number, old.number]
    assert get(service_request_id="999999999") == []
    assert get(jurisdiction_id="beijing") == get()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-13-01"}, "start_date"),
        ({"start_date": "2026-02-30T00:00:00Z"}, "start_date"),
        ({"end_date": "2026-01-01T25:00:00Z"}, "end_date"),
        ({"end_date": "2026-01-01T00:00:00+25:00"}, "end_date"),
        ({"start_date": "9999-12-31T23:59:59-23:59"}, "start_date"),
        ({"start_date": "0001-01-01T00:00:00+08:00"}, "start_date"),
        ({"start_date": "9999-12-31T00:00:00Z"}, "start_date"),
        ({"end_date": "0001-01-01T00:00:00Z"}, "start_date"),
        ({"start_date": "2" * 5000}, "start_date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"}, "start_date"),
        ({"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "end_date"),
        ({"status": "pending"}, "status"),
        ({"status": "open,archived"}, "status"),
        ({"service_code": "no-such-service"}, "service_code"),
        ({"service_code": "x\x00"}, "service_code"),
        ({"service_request_id": "abc"}, "service_request_id"),
        ({"service_request_id": "1;DROP TABLE"}, "service_request_id"),
        ({"service_request_id": "9" * 30}, "service_request_id"),
    ],
)
def test_get_requests_refuses_bad_filters(client, demo, fmt, params, field):
    found = errors(client.get(url("requests", fmt), params), fmt, 400)
    assert described(found, field), found


@pytest.mark.django_db
def test_the_90_day_rule(client, demo):
    assert open311.DEFAULT_DAYS == open311.MAX_DAYS == 90
    exactly = {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-04-01T00:00:00+08:00"}
    assert client.get(url("requests"), exactly).status_code == 200  # 90 days
    longer = {**exactly, "end_date": "2026-04-01T00:00:01+08:00"}
    errors(client.get(url("requests"), longer), "json", 400)
    edge = make(days_ago=89)
    beyond = make(days_ago=91)
    assert numbers(client.get(url("requests")), "json") == [edge.number]
    start = (timezone.now() - timedelta(days=200)).isoformat()
    assert numbers(client.get(url("requests"), {"start_date": start}), "json") == []
    assert beyond.number in numbers(
        client.get(
            url("requests"), {"start_date": (timezone.now() - timedelta(days=95)).isoformat()}
        ),
        "json",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_at_most_1000_requests_newest_first(client, demo, monkeypatch, fmt):
    assert open311.MAX_RESULTS == 1000  # the specification's default
    monkeypatch.setattr(open311, "MAX_RESULTS", 5)
    made = [make(days_ago=10 - i) for i in range(7)]
    newest = [r.number for r in reversed(made)][:5]
    assert numbers(client.get(url("requests", fmt)), fmt) == newest
    ids = ",".join(r.number for r in made[:5])  # at most as many numbers as the limit
    oldest = [r.number for r in reversed(made[:5])]
    assert numbers(client.get(url("requests", fmt), {"service_request_id": ids}), fmt) == oldest
    too_many = ",".join(r.number for r in made[:6])
    errors(client.get(url("requests", fmt), {"service_request_id": too_many}), fmt, 400)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_get_one_request_and_an_unknown_one(client, demo, fmt):
    request = make(days_ago=400)  # one request is shown however old
    response = client.get(url("request", fmt, service_request_id=request.number))
    assert response.status_code == 200
    (row,) = items(response, fmt)
    assert list(row) == REQUEST_FIELDS
    assert row["service_request_id"] == request.number
    for unknown in ("999999999999999", "abc", "1" * 200, str(request.pk)):
        found = errors(client.get(url("request", fmt, service_request_id=unknown)), fmt, 404)
        assert described(found, "service_request_id")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_tokens(client, demo, fmt):
    created = post(client, **valid()).json()[0]
    response = client.get(url("token", fmt, token=created["token"]))
    assert response.status_code == 200
    assert items(response, fmt) == [
        {"service_request_id": created["service_request_id"], "token": created["token"]}
    ]
    make()  # a request of another channel has no token
    for unknown in ("no-such-token", "x" * 100, "a.b", "令牌"):
        found = errors(client.get(url("token", fmt, token=unknown)), fmt, 404)
        assert described(found, "token")


# --- every endpoint: format, method, jurisdiction, queries -------------------------------------------


def _targets(fmt):
    return [
        url("discovery", fmt),
        url("services", fmt),
        url("service-definition", fmt, service_code="noise"),
        url("requests", fmt),
        url("request", fmt, service_request_id="202601010000001"),
        url("token", fmt, token="abc"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("extension", ["html", "JSONP", "txt", "csv", "x" * 100])
def test_an_unknown_format_is_404(client, demo, extension):
    for target in _targets(extension):
        found = errors(client.get(target), "json", 404)
        assert "format" in found[0][1]
    errors(client.post(url("requests", extension), valid()), "json", 404)
    assert not ServiceRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_other_methods_are_405(client, demo, fmt):
    for target in _targets(fmt):
        response = client.put(target)
        errors(response, fmt, 405)
        assert "GET" in response["Allow"]
    assert client.delete(url("requests", fmt))["Allow"] == "GET, HEAD, POST"
    errors(client.post(url("discovery", fmt)), fmt, 405)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_jurisdictions(client, demo, fmt):
    request = make()
    for target in _targets(fmt)[1:4]:
        assert client.get(target, {"jurisdiction_id": "beijing"}).status_code == 200
        found = errors(client.get(target, {"jurisdiction_id": "shanghai"}), fmt, 404)
        assert described(found, "jurisdiction_id")
    one = url("request", fmt, service_request_id=request.number)
    errors(client.get(one, {"jurisdiction_id": "shanghai"}), fmt, 404)
    errors(post(client, fmt, **valid(jurisdiction_id="shanghai")), fmt, 404)
    before = ServiceRequest.objects.count()
    assert post(client, fmt, **valid(jurisdiction_id="beijing")).status_code == 201
    assert ServiceRequest.objects.count() == before + 1  # the refused one saved nothing


@pytest.mark.django_db
def test_get_fuzz_never_answers_500(client, demo):
    make()
    weird = ["\x00", "\ufffd", "%ff", "'", '"', "<x>", "x" * 20000, "-1", "1e309", "NaN", "[]"]
    for value in weird:
        for name in ("service_request_id", "service_code", "start_date", "end_date", "status"):
            for fmt in FORMATS:
                response = client.get(url("requests", fmt), {name: value})
                assert response.status_code in (200, 400), (name, value, response.status_code)
                if fmt == "xml":
                    xml_root(response)
    response = client.get(url("requests"), {f"f{i}": "1" for i in range(1500)})
    errors(response, "json", 400)
    raw = "/open311/v2/requests.json?status=%ff%fe&service_code=%c3&start_date=%ed%a0%80"
    errors(client.get(raw), "json", 400)


@pytest.mark.django_db
def test_xml_answers_are_well_formed_with_odd_characters(client, demo):
    make(description="控制字符\x01\x08 <b>&amp; 结束", address="地址\x0b")
    for target in (url("requests", "xml"),):
        tree = xml_root(client.get(target))
        assert tree.find("request/description").text == "控制字符 <b>&amp; 结束"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_queries_for_1_and_30_requests(client, demo, jinhaihu, fmt):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("requests", fmt), {"service_code": "noise,water"})
        assert response.status_code == 200
        return len(ctx.captured_queries), len(items(response, fmt))

    first = make()
    services.dispatch_request(None, first, jinhaihu)
    count()  # warm the per-process caches
    one = count()
    for i in range(29):
        request = make("water" if i % 2 else "noise")
        if i % 3 == 0:
            services.dispatch_request(None, request, jinhaihu)
    many = count()
    assert one[1] == 1 and many[1] == 30
    assert one[0] == many[0]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_taken_by_phone_are_not_public(client, demo, fmt):
    public = make()
    private = make(channel="phone", description="家里漏水，联系我 13900001111")
    rows = [row["service_request_id"] for row in items(client.get(url("requests", fmt)), fmt)]
    assert rows == [public.number]
    one = client.get(url("request", fmt, service_request_id=private.number))
    assert one.status_code == 404
