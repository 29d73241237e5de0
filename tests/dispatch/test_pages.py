"""The pages of the loop, as the street official, the dispatcher and the responder use them."""

import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from dispatch import services
from dispatch.choices import CheckInStatus
from dispatch.models import CheckIn
from whistle.choices import WhistleStatus
from whistle.models import Whistle


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), "blue").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "scene.png"
    return buffer


@pytest.fixture
def form_data(departments):
    return {
        "kind": "emergency",
        "category": "flood_control",
        "title": "桥下积水",
        "location": "海子村桥洞",
        "latitude": "40.2012",
        "longitude": "117.3345",
        "departments": [departments["chengguan"].pk, departments["planning"].pk],
    }


@pytest.mark.django_db
def test_the_blow_form_offers_the_one_four_n_with_duty_contacts(demo, jinhaihu):
    page = signed_in(demo["street_jinhaihu"]).get("/whistles/new/")
    assert page.status_code == 200
    text = page.text
    police = jinhaihu.stations.get(department__name="平谷公安分局")
    assert police.duty_contact in text and police.duty_phone in text
    assert (
        text.index("平谷区城管执法局") < text.index("平谷公安分局") < text.index("平谷区规划国土")
    )
    assert 'capture="environment"' in text  # the phone's camera
    assert "东城区" not in text


