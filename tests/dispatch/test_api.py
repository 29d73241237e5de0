"""The REST API of whistles and check-ins as api-contract.md describes it."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import Community, Street
from dispatch.models import CheckIn
from whistle.models import Event, Whistle, WhistlePhoto


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def body(jinhaihu, departments):
    return {
        "street": jinhaihu.pk,
        "kind": "enforcement",
        "category": "illegal_mining",
        "title": "将军关村盗采金矿",
        "description": "夜间有人在北山盗采",
        "location": "将军关村北山",
        "latitude": 40.2291234,
        "longitude": 117.4123456,
        "departments": [departments["chengguan"].pk, departments["police"].pk],
    }


@pytest.mark.django_db
def test_blowing_answers_201_with_the_number_and_the_check_ins(demo, body, departments):
    answer = api(demo["street_jinhaihu"]).post("/api/v1/whistles/", body, format="json")
    assert answer.status_code == 201, answer.json()
    whistle = answer.json()
    assert whistle["status"] == "open"
    assert whistle["number"].startswith("金海湖-")
    assert {"id", "number", "status", "blown_at", "check_ins", "events"} <= set(whistle)
    assert {c["department"] for c in whistle["check_ins"]} == {
        departments["chengguan"].pk,
        departments["police"].pk,
    }
    check_in = whistle["check_ins"][0]
    assert check_in["status"] == "pending" and check_in["on_time"] is None
    assert {"deadline", "acknowledged_at", "checked_in_at", "overdue_at", "department_name"} <= set(
        check_in
    )
    assert whistle["events"][0]["type"] == "whistle_blown"
    assert set(whistle["events"][0]) == {"type", "at", "actor", "check_in", "data"}
    assert whistle["latitude"] == "40.229123"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("kind", {"kind": "party"}),
        ("category", {"category": "no-such"}),
        ("category", {"category": "fire"}),
        ("title", {"title": ""}),
        ("departments", {"departments": []}),
        ("departments", {"departments": [999999]}),
        ("departments", {"departments": ["abc"]}),
        ("street", {"street": 999999}),
        ("latitude", {"latitude": 300}),
        ("community", {"community": 999999}),
    ],
)
def test_bad_input_is_400_naming_the_field_and_saves_nothing(demo, body, field, change):
    answer = api(demo["street_jinhaihu"]).post(
        "/api/v1/whistles/", {**body, **change}, format="json"
    )
    assert answer.status_code == 400
    assert field in answer.json()
    assert not Whistle.objects.exists() and not Event.objects.exists()


@pytest.mark.django_db
def test_ids_of_other_streets_in_the_body_are_400(demo, body, departments):
    longtan = Street.objects.get(name="龙潭街道")
    other_community = Community.objects.filter(street=longtan).first()
    client = api(demo["street_jinhaihu"])
    cases = [
        ("street", {"street": longtan.pk}),
        ("departments", {"departments": [departments["dc_chengguan"].pk]}),
        ("community", {"community": other_community.pk}),
    ]
    for field, change in cases:
        answer = client.post("/api/v1/whistles/", {**body, **change}, format="json")
        assert answer.status_code == 400 and field in answer.json(), field
    assert not Whistle.objects.exists()


@pytest.mark.django_db
def test_an_idempotency_key_replays_the_first_answer(demo, body):
    client = api(demo["street_jinhaihu"])
    first = client.post("/api/v1/whistles/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/whistles/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Whistle.objects.count() == 1 and CheckIn.objects.count() == 2
    other = client.post(
        "/api/v1/whistles/",
        {**body, "title": "另一件事"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other.status_code == 422
    # a failed request does not use the key up
    bad = client.post(
        "/api/v1/whistles/", {**body, "title": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert bad.status_code == 400
    good = client.post("/api/v1/whistles/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert good.status_code == 201 and Whistle.objects.count() == 2
    # keys are per user: the clerk's request is its own (the clerk holds no power to summon),
    # not a replay of the committee member's whistle
    other_user = api(demo["street_jinhaihu_clerk"]).post(
        "/api/v1/whistles/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other_user.status_code == 400 and "street" in other_user.json()
    assert Whistle.objects.count() == 2


@pytest.mark.django_db
def test_the_whole_loop_through_the_api(demo, body, departments):
    street = api(demo["street_jinhaihu"])
    police = api(demo["dept_pg_police"])
    whistle = street.post("/api/v1/whistles/", body, format="json").json()
    queue = police.get("/api/v1/check-ins/?status=pending").json()
    assert queue["count"] == 1
    check_in = queue["results"][0]
    assert check_in["whistle"] == whistle["id"]
    url = f"/api/v1/check-ins/{check_in['id']}/"
    ack = police.post(
        url + "acknowledge/",
        {"responder_name": "张警官", "responder_phone": "13800000000"},
        format="json",
    )
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    assert (
        police.post(url + "acknowledge/", {"responder_name": "张警官"}, format="json").status_code
        == 200
    )
    arrived = police.post(url + "arrive/", {"latitude": 40.23, "longitude": 117.41}, format="json")
    assert arrived.status_code == 200
    assert arrived.json()["status"] == "on_site" and arrived.json()["on_time"] is True
    assert police.post(url + "leave/").status_code == 409
    w_url = f"/api/v1/whistles/{whistle['id']}/"
    assert street.post(w_url + "close/").status_code == 409
    resolved = street.post(w_url + "resolve/", {"summary": "盗采点已查封"}, format="json")
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    states = {c["department"]: c["status"] for c in resolved.json()["check_ins"]}
    assert states == {departments["police"].pk: "on_site", departments["chengguan"].pk: "released"}
    assert police.post(url + "leave/").json()["status"] == "released"
    # closing waits for the street's evaluation of every department it summoned
    held = street.post(w_url + "close/")
    assert held.status_code == 409 and "2" in held.json()["detail"]
    for c in resolved.json()["check_ins"]:
        evaluated = street.post(
            f"/api/v1/check-ins/{c['id']}/evaluation/",
            {"response": 5, "cooperation": 5, "result": 4},
            format="json",
        )
        assert evaluated.status_code == 201
    closed = street.post(w_url + "close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    types = [e["type"] for e in closed.json()["events"]]
    assert types.count("check_in_acknowledged") == 1 and types.count("check_in_arrived") == 1
    assert types.count("check_in_evaluated") == 2
    assert types[-1] == "whistle_closed"


@pytest.mark.django_db
def test_summon_adds_a_round_and_cancel_needs_a_reason(demo, body, departments):
    street = api(demo["street_jinhaihu"])
    whistle = street.post("/api/v1/whistles/", body, format="json").json()
    w_url = f"/api/v1/whistles/{whistle['id']}/"
    again = street.post(
        w_url + "summon/", {"departments": [departments["police"].pk]}, format="json"
    )
    assert again.status_code == 201
    rounds = sorted(
        c["round"] for c in again.json()["check_ins"] if c["department"] == departments["police"].pk
    )
    assert rounds == [1, 2]
    refused = street.post(
        w_url + "summon/", {"departments": [departments["dc_chengguan"].pk]}, format="json"
    )
    assert refused.status_code == 400 and "departments" in refused.json()
    assert street.post(w_url + "cancel/", {}, format="json").status_code == 400
    cancelled = street.post(w_url + "cancel/", {"reason": "误报"}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    assert street.post(w_url + "cancel/", {"reason": "x"}, format="json").status_code == 409
    assert (
        street.post(
            w_url + "summon/", {"departments": [departments["police"].pk]}, format="json"
        ).status_code
        == 409
    )


@pytest.mark.django_db
def test_scope_404_role_403_for_whistles_and_check_ins(demo, body):
    whistle = api(demo["street_jinhaihu"]).post("/api/v1/whistles/", body, format="json").json()
    w_url = f"/api/v1/whistles/{whistle['id']}/"
    police_check_in = next(
        c for c in whistle["check_ins"] if c["department_name"] == "平谷公安分局"
    )
    c_url = f"/api/v1/check-ins/{police_check_in['id']}/"
    # another district sees nothing of it
    for username in (
        "street_longtan",
        "dept_dc_chengguan",
        "district_dongcheng",
        "street_shuguang",
    ):
        client = api(demo[username])
        assert client.get(w_url).status_code == 404, username
        assert client.get(c_url).status_code == 404, username
        assert client.post(w_url + "resolve/", {"summary": "x"}, format="json").status_code == 404
        assert client.post(c_url + "arrive/", {}, format="json").status_code == 404
    # a department not summoned sees neither the whistle nor the check-in
    planning = api(demo["dept_pg_planning"])
    assert planning.get(w_url).status_code == 404 and planning.get(c_url).status_code == 404
    # the district sees both but acts on neither
    district = api(demo["district_pinggu"])
    assert district.get(w_url).status_code == 200 and district.get(c_url).status_code == 200
    assert district.post(w_url + "resolve/", {"summary": "x"}, format="json").status_code == 403
    assert district.post(c_url + "arrive/", {}, format="json").status_code == 403
    # the street reads the check-in but cannot arrive for the department
    street = api(demo["street_jinhaihu"])
    assert street.get(c_url).status_code == 200
    assert street.post(c_url + "arrive/", {}, format="json").status_code == 403
    # another summoned department reads the whistle, not this department's check-in actions
    chengguan = api(demo["dept_pg_chengguan"])
    assert chengguan.get(w_url).status_code == 200
    assert chengguan.get(c_url).status_code == 404
    assert api().get(w_url).status_code == 401


@pytest.mark.django_db
def test_whistle_kinds_list_the_categories_of_each_kind(demo):
    kinds = api(demo["street_jinhaihu"]).get("/api/v1/whistle-kinds/").json()
    assert [k["code"] for k in kinds] == ["enforcement", "emergency", "key_work"]
    emergency = next(k for k in kinds if k["code"] == "emergency")
    assert {"fire", "flood_control", "underground_pipeline"} <= {
        c["code"] for c in emergency["categories"]
    }
    assert all(c["name"] for k in kinds for c in k["categories"])


def _png(size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "scene.png"
    return buffer


@pytest.mark.django_db
def test_photos_are_images_only_and_size_limited(demo, body, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    street = api(demo["street_jinhaihu"])
    whistle = street.post("/api/v1/whistles/", body, format="json").json()
    url = f"/api/v1/whistles/{whistle['id']}/photos/"
    ok = street.post(url, {"file": _png()}, format="multipart")
    assert ok.status_code == 201, ok.json()
    assert ok.json()["content_type"] == "image/png" and ok.json()["width"] == 8
    fake = io.BytesIO(b"%PDF-1.4 not an image")
    fake.name = "scene.png"
    bad = street.post(url, {"file": fake}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()
    settings.WHISTLE_PHOTO_MAX_BYTES = 100
    big = street.post(url, {"file": _png((200, 200))}, format="multipart")
    assert big.status_code == 400 and "file" in big.json()
    assert street.post(url, {}, format="multipart").status_code == 400
    assert WhistlePhoto.objects.count() == 1
    photo_url = ok.json()["url"]
    assert street.get(photo_url).status_code == 200
    assert api(demo["street_longtan"]).get(photo_url).status_code == 404
    assert (
        api(demo["dept_pg_police"]).post(url, {"file": _png()}, format="multipart").status_code
        == 403
    )


@pytest.mark.django_db
def test_malformed_bodies_never_give_500(demo, body):
    street = api(demo["street_jinhaihu"])
    whistle = street.post("/api/v1/whistles/", body, format="json").json()
    police_check_in = next(
        c for c in whistle["check_ins"] if c["department_name"] == "平谷公安分局"
    )
    c_url = f"/api/v1/check-ins/{police_check_in['id']}/"
    police = api(demo["dept_pg_police"])
    for payload in ("not json", "[1,2]", '{"latitude": "north"}', '{"latitude": 1e400}'):
        for client, url in (
            (street, "/api/v1/whistles/"),
            (police, c_url + "arrive/"),
            (street, f"/api/v1/whistles/{whistle['id']}/resolve/"),
        ):
            answer = client.post(url, payload, content_type="application/json")
            assert answer.status_code in (400, 403), (url, payload, answer.status_code)
    assert street.get("/api/v1/whistles/?status=nonsense").status_code == 400
    assert street.get("/api/v1/whistles/abc/").status_code == 404


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_whistles(demo, blow):
    client = api(demo["street_jinhaihu"])
    blow()
    for url in ("/api/v1/whistles/", "/api/v1/check-ins/"):
        client.get(url)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = [count("/api/v1/whistles/"), count("/api/v1/check-ins/")]
    for _ in range(5):
        blow("chengguan", "police", "planning")
    after = [count("/api/v1/whistles/"), count("/api/v1/check-ins/")]
    assert before == after


def _jpeg_with_exif(size=(8, 4), orientation=6) -> io.BytesIO:
    """A phone's photo: GPS position, camera, author, and turned (orientation 6: the pixels
    lie on their side, the tag says turn them 90° right)."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x013B] = "王建华"  # Artist
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (40.0, 10.0, 30.0), 3: "E", 4: (117.0, 20.0, 5.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"taken at home")
    assert b"PhoneMaker" in buffer.getvalue()
    buffer.seek(0)
    buffer.name = "scene.jpg"
    return buffer


