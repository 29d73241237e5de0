"""What the outside channels send, received by a local HTTP server (no network)."""

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from notifications import channels, services
from notifications.choices import DeliveryStatus
from notifications.models import Delivery, Notification
from notifications.tasks import deliver
from tests.test_settings_env import assert_one_line_naming, manage


def broadcast(key="overdue:42", kind="check_in.overdue", recipients=()):
    services.notify(
        recipients,
        kind=kind,
        title="超时：平谷公安分局未按时到场",
        body="哨 金海湖-2026-0001：将军关村盗采金矿。",
        link="/whistles/42/",
        dedupe_key=key,
    )


def send_all() -> list[str]:
    return [deliver(pk) for pk in Delivery.objects.order_by("pk").values_list("pk", flat=True)]


@pytest.mark.django_db
def test_wecom_robot_gets_a_text_message_once_per_event(settings, receiver, enqueued, demo):
    settings.NOTIFICATIONS_CHANNELS = ["inapp", "wecom"]
    settings.NOTIFICATIONS_WECOM_URL = receiver.url + "/cgi-bin/webhook/send?key=abc"
    settings.NOTIFICATIONS_SITE_URL = "https://whistle.example.org"
    # three people: three in-app rows, one robot message
    broadcast(recipients=[demo["dept_pg_police"], demo["district_pinggu"], demo["admin"]])
    broadcast(recipients=[demo["dept_pg_police"]])  # repeated: nothing more
    assert Notification.objects.filter(recipient=None).count() == 1
    assert send_all() == ["sent"]
    (request,) = receiver.requests
    assert request["path"] == "/cgi-bin/webhook/send?key=abc"
    assert request["headers"]["X-Dedupe-Key"] == "overdue:42"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert receiver.json() == {
        "msgtype": "text",
        "text": {
            "content": "超时：平谷公安分局未按时到场\n哨 金海湖-2026-0001：将军关村盗采金矿。\n"
            "https://whistle.example.org/whistles/42/"
        },
    }


@pytest.mark.django_db
def test_dingtalk_robot_signs_when_a_secret_is_set(settings, receiver, enqueued, clock):
    settings.NOTIFICATIONS_CHANNELS = ["inapp", "dingtalk"]
    settings.NOTIFICATIONS_DINGTALK_URL = receiver.url + "/robot/send?access_token=t0k"
    settings.NOTIFICATIONS_DINGTALK_SECRET = "SEC123"
    broadcast()
    assert send_all() == ["sent"]
    (request,) = receiver.requests
    query = parse_qs(urlsplit(request["path"]).query)
    assert query["access_token"] == ["t0k"]
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(b"SEC123", f"{timestamp}\nSEC123".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]
    assert receiver.json()["msgtype"] == "text"
    assert receiver.json()["text"]["content"].startswith("超时：平谷公安分局未按时到场")
    assert request["headers"]["X-Dedupe-Key"] == "overdue:42"


@pytest.mark.django_db
def test_dingtalk_without_a_secret_posts_to_the_url_as_given(settings, receiver, enqueued):
    settings.NOTIFICATIONS_CHANNELS = ["inapp", "dingtalk"]
    settings.NOTIFICATIONS_DINGTALK_URL = receiver.url + "/robot/send?access_token=t0k"
    settings.NOTIFICATIONS_DINGTALK_SECRET = ""
    broadcast()
    assert send_all() == ["sent"]
    assert receiver.requests[0]["path"] == "/robot/send?access_token=t0k"


@pytest.mark.django_db
def test_a_robot_error_code_is_a_failure_and_retried(settings, receiver, enqueued):
    settings.NOTIFICATIONS_CHANNELS = ["inapp", "wecom"]
    settings.NOTIFICATIONS_WECOM_URL = receiver.url + "/send?key=k"
    receiver.answers = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    broadcast()
    assert send_all() == ["retry"]
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and "45009" in delivery.last_error


def test_robot_text_is_cut_to_what_wecom_accepts():
    n = Notification(title="标题", body="很长" * 2000, link="")
    text = channels.text_of(n, channels.ROBOT_TEXT_BYTES)
    assert len(text.encode()) <= channels.ROBOT_TEXT_BYTES and text.endswith("…")