@pytest.mark.django_db
def test_blowing_from_the_form_with_a_photo_opens_the_whistle_page(
    demo, form_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = signed_in(demo["street_jinhaihu"])
    answer = client.post("/whistles/new/", {**form_data, "photos": [png()]})
    whistle = Whistle.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/whistles/{whistle.pk}/"
    assert whistle.kind == "emergency" and str(whistle.latitude) == "40.201200"
    assert whistle.photos.count() == 1 and whistle.check_ins.count() == 2
    page = client.get(answer["Location"])
    assert whistle.number in page.text and "平谷区规划国土" in page.text
    assert 'hx-trigger="every 3s"' in page.text


@pytest.mark.django_db
def test_blowing_while_the_broker_and_the_cache_are_down_saves_it_all_and_says_nothing_wrong(
    demo, form_data, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """The timers, the delivery tasks and the queue versions cannot be sent after commit:
    each is logged, the whistle and its deadlines stand, and the sweep marks them."""
    from django.core.cache import cache
    from django.utils import timezone

    from dispatch import deadlines
    from dispatch.tasks import deadline_reached
    from notifications.tasks import deliver, deliver_many

    def down(*args, **kwargs):
        raise ConnectionRefusedError("Redis is down")

    for task in (deadline_reached, deliver, deliver_many):
        monkeypatch.setattr(task, "apply_async", down)
    for method in ("add", "set_many", "get_many"):
        monkeypatch.setattr(cache, method, down)
    client = signed_in(demo["street_jinhaihu"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/whistles/new/", form_data, follow=True)
    whistle = Whistle.objects.get()
    assert answer.redirect_chain == [(f"/whistles/{whistle.pk}/", 302)]
    assert whistle.number in answer.text
    assert 'class="msg error' not in answer.text and 'class="msg warning' not in answer.text
    assert "not scheduled; the sweep will mark it" in caplog.text
    check_ins = list(whistle.check_ins.all())
    assert len(check_ins) == 2 and all(c.deadline > timezone.now() for c in check_ins)
    monkeypatch.undo()
    CheckIn.objects.filter(whistle=whistle).update(deadline=timezone.now())
    assert deadlines.sweep() == 2


@pytest.mark.django_db
def test_the_same_blow_form_posted_twice_blows_one_whistle(demo, form_data):
    client = signed_in(demo["street_jinhaihu"])
    page = client.get("/whistles/new/").text
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page).group(1)
    assert key not in client.get("/whistles/new/").text  # each form drawn has its own
    first = client.post("/whistles/new/", {**form_data, "idempotency_key": key})
    again = client.post("/whistles/new/", {**form_data, "idempotency_key": key}, follow=True)
    whistle = Whistle.objects.get()
    assert first["Location"] == again.redirect_chain[0][0] == f"/whistles/{whistle.pk}/"
    assert whistle.check_ins.count() == 2
    assert "这个哨已经从本表单吹过" in again.text
    # another form (another key) is another whistle
    client.post("/whistles/new/", {**form_data, "idempotency_key": "f" * 32})
    assert Whistle.objects.count() == 2


@pytest.mark.django_db
def test_a_bad_form_shows_errors_by_the_fields_keeps_what_was_typed_and_saves_nothing(
    demo, form_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = signed_in(demo["street_jinhaihu"])
    bad_photo = io.BytesIO(b"not an image at all")
    bad_photo.name = "x.jpg"
    page = client.post(
        "/whistles/new/",
        {**form_data, "category": "fire", "title": "保留的标题", "photos": [bad_photo]},
    )
    assert page.status_code == 200
    assert "保留的标题" in page.text and "海子村桥洞" in page.text
    assert page.text.count('class="field-error"') >= 1
    assert not Whistle.objects.exists() and not CheckIn.objects.exists()
    page = client.post("/whistles/new/", {**form_data, "photos": [bad_photo]})
    assert page.status_code == 200 and 'class="field-error"' in page.text
    assert not Whistle.objects.exists()
    page = client.post("/whistles/new/", {**form_data, "departments": []})
    assert page.status_code == 200 and not Whistle.objects.exists()


@pytest.mark.django_db
def test_a_forged_department_id_is_a_form_error(demo, form_data, departments):
    client = signed_in(demo["street_jinhaihu"])
    page = client.post(
        "/whistles/new/", {**form_data, "departments": [departments["dc_chengguan"].pk]}
    )
    assert page.status_code == 200 and 'class="field-error"' in page.text
    assert not Whistle.objects.exists()


@pytest.mark.django_db
def test_only_street_officials_open_the_blow_form(demo):
    assert signed_in(demo["dept_pg_police"]).get("/whistles/new/").status_code == 403
    assert signed_in(demo["district_pinggu"]).get("/whistles/new/").status_code == 403


@pytest.mark.django_db
def test_the_queue_shows_a_new_summons_and_acknowledges_in_one_step(demo, blow):
    client = signed_in(demo["dept_pg_police"])
    assert "将军关村盗采金矿" not in client.get("/queue/items/").text
    whistle = blow("police")
    items = client.get("/queue/items/").text
    assert "将军关村盗采金矿" in items and whistle.number in items
    check_in = whistle.check_ins.get()
    answer = client.post(
        f"/check-ins/{check_in.pk}/acknowledge/",
        {"responder_name": "张警官", "responder_phone": "13800000000"},
    )
    assert answer.status_code == 302
    check_in.refresh_from_db()
    assert check_in.status == CheckInStatus.ACKNOWLEDGED and check_in.responder_name == "张警官"
    # a colleague who acknowledges the same summons a moment later changes nothing
    client.post(f"/check-ins/{check_in.pk}/acknowledge/", {"responder_name": "李警官"})
    check_in.refresh_from_db()
    assert check_in.responder_name == "张警官"


@pytest.mark.django_db
def test_the_queue_filters_by_status_kind_and_street(demo, blow, jinhaihu):
    client = signed_in(demo["dept_pg_police"])
    blow("police")
    blow("police", kind="emergency", category="fire", title="仓库起火")
    assert "仓库起火" in client.get("/queue/items/?kind=emergency").text
    assert "仓库起火" not in client.get("/queue/items/?kind=enforcement").text
    assert "仓库起火" in client.get(f"/queue/items/?street={jinhaihu.pk}").text
    assert "仓库起火" not in client.get("/queue/items/?status=on_site").text


@pytest.mark.django_db
def test_the_responder_reports_on_site_from_the_phone_page_then_leaves(demo, blow):
    whistle = blow("police")
    check_in = whistle.check_ins.get()
    responder = signed_in(demo["dept_pg_police"])
    page = responder.get(f"/check-ins/{check_in.pk}/")
    assert page.status_code == 200 and "data-arrive-form" in page.text
    responder.post(f"/check-ins/{check_in.pk}/", {"latitude": "40.2", "longitude": "117.3"})
    check_in.refresh_from_db()
    assert (
        check_in.status == CheckInStatus.ON_SITE and str(check_in.arrival_latitude) == "40.200000"
    )
    responder.post(f"/check-ins/{check_in.pk}/leave/")
    check_in.refresh_from_db()
    assert check_in.status == CheckInStatus.ON_SITE  # 事不完、人不撤
    services.resolve(demo["street_jinhaihu"], whistle, summary="done")
    responder.post(f"/check-ins/{check_in.pk}/leave/")
    check_in.refresh_from_db()
    assert check_in.status == CheckInStatus.RELEASED


@pytest.mark.django_db
def test_a_stale_page_gets_a_clear_message_not_a_silent_overwrite(demo, blow):
    whistle = blow("police")
    official, clerk = signed_in(demo["street_jinhaihu"]), signed_in(demo["street_jinhaihu_clerk"])
    official.post(
        f"/whistles/{whistle.pk}/resolve/", {"summary": "处置完毕", "seen_status": "open"}
    )
    # the clerk's page still shows it open and cancels it
    answer = clerk.post(
        f"/whistles/{whistle.pk}/cancel/", {"reason": "误报", "seen_status": "open"}, follow=True
    )
    whistle.refresh_from_db()
    assert whistle.status == WhistleStatus.RESOLVED and whistle.cancel_reason == ""
    assert "已办结" in answer.text  # the message names what it is now


@pytest.mark.django_db
def test_the_street_follows_each_department_live(demo, blow):
    whistle = blow("police", "chengguan")
    services.arrive(demo["dept_pg_police"], whistle.check_ins.get(department__name="平谷公安分局"))
    live = signed_in(demo["street_jinhaihu"]).get(f"/whistles/{whistle.pk}/live/").text
    assert "已到场" in live and "已召集" in live and "data-deadline" in live


@pytest.mark.django_db
def test_queue_and_lists_do_not_grow_queries_with_rows(demo, blow):
    dispatcher, street = signed_in(demo["dept_pg_police"]), signed_in(demo["street_jinhaihu"])
    blow("police")
    urls = [
        (dispatcher, "/queue/items/"),
        (street, "/whistles/"),
        (street, f"/whistles/{Whistle.objects.get().pk}/live/"),
    ]

    def count(client, url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for client, url in urls:
        count(client, url)
    before = [count(c, u) for c, u in urls]
    for _ in range(6):
        blow("police", "chengguan")
    services.summon(
        demo["street_jinhaihu"],
        Whistle.objects.order_by("id").first(),
        [CheckIn.objects.first().department_id] * 1,
    )
    after = [count(c, u) for c, u in urls]
    assert before == after