def photo_bytes(client, url) -> bytes:
    answer = client.get(url)
    assert answer.status_code == 200
    return b"".join(answer.streaming_content)


@pytest.mark.django_db
def test_a_photo_is_stored_without_its_metadata_and_stands_upright(demo, body, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    street = api(demo["street_jinhaihu"])
    whistle = street.post("/api/v1/whistles/", body, format="json").json()
    added = street.post(
        f"/api/v1/whistles/{whistle['id']}/photos/", {"file": _jpeg_with_exif()}, format="multipart"
    ).json()
    assert (added["content_type"], added["width"], added["height"]) == ("image/jpeg", 4, 8)
    stored = photo_bytes(street, added["url"])
    assert stored == photo_bytes(api(demo["dept_pg_police"]), added["url"])  # the same to all
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (4, 8)  # the orientation applied to the pixels
        assert not image.getexif() and "exif" not in image.info
        assert "comment" not in image.info
    for secret in (b"PhoneMaker", "王建华".encode(), b"taken at home"):
        assert secret not in stored


def test_an_animated_photo_keeps_its_frames_and_loses_its_comment():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.photos import clean_photo

    frames = [Image.new("RGB", (6, 6), color) for color in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, comment=b"at home"
    )
    cleaned, content_type = clean_photo(SimpleUploadedFile("a.gif", buffer.getvalue()))
    data = cleaned.read()
    assert content_type == "image/gif" and b"at home" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.n_frames == 3


@pytest.mark.django_db
def test_blowing_cites_a_duty_item_and_a_bad_one_saves_nothing(demo, body, jinhaihu):
    from datetime import date

    from django.utils import timezone

    from accounts import duties
    from accounts.models import District, DutyItem, DutyList

    item = duties.items_in_force(jinhaihu).get(number=5)
    street = api(demo["street_jinhaihu"])
    before = Whistle.objects.count()
    for bad in (999999, "abc"):
        answer = street.post("/api/v1/whistles/", {**body, "duty_item": bad}, format="json")
        assert answer.status_code == 400 and "duty_item" in answer.json(), answer.json()
    # an item of a list the street does not follow: another district's
    dongcheng = District.objects.get(name="东城区")
    other = DutyList.objects.create(
        district=dongcheng, version="2026", title="东城区街道职责清单",
        effective_from=date(2026, 1, 1), published_at=timezone.now(),
    )  # fmt: skip
    section = other.sections.create(number=1, title="城市管理")
    stale = DutyItem.objects.create(
        duty_list=other, section=section, number=1, title="拆违", role=item.role
    )
    answer = street.post("/api/v1/whistles/", {**body, "duty_item": stale.pk}, format="json")
    assert answer.status_code == 400 and "duty_item" in answer.json()
    assert Whistle.objects.count() == before  # nothing saved

    answer = street.post("/api/v1/whistles/", {**body, "duty_item": item.pk}, format="json")
    assert answer.status_code == 201 and answer.json()["duty_item"] == item.pk
    whistle = Whistle.objects.get(pk=answer.json()["id"])
    assert whistle.events.filter(type="duty_item_cited").count() == 1

    url = f"/api/v1/whistles/{whistle.pk}/duty-item/"
    assert street.post(url, {}, format="json").status_code == 400  # the field is named
    answer = street.post(url, {"duty_item": None}, format="json")
    assert answer.status_code == 200 and answer.json()["duty_item"] is None
    other = api(demo["street_longtan"]).post(url, {"duty_item": item.pk}, format="json")
    assert other.status_code == 404
