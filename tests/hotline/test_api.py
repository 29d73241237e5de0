"""The 12345 API: operators take and dispatch, streets handle, contact details stay private."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Community, Street
from hotline.models import CallBack, RequestCategory, ServiceRequest

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture
def api(demo):
    def client(username):
        c = APIClient()
        c.force_authenticate(demo[username])
        return c

    return client


@pytest.fixture
def body(demo):
    return {
        "category": RequestCategory.objects.get(code="noise").pk,
        "description": "夜间施工噪声",
        "address": "金海湖镇将军关村",
        "citizen_name": "张三",
        "citizen_phone": "13812345678",
        "street": Street.objects.get(name="金海湖镇").pk,
    }


def test_the_whole_path_through_the_api(api, body):
    operator, street = api("hotline_operator"), api("street_jinhaihu")
    created = operator.post(f"{API}requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="r1")
    assert created.status_code == 201, created.content
    data = created.json()
    again = operator.post(f"{API}requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="r1")
    assert again.json()["id"] == data["id"] and ServiceRequest.objects.count() == 1
    assert (data["status"], data["citizen_phone"]) == ("dispatched", "13812345678")
    url = f"{API}requests/{data['id']}/"
    # lists mask the contact; another street and another district see nothing
    listed = street.get(f"{API}requests/").json()["results"][0]
    assert listed["citizen_phone"] == "138****5678" and listed["citizen_name"] == "张*"
    assert street.get(url).json()["citizen_phone"] == "13812345678"
    assert api("district_pinggu").get(url).json()["citizen_phone"] == "138****5678"
    assert api("street_longtan").get(url).status_code == 404
    assert api("district_dongcheng").get(url).status_code == 404
    assert street.post(url + "accept/").json()["status"] == "accepted"
    assert street.post(url + "contact/", {"note": "电话联系"}).status_code == 200
    assert street.post(url + "reply/", {}).status_code == 400
    assert street.post(url + "reply/", {"reply": "已停工"}).json()["status"] == "replied"
    contradiction = operator.post(
        url + "callbacks/", {"reached": False, "resolved": True}, format="json"
    )
    assert contradiction.status_code == 400 and "resolved" in contradiction.json()
    assert street.post(url + "callbacks/", {"reached": False}, format="json").status_code == 403
    done = operator.post(
        url + "callbacks/",
        {"reached": True, "contacted": True, "resolved": True, "satisfaction": "satisfied"},
        format="json",
    )
    assert done.status_code == 201 and CallBack.objects.count() == 1
    assert operator.get(url).json()["status"] == "closed"


def test_bad_input(api, body):
    operator = api("hotline_operator")
    for change, field in (
        ({"category": 10**20}, "category"),
        ({"category": "noise"}, "category"),
        ({"street": 999999}, "street"),
        ({"description": ""}, "description"),
        ({"citizen_phone": "call me"}, "citizen_phone"),
        ({"latitude": "NaN"}, "latitude"),
        ({"community": Community.objects.get(name="光明社区").pk}, "community"),
    ):
        answer = operator.post(f"{API}requests/", {**body, **change}, format="json")
        assert answer.status_code == 400 and field in answer.json(), (change, answer.content)
    assert api("street_jinhaihu").post(f"{API}requests/", body, format="json").status_code == 403
    assert not ServiceRequest.objects.exists()


def test_return_redispatch_and_suggestion(api, body):
    operator, street = api("hotline_operator"), api("street_jinhaihu")
    data = operator.post(f"{API}requests/", {**body, "street": None}, format="json").json()
    assert data["status"] == "new"
    url = f"{API}requests/{data['id']}/"
    suggestion = operator.get(f"{API}requests/suggest-street/", {"address": body["address"]})
    assert suggestion.json()["street_name"] == "金海湖镇"
    assert operator.get(f"{API}requests/suggest-street/", {"community": "x"}).status_code == 400
    assert operator.post(url + "dispatch/", {"street": 10**20}).status_code == 400
    assert street.post(url + "dispatch/", {"street": body["street"]}).status_code == 404
    assert operator.post(url + "dispatch/", {"street": body["street"]}).status_code == 200
    assert street.post(url + "return/", {"reason": "不属于本镇"}).json()["status"] == "returned"
    longtan = Street.objects.get(name="龙潭街道").pk
    assert operator.post(url + "dispatch/", {"street": longtan}).json()["street_name"] == "龙潭街道"
    assert street.get(url).status_code == 404
    assert api("street_longtan").post(url + "accept/").status_code == 200


def test_rates_endpoint(api, body):
    operator = api("hotline_operator")
    assert operator.get(f"{API}hotline-rates/", {"period": "2026-13"}).status_code == 400
    assert operator.get(f"{API}hotline-rates/", {"period": "2026-02-30"}).status_code == 400
    assert operator.get(f"{API}hotline-rates/", {"period": "²⁰²⁶-11"}).status_code == 400
    month = operator.get(f"{API}hotline-rates/").json()
    assert month["results"] == []
    operator.post(f"{API}requests/", body, format="json")
    from django.utils import timezone

    day = operator.get(f"{API}hotline-rates/", {"period": timezone.localdate().isoformat()}).json()
    assert day["top"][0]["street_name"] == "金海湖镇" and day["top"][0]["volume"] == 1


def _png():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), "image/png")


def test_photos_of_a_request(api, body, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    operator, street = api("hotline_operator"), api("street_jinhaihu")
    data = operator.post(f"{API}requests/", body, format="json").json()
    url = f"{API}requests/{data['id']}/photos/"
    added = street.post(url, {"file": _png()}, format="multipart")
    assert added.status_code == 201, added.content
    fake = SimpleUploadedFile("x.png", b"not an image", "image/png")
    assert operator.post(url, {"file": fake}, format="multipart").status_code == 400
    assert api("district_pinggu").post(url, {"file": _png()}, format="multipart").status_code == 403
    assert api("street_longtan").post(url, {"file": _png()}, format="multipart").status_code == 404
    detail = street.get(f"{API}requests/{data['id']}/").json()
    assert [p["id"] for p in detail["photos"]] == [added.json()["id"]]
    file_url = detail["photos"][0]["url"]
    assert street.get(file_url).status_code == 200
    assert api("district_pinggu").get(file_url).status_code == 200  # sees the request
    assert api("street_longtan").get(file_url).status_code == 404
    assert api("dept_pg_police").get(file_url).status_code == 404


def test_photos_taken_with_the_request_on_the_page(demo, body, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    settings.MEDIA_ROOT = tmp_path
    client = Client()
    client.force_login(demo["hotline_operator"])
    form = {
        "channel": "phone",
        "category": body["category"],
        "description": body["description"],
        "street": body["street"],
    }
    bad = SimpleUploadedFile("x.png", b"not an image", "image/png")
    answer = client.post("/hotline/new/", {**form, "photos": [_png(), bad]})
    assert answer.status_code == 200 and not ServiceRequest.objects.exists()
    answer = client.post("/hotline/new/", {**form, "photos": [_png(), _png()]})
    assert answer.status_code == 302
    assert ServiceRequest.objects.get().photos.count() == 2


def test_a_requests_photo_is_stored_without_its_metadata(api, body, settings, tmp_path):
    from tests.dispatch.test_api import _jpeg_with_exif, photo_bytes

    settings.MEDIA_ROOT = tmp_path
    operator = api("hotline_operator")
    data = operator.post(f"{API}requests/", body, format="json").json()
    added = operator.post(
        f"{API}requests/{data['id']}/photos/", {"file": _jpeg_with_exif()}, format="multipart"
    )
    assert added.status_code == 201, added.content
    stored = photo_bytes(operator, added.json()["url"])
    assert b"PhoneMaker" not in stored and b"GPS" not in stored and b"Exif" not in stored
