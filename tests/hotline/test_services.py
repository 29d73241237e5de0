"""接诉即办 through the services: the whole path of a request, its deadlines on the engine,
call-backs and the three rates with the ranking rules."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Community, Street, TimelineEvent
from config.errors import Conflict
from hotline import rates, services
from hotline.models import CallBack, RequestCategory, RequestDeadline, ServiceRequest
from tests.services import swept

pytestmark = pytest.mark.django_db


@pytest.fixture
def noise(demo):
    return RequestCategory.objects.get(code="noise")


@pytest.fixture
def jinhaihu(demo):
    return Street.objects.get(name="金海湖镇")


@pytest.fixture
def take(demo, noise, jinhaihu):
    def make(street=jinhaihu, **fields):
        values = {
            "channel": "phone",
            "category": noise,
            "description": "夜间施工噪声扰民",
            "address": "金海湖镇将军关村",
            "citizen_name": "张三",
            "citizen_phone": "13812345678",
            "street": street,
        }
        values.update(fields)
        return services.take_request(demo["hotline_operator"], **values)

    return make


def _answered(demo, request):
    services.accept(demo["street_jinhaihu"], request)
    services.contact(demo["street_jinhaihu"], request)
    return services.reply(demo["street_jinhaihu"], request, reply="已协调施工方停工")


def test_suggestions_come_from_the_community_or_the_address(demo, jinhaihu):
    village = Community.objects.get(name="将军关村")
    assert services.suggest_street("", village) == jinhaihu
    assert services.suggest_street("北京市平谷区金海湖镇上宅村") == jinhaihu
    assert services.suggest_street("光明社区3号楼") == Street.objects.get(name="龙潭街道")
    assert services.suggest_street("无法识别的地址") is None


def test_a_request_is_dispatched_with_deadlines_by_category(demo, take, noise, jinhaihu):
    request = take()
    assert request.status == "dispatched" and request.street == jinhaihu
    rows = {d.kind: d for d in request.deadlines.all()}
    assert rows["response"].deadline - request.dispatched_at == timedelta(
        hours=noise.response_hours
    )
    assert rows["resolution"].deadline - request.dispatched_at == timedelta(
        hours=noise.resolution_hours
    )
    events = TimelineEvent.objects.filter(
        subject_id=request.pk, subject_type__model="servicerequest"
    )
    assert [e.type for e in events] == ["request_received", "request_dispatched"]
    for event in events:  # never the citizen's contact on the timeline
        assert "13812345678" not in str(event.data) and "张三" not in str(event.data)


def test_the_street_works_the_request_and_the_deadlines_are_met(demo, take):
    request = take()
    with pytest.raises(PermissionDenied):
        services.accept(demo["street_longtan"], request)
    with pytest.raises(PermissionDenied):
        services.accept(demo["hotline_operator"], request)
    request = _answered(demo, request)
    assert request.status == "replied"
    assert all(d.met_at is not None for d in request.deadlines.all())
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert swept(RequestDeadline) == 0  # met deadlines are never marked
    with pytest.raises(Conflict):
        services.reply(demo["street_jinhaihu"], request, reply="again")


def test_a_missed_response_deadline_is_marked_once_and_escalated(demo, take, noise):
    request = take()
    response = request.deadlines.get(kind="response")
    with time_machine.travel(response.deadline + timedelta(seconds=1)):
        assert swept(RequestDeadline) == 1
        assert swept(RequestDeadline) == 0
    response.refresh_from_db()
    assert response.overdue_at is not None
    types = TimelineEvent.objects.filter(subject_id=request.pk, type="request_overdue")
    assert types.count() == 1
    from notifications.models import Notification

    told = set(
        Notification.objects.filter(kind="hotline.overdue").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"street_jinhaihu", "street_jinhaihu_clerk", "district_pinggu"} <= told


def test_return_and_redispatch(demo, take):
    request = take()
    with pytest.raises(ValidationError):
        services.return_request(demo["street_jinhaihu"], request, reason=" ")
    services.return_request(demo["street_jinhaihu"], request, reason="不属于本镇辖区")
    request.refresh_from_db()
    assert request.status == "returned"
    assert all(d.cancelled_at is not None for d in request.deadlines.all())
    with pytest.raises(PermissionDenied):
        services.dispatch_request(
            demo["street_jinhaihu"], request, Street.objects.get(name="龙潭街道")
        )
    request = services.dispatch_request(
        demo["hotline_operator"], request, Street.objects.get(name="龙潭街道")
    )
    assert request.status == "dispatched" and request.street.name == "龙潭街道"
    assert request.deadlines.filter(cancelled_at=None, met_at=None).count() == 2
    with pytest.raises(PermissionDenied):  # the old street no longer handles it
        services.accept(demo["street_jinhaihu"], request)
    services.accept(demo["street_longtan"], request)


@pytest.mark.parametrize(
    "answers, field",
    [
        ({"reached": False, "resolved": True}, "resolved"),
        ({"reached": False, "satisfaction": "satisfied"}, "satisfaction"),
        (
            {"reached": True, "contacted": True, "resolved": None, "satisfaction": "satisfied"},
            "resolved",
        ),
        ({"reached": True, "contacted": True, "resolved": True}, "satisfaction"),
        (
            {
                "reached": True,
                "contacted": True,
                "resolved": True,
                "satisfaction": "satisfied",
                "reopen": True,
            },
            "reopen",
        ),
        ({"reached": "yes"}, "reached"),
    ],
)
def test_contradicting_call_back_answers_are_refused(demo, take, answers, field):
    request = _answered(demo, take())
    with pytest.raises(ValidationError) as exc:
        services.call_back(demo["hotline_operator"], request, **answers)
    assert field in exc.value.message_dict
    assert not CallBack.objects.exists()


def test_call_back_closes_or_reopens_and_only_the_latest_counts(demo, take):
    request = _answered(demo, take())
    with pytest.raises(PermissionDenied):
        services.call_back(demo["street_jinhaihu"], request, reached=False)
    services.call_back(
        demo["hotline_operator"], request, reached=True, contacted=True, resolved=False,
        satisfaction="dissatisfied", reopen=True,
    )  # fmt: skip
    request.refresh_from_db()
    assert (request.status, request.reopened) == ("accepted", 1)
    assert request.deadlines.filter(kind="resolution", met_at=None, cancelled_at=None).count() == 1
    with pytest.raises(Conflict):  # not replied again yet
        services.call_back(demo["hotline_operator"], request, reached=False)
    services.reply(demo["street_jinhaihu"], request, reply="已彻底解决")
    services.call_back(
        demo["hotline_operator"], request, reached=True, contacted=True, resolved=True,
        satisfaction="satisfied",
    )  # fmt: skip
    request.refresh_from_db()
    assert request.status == "closed"
    assert list(request.callbacks.values_list("latest", flat=True)) == [False, True]
    day = request.callbacks.get(latest=True).called_on
    row = rates.daily(day)["streets"][0]
    assert (row.valid, row.resolved, row.satisfied) == (1, 1, 1)  # counted once, by its latest


def test_the_three_rates_and_the_composite(demo, take, settings):
    answers = [
        (True, True, "satisfied"),
        (True, False, "basic"),
        (False, False, "dissatisfied"),
        (True, True, "basic"),
    ]
    for contacted, resolved, satisfaction in answers:
        request = _answered(demo, take())
        services.call_back(
            demo["hotline_operator"], request, reached=True, contacted=contacted,
            resolved=resolved, satisfaction=satisfaction,
        )  # fmt: skip
    services.call_back(demo["hotline_operator"], _answered(demo, take()), reached=False)
    today = timezone.localdate()
    (row,) = [r for r in rates.daily(today)["streets"] if r.street == "金海湖镇"]
    assert (row.volume, row.valid, row.contacted, row.resolved) == (5, 4, 3, 2)
    assert row.response_rate == Decimal("0.7500")
    assert row.resolution_rate == Decimal("0.5000")
    assert row.satisfaction_rate == Decimal("0.7000")  # (1 + 0.9 × 2) / 4
    assert row.composite == Decimal("0.6050")  # 0.1 × 0.75 + 0.5 × 0.5 + 0.4 × 0.7
    settings.HOTLINE_RATE_WEIGHTS = {"response": 0, "resolution": 1, "satisfaction": 0}
    (row,) = [r for r in rates.daily(today)["streets"] if r.street == "金海湖镇"]
    assert row.composite == Decimal("0.5000")


def test_the_monthly_ranking_needs_a_minimum_volume_and_gives_categories(demo, take, settings):
    settings.HOTLINE_RANK_MIN_CALLBACKS = 2
    settings.HOTLINE_ADVANCED_TOP = 1
    settings.HOTLINE_RECTIFY_BOTTOM = 1
    settings.HOTLINE_GOVERNANCE_TOP = 1
    settings.HOTLINE_GOVERNANCE_MONTHS = 1
    longtan = Street.objects.get(name="龙潭街道")
    shuguang = Street.objects.get(name="曙光街道")

    def answered(street, satisfaction, user):
        request = take(street=street)
        services.accept(user, request)
        services.reply(user, request, reply="已处理")
        services.call_back(
            demo["hotline_operator"], request, reached=True, contacted=True, resolved=True,
            satisfaction=satisfaction,
        )  # fmt: skip

    for _ in range(3):
        answered(None or Street.objects.get(name="金海湖镇"), "basic", demo["street_jinhaihu"])
    for _ in range(2):
        answered(longtan, "satisfied", demo["street_longtan"])
    answered(shuguang, "satisfied", demo["street_shuguang"])  # perfect, but a single call-back
    today = timezone.localdate()
    table = rates.monthly(today.year, today.month)["streets"]
    by_name = {r.street: r for r in table}
    assert by_name["龙潭街道"].rank == 1 and "advanced" in by_name["龙潭街道"].categories
    assert by_name["金海湖镇"].rank == 2 and "rectify" in by_name["金海湖镇"].categories
    assert by_name["曙光街道"].rank is None  # below the minimum: listed, unranked
    assert "governance" in by_name["金海湖镇"].categories  # top by volume this month
    assert [r.street for r in table[:2]] == ["龙潭街道", "金海湖镇"]


def test_a_street_that_climbs_is_improved(demo, take, settings):
    settings.HOTLINE_RANK_MIN_CALLBACKS = 1
    settings.HOTLINE_IMPROVED_PLACES = 1
    jinhaihu, longtan = Street.objects.get(name="金海湖镇"), Street.objects.get(name="龙潭街道")
    users = {jinhaihu.pk: demo["street_jinhaihu"], longtan.pk: demo["street_longtan"]}

    def answered(street, satisfaction):
        request = take(street=street)
        services.accept(users[street.pk], request)
        services.reply(users[street.pk], request, reply="已处理")
        services.call_back(
            demo["hotline_operator"], request, reached=True, contacted=True, resolved=True,
            satisfaction=satisfaction,
        )  # fmt: skip

    last_month = timezone.now().replace(day=1) - timedelta(days=2)
    with time_machine.travel(last_month):
        answered(jinhaihu, "dissatisfied")
        answered(longtan, "satisfied")
    answered(jinhaihu, "satisfied")
    answered(longtan, "dissatisfied")
    today = timezone.localdate()
    by_name = {r.street: r for r in rates.monthly(today.year, today.month)["streets"]}
    assert (by_name["金海湖镇"].rank, by_name["金海湖镇"].previous_rank) == (1, 2)
    assert "improved" in by_name["金海湖镇"].categories
    assert "improved" not in by_name["龙潭街道"].categories


def test_a_request_becomes_a_whistle_linked_both_ways(demo, take):
    from accounts.models import Department

    request = take()
    with pytest.raises(PermissionDenied):
        services.blow_from_request(demo["hotline_operator"], request)
    whistle = services.blow_from_request(
        demo["street_jinhaihu"],
        request,
        kind="key_work",
        category="illegal_construction",
        title="违建施工噪声",
        departments=[Department.objects.get(name="平谷区城管执法局")],
    )
    request.refresh_from_db()
    assert request.whistle == whistle and whistle.service_request == request
    with pytest.raises(Conflict):
        services.blow_from_request(demo["street_jinhaihu"], request, kind="key_work")


def test_bad_input_is_refused_and_nothing_saved(demo, noise, jinhaihu):
    operator = demo["hotline_operator"]
    with pytest.raises(ValidationError) as exc:
        services.take_request(
            operator, channel="fax", category=None, description=" ", citizen_phone="abc"
        )
    assert set(exc.value.message_dict) == {"channel", "category", "description", "citizen_phone"}
    with pytest.raises(PermissionDenied):
        services.take_request(
            demo["street_jinhaihu"], channel="phone", category=noise, description="x"
        )
    village = Community.objects.get(name="光明社区")
    with pytest.raises(ValidationError) as exc:
        services.take_request(
            operator, channel="phone", category=noise, description="x", community=village,
            street=jinhaihu,
        )  # fmt: skip
    assert "community" in exc.value.message_dict
    assert not ServiceRequest.objects.exists()
    assert not RequestDeadline.objects.exists()


def test_a_day_is_a_beijing_day(demo, take):
    # 2026-10-31 17:00 UTC is 2026-11-01 01:00 in Beijing
    from datetime import UTC, datetime

    with time_machine.travel(datetime(2026, 10, 31, 17, 0, tzinfo=UTC), tick=False):
        request = _answered(demo, take())
        services.call_back(demo["hotline_operator"], request, reached=False)
    assert request.number.startswith("20261101")
    assert CallBack.objects.get().called_on == date(2026, 11, 1)
    assert rates.daily(date(2026, 11, 1))["streets"][0].volume == 1
    assert not rates.daily(date(2026, 10, 31))["streets"]


def test_the_service_refuses_what_the_database_could_not_store(demo, noise):
    operator = demo["hotline_operator"]
    with pytest.raises(ValidationError) as exc:
        services.take_request(
            operator, channel="web", category=noise, description="a\x00b",
            address="x" * 201, citizen_name="y" * 61, citizen_email="not-an-email",
            latitude="NaN", longitude=181,
        )  # fmt: skip
    assert set(exc.value.message_dict) == {
        "description", "address", "citizen_name", "citizen_email", "latitude", "longitude",
    }  # fmt: skip
    assert not ServiceRequest.objects.exists()


def test_a_returned_request_goes_to_another_street(demo, take, jinhaihu):
    request = take()
    services.return_request(demo["street_jinhaihu"], request, reason="不属本镇")
    with pytest.raises(ValidationError) as exc:
        services.dispatch_request(demo["hotline_operator"], request, jinhaihu)
    assert "street" in exc.value.message_dict


# --- photos with the use case: all or nothing ------------------------------------------------


def _png():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), "image/png")


def _not_an_image():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.png", b"not an image", "image/png")


def _failing_on_the_second(monkeypatch, module, name):
    """`module.name` stores the first photo and fails on the second, as a full disk would,
    after every photo passed the check."""
    real, calls = getattr(module, name), []

    def add(*args):
        calls.append(args)
        if len(calls) == 2:
            raise OSError("No space left on device")
        return real(*args)

    monkeypatch.setattr(module, name, add)
    return calls


def _request_events(request_pk):
    return list(
        TimelineEvent.objects.filter(
            subject_id=request_pk, subject_type__model="servicerequest"
        ).values_list("type", flat=True)
    )


def test_a_request_taken_with_photos_is_all_or_nothing(demo, take, settings, tmp_path, monkeypatch):
    from hotline.models import RequestPhoto

    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as exc:
        take(photos=[_png(), _not_an_image()])
    assert set(exc.value.message_dict) == {"photos"}
    assert not ServiceRequest.objects.exists() and not RequestPhoto.objects.exists()
    assert not TimelineEvent.objects.filter(subject_type__model="servicerequest").exists()
    calls = _failing_on_the_second(monkeypatch, services, "add_photo")
    with pytest.raises(OSError):
        take(photos=[_png(), _png()])
    assert len(calls) == 2 and not ServiceRequest.objects.exists()
    assert not RequestPhoto.objects.exists() and not RequestDeadline.objects.exists()
    monkeypatch.undo()
    request = take(photos=[_png(), _png()])
    assert request.photos.count() == 2
    assert _request_events(request.pk) == [
        "request_received", "request_dispatched", "request_photo", "request_photo",
    ]  # fmt: skip


def test_photos_added_to_a_request_are_all_or_nothing(demo, take, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    request = take()
    street = demo["street_jinhaihu"]
    with pytest.raises(PermissionDenied):
        services.add_photos(demo["district_pinggu"], request, [_png()])
    with pytest.raises(ValidationError) as exc:
        services.add_photos(street, request, [_png(), _not_an_image()])
    assert set(exc.value.message_dict) == {"photos"}
    calls = _failing_on_the_second(monkeypatch, services, "add_photo")
    with pytest.raises(OSError):
        services.add_photos(street, request, [_png(), _png()])
    assert len(calls) == 2
    assert not request.photos.exists() and "request_photo" not in _request_events(request.pk)
    monkeypatch.undo()
    added = services.add_photos(street, request, [_png(), _png()])
    assert [p.pk for p in added] == list(request.photos.order_by("id").values_list("pk", flat=True))
    assert _request_events(request.pk).count("request_photo") == 2


def test_a_whistle_blown_from_a_request_with_photos_is_all_or_nothing(
    demo, take, settings, tmp_path, monkeypatch
):
    from accounts.models import Department
    from whistle import services as whistle_services
    from whistle.models import Event, Whistle, WhistlePhoto

    settings.MEDIA_ROOT = tmp_path
    request = take()
    street = demo["street_jinhaihu"]
    fields = {
        "kind": "key_work",
        "category": "illegal_construction",
        "title": "违建施工噪声",
        "departments": [Department.objects.get(name="平谷区城管执法局")],
    }
    with pytest.raises(ValidationError) as exc:
        services.blow_from_request(street, request, photos=[_png(), _not_an_image()], **fields)
    assert set(exc.value.message_dict) == {"photos"}
    calls = _failing_on_the_second(monkeypatch, whistle_services, "add_photo")
    with pytest.raises(OSError):
        services.blow_from_request(street, request, photos=[_png(), _png()], **fields)
    assert len(calls) == 2
    request.refresh_from_db()
    assert request.whistle is None and "request_whistle" not in _request_events(request.pk)
    assert not Whistle.objects.exists() and not WhistlePhoto.objects.exists()
    monkeypatch.undo()
    whistle = services.blow_from_request(street, request, photos=[_png()], **fields)
    assert whistle.photos.count() == 1
    assert Event.objects.filter(whistle=whistle, type="photo_added").count() == 1
