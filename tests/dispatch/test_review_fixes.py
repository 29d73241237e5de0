"""Found in review: inputs that once gave a 500, a leak of who goes between departments."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from dispatch import services
from whistle.models import Whistle

HUGE = 10**20  # no database integer holds it


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def web(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_ids_too_large_for_the_database_are_400_not_500(demo, blow, jinhaihu):
    street = api(demo["street_jinhaihu"])
    body = {
        "street": jinhaihu.pk,
        "kind": "enforcement",
        "category": "other",
        "title": "x",
        "location": "y",
        "departments": [HUGE],
    }
    answer = street.post("/api/v1/whistles/", body, format="json")
    assert answer.status_code == 400 and "departments" in answer.json()
    whistle = blow("police")
    answer = street.post(
        f"/api/v1/whistles/{whistle.pk}/summon/", {"departments": [HUGE]}, format="json"
    )
    assert answer.status_code == 400 and "departments" in answer.json()
    answer = api(demo["dept_pg_police"]).get(f"/api/v1/check-ins/?whistle={HUGE}")
    assert answer.status_code == 400 and "whistle" in answer.json()
    assert api(demo["dept_pg_police"]).get("/api/v1/check-ins/?whistle=1.5").status_code == 400
    page = web(demo["street_jinhaihu"]).post(
        "/whistles/new/",
        {
            "kind": "enforcement",
            "category": "other",
            "title": "x",
            "location": "y",
            "departments": str(HUGE),
        },
    )
    assert page.status_code == 200 and 'class="field-error"' in page.text
    answer = web(demo["street_jinhaihu"]).post(
        f"/whistles/{whistle.pk}/summon/", {"departments": str(HUGE)}
    )
    assert answer.status_code == 302
    assert Whistle.objects.count() == 1


@pytest.mark.django_db
def test_another_summoned_department_does_not_see_who_goes(demo, blow):
    whistle = blow("police", "chengguan")
    chengguan = whistle.check_ins.get(department__name="平谷区城管执法局")
    services.acknowledge(
        demo["dept_pg_chengguan"], chengguan, responder_name="王队长", responder_phone="13900000000"
    )

    def responder_as(username):
        body = api(demo[username]).get(f"/api/v1/whistles/{whistle.pk}/").json()
        return next(c for c in body["check_ins"] if c["id"] == chengguan.pk)["responder_phone"]

    assert responder_as("dept_pg_police") is None
    for username in ("dept_pg_chengguan", "street_jinhaihu", "district_pinggu", "hotline_operator"):
        assert responder_as(username) == "13900000000", username
    page = web(demo["dept_pg_police"]).get(f"/whistles/{whistle.pk}/").text
    assert "13900000000" not in page
    assert "13900000000" in web(demo["street_jinhaihu"]).get(f"/whistles/{whistle.pk}/").text


@pytest.mark.django_db
def test_the_queue_filters_by_street(demo, blow, jinhaihu):
    from accounts.models import Street

    blow("police")
    client = web(demo["dept_pg_police"])
    other = Street.objects.get(name="滨河街道")
    assert "将军关村盗采金矿" in client.get(f"/queue/items/?street={jinhaihu.pk}").text
    assert "将军关村盗采金矿" not in client.get(f"/queue/items/?street={other.pk}").text


@pytest.mark.django_db
def test_the_pages_hold_summaries_and_reasons_to_the_api_limits(demo, blow):
    whistle = blow("police")
    client = web(demo["street_jinhaihu"])
    client.post(f"/whistles/{whistle.pk}/resolve/", {"summary": "x" * 5001})
    whistle.refresh_from_db()
    assert whistle.status == "open" and whistle.resolution == ""
    client.post(f"/whistles/{whistle.pk}/cancel/", {"reason": "y" * 2001})
    whistle.refresh_from_db()
    assert whistle.status == "open"


@pytest.mark.django_db
def test_a_photo_lost_from_storage_is_404(demo, blow, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from whistle.services import add_photo

    settings.MEDIA_ROOT = tmp_path
    whistle = blow("police")
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3)).save(buffer, "PNG")
    photo = add_photo(
        whistle,
        SimpleUploadedFile("p.png", buffer.getvalue(), "image/png"),
        demo["street_jinhaihu"],
    )
    (tmp_path / photo.image.name).unlink()
    assert (
        api(demo["street_jinhaihu"])
        .get(f"/api/v1/whistles/{whistle.pk}/photos/{photo.pk}/")
        .status_code
        == 404
    )