@pytest.mark.django_db
def test_the_generic_webhook_posts_the_event_signed(settings, receiver, enqueued):
    settings.NOTIFICATIONS_CHANNELS = ["inapp", "webhook"]
    settings.NOTIFICATIONS_WEBHOOK_URL = receiver.url + "/events"
    settings.NOTIFICATIONS_WEBHOOK_SECRET = "s3cret"
    broadcast()
    assert send_all() == ["sent"]
    (request,) = receiver.requests
    payload = json.loads(request["body"])
    assert payload["dedupe_key"] == "overdue:42" and payload["kind"] == "check_in.overdue"
    assert payload["link"] == "/whistles/42/"
    signature = hmac.new(b"s3cret", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Signature"] == f"sha256={signature}"


@pytest.mark.django_db
def test_broadcast_kinds_limit_what_the_robots_get(settings, receiver, enqueued):
    settings.NOTIFICATIONS_CHANNELS = ["inapp", "wecom"]
    settings.NOTIFICATIONS_WECOM_URL = receiver.url
    settings.NOTIFICATIONS_BROADCAST_KINDS = ["check_in.overdue"]
    broadcast(key="a", kind="check_in.summoned")
    broadcast(key="b", kind="check_in.overdue")
    assert list(Notification.objects.values_list("dedupe_key", flat=True)) == ["b"]


@pytest.mark.django_db
def test_sms_goes_to_a_persons_phone_and_to_a_bare_number(settings, receiver, enqueued, demo):
    settings.NOTIFICATIONS_CHANNELS = ["inapp", "sms"]
    settings.NOTIFICATIONS_SMS_URL = receiver.url + "/sms"
    settings.NOTIFICATIONS_SMS_TOKEN = "tok"
    police = demo["dept_pg_police"]
    police.phone = "13800000001"
    police.save(update_fields=["phone"])
    services.notify(
        [police, demo["district_pinggu"]], kind="k", title="T", body="B", dedupe_key="sms:1"
    )
    services.notify_phone(["13900000002", "13900000002"], kind="k", title="T", dedupe_key="sms:1")
    assert send_all() == ["sent", "sent"]  # the reviewer has no phone number
    bodies = sorted((receiver.json(i) for i in range(2)), key=lambda b: b["phone"])
    assert bodies == [
        {"phone": "13800000001", "text": "T\nB", "dedupe_key": "sms:1"},
        {"phone": "13900000002", "text": "T", "dedupe_key": "sms:1"},
    ]
    assert {r["headers"]["Authorization"] for r in receiver.requests} == {"Bearer tok"}
    assert {r["headers"]["X-Dedupe-Key"] for r in receiver.requests} == {"sms:1"}


@pytest.mark.django_db
def test_without_a_phone_channel_a_bare_number_writes_nothing(settings):
    settings.NOTIFICATIONS_CHANNELS = ["inapp", "email"]
    services.notify_phone(["13900000002"], kind="k", title="T", dedupe_key="x")
    assert not Notification.objects.exists()


def test_a_custom_channel_plugs_in(settings):
    @channels.register
    class Pager(channels.Channel):
        name = "pager"

    try:
        settings.NOTIFICATIONS_CHANNELS = ["inapp", "pager"]
        assert [c.name for c in channels.enabled(channels.USER)] == ["pager"]
        assert isinstance(channels.get("pager"), Pager)
    finally:
        channels._registry.pop("pager")


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"NOTIFICATIONS_CHANNELS": "inapp,pigeon"}, "NOTIFICATIONS_CHANNELS"),
        ({"NOTIFICATIONS_CHANNELS": "inapp,wecom"}, "NOTIFICATIONS_WECOM_URL"),
        ({"NOTIFICATIONS_DINGTALK_URL": "ftp://x"}, "NOTIFICATIONS_DINGTALK_URL"),
        ({"DISPATCH_REMINDER_MINUTES": "10,five"}, "DISPATCH_REMINDER_MINUTES"),
        ({"DISPATCH_REMINDER_MINUTES": "10,0"}, "DISPATCH_REMINDER_MINUTES"),
    ],
)
def test_bad_notification_settings_stop_with_one_line_naming_them(tmp_path, variables, named):
    result = manage(tmp_path, "check", DEBUG="1", **variables)
    assert_one_line_naming(result, named)


def test_outside_messages_leave_out_a_path_they_cannot_make_absolute(settings):
    n = Notification(title="T", body="B", link="/whistles/1/")
    settings.NOTIFICATIONS_SITE_URL = ""
    assert channels.text_of(n) == "T\nB"
    settings.NOTIFICATIONS_SITE_URL = "https://whistle.example.org/"
    assert channels.text_of(n) == "T\nB\nhttps://whistle.example.org/whistles/1/"
