"""Delivery channels: one small interface, a registry, and the settings that switch them on.

A channel has a `name`, the `audiences` it serves ("user": a person's address; "phone": a
bare phone number; "broadcast": a group robot or webhook, once per event), `address(notification)` (where
it goes, or None when it does not apply) and `send(delivery)`, which returns when the message
left and raises when it did not (the delivery is then retried). `Permanent` means retrying
cannot help (the channel was switched off, the address is gone): the delivery fails at once.

Every outside message carries the notification's dedupe key (a header `X-Dedupe-Key`, and in
email the Message-ID too) so a receiver can drop the repeats of at-least-once delivery.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.request
from urllib.parse import quote_plus, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage

USER, PHONE, BROADCAST = "user", "phone", "broadcast"

# WeCom robots take at most 2048 bytes of text; DingTalk's limit is larger, keep one margin.
ROBOT_TEXT_BYTES = 2000


class Permanent(Exception):
    """Sending cannot succeed by retrying."""


class Channel:
    name = ""
    audiences: tuple[str, ...] = (USER,)

    def address(self, notification) -> str | None:
        """Where this notification goes through this channel; None: not through it."""
        return ""

    def send(self, delivery) -> None:
        raise NotImplementedError


def absolute(link: str) -> str:
    """The link as outside readers need it: prefixed with NOTIFICATIONS_SITE_URL; a path
    that cannot be made absolute (the setting is unset) is of no use outside: ""."""
    if not link.startswith("/"):
        return link
    site = settings.NOTIFICATIONS_SITE_URL
    return site.rstrip("/") + link if site else ""


def text_of(notification, limit_bytes: int | None = None) -> str:
    parts = [notification.title, notification.body, absolute(notification.link)]
    text = "\n".join(p for p in parts if p)
    if limit_bytes is not None:
        encoded = text.encode()
        if len(encoded) > limit_bytes:
            text = encoded[: limit_bytes - 3].decode(errors="ignore") + "…"
    return text


def post_json(url: str, payload, headers: dict | None = None) -> bytes:
    """POST JSON, return the body of a 2xx answer; raise on anything else (urllib raises
    HTTPError for 4xx/5xx, URLError/OSError/TimeoutError when the receiver is unreachable)."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=settings.NOTIFICATIONS_HTTP_TIMEOUT) as answer:
        return answer.read()


def _needs(value, setting: str):
    if not value:
        raise Permanent(f"{setting} is not set")
    return value


class InApp(Channel):
    """The notification row is the message: nothing to send, no delivery row."""

    name = "inapp"


class Email(Channel):
    name = "email"

    def address(self, notification):
        return (notification.recipient.email or None) if notification.recipient_id else None

    def send(self, delivery):
        notification = delivery.notification
        if not delivery.address:
            raise Permanent("no email address")
        domain = (settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost").strip(" >")
        digest = hashlib.sha256(notification.dedupe_key.encode()).hexdigest()[:20]
        message = EmailMessage(
            subject=" ".join(notification.title.split()),
            body=text_of(notification),
            to=[delivery.address],
            headers={
                # the same Message-ID on every attempt: mail systems drop the repeats
                "Message-ID": f"<{notification.pk}.{digest}@{domain}>",
                "X-Dedupe-Key": notification.dedupe_key,
            },
        )
        message.send(fail_silently=False)


class Sms(Channel):
    """POST {"phone", "text", "dedupe_key"} to NOTIFICATIONS_SMS_URL (a gateway of your own,
    or an adapter in front of the operator's API)."""

    name = "sms"
    audiences = (USER, PHONE)

    def address(self, notification):
        if notification.recipient_id:
            return notification.recipient.phone or None
        return notification.phone or None

    def send(self, delivery):
        url = _needs(settings.NOTIFICATIONS_SMS_URL, "NOTIFICATIONS_SMS_URL")
        if not delivery.address:
            raise Permanent("no phone number")
        key = delivery.notification.dedupe_key
        headers = {"X-Dedupe-Key": key}
        if settings.NOTIFICATIONS_SMS_TOKEN:
            headers["Authorization"] = f"Bearer {settings.NOTIFICATIONS_SMS_TOKEN}"
        post_json(
            url,
            {"phone": delivery.address, "text": text_of(delivery.notification), "dedupe_key": key},
            headers,
        )


class Webhook(Channel):
    """A generic JSON POST of each event; with NOTIFICATIONS_WEBHOOK_SECRET, the header
    `X-Signature: sha256=<hex HMAC of the body>` lets the receiver check the sender."""

    name = "webhook"
    audiences = (BROADCAST,)

    def send(self, delivery):
        url = _needs(settings.NOTIFICATIONS_WEBHOOK_URL, "NOTIFICATIONS_WEBHOOK_URL")
        n = delivery.notification
        payload = {
            "dedupe_key": n.dedupe_key,
            "kind": n.kind,
            "title": n.title,
            "body": n.body,
            "link": absolute(n.link) or n.link,
            "created_at": n.created_at.isoformat(),
        }
        headers = {"X-Dedupe-Key": n.dedupe_key}
        secret = settings.NOTIFICATIONS_WEBHOOK_SECRET
        if secret:
            body = json.dumps(payload, ensure_ascii=False).encode()
            signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Signature"] = f"sha256={signature}"
        post_json(url, payload, headers)


def _robot_answer(body: bytes, robot: str) -> None:
    """Both robots answer HTTP 200 with {"errcode": 0, ...}; anything else is a failure
    (e.g. 45009 / 130101: too many messages a minute — worth a retry)."""
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        raise RuntimeError(f"{robot}: not a JSON answer: {body[:200]!r}") from None
    if answer.get("errcode", 0) != 0:
        raise RuntimeError(f"{robot}: errcode {answer.get('errcode')}: {answer.get('errmsg')}")


class WeCom(Channel):
    """企业微信 group robot: NOTIFICATIONS_WECOM_URL is the robot's webhook address
    (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…)."""

    name = "wecom"
    audiences = (BROADCAST,)

    def send(self, delivery):
        url = _needs(settings.NOTIFICATIONS_WECOM_URL, "NOTIFICATIONS_WECOM_URL")
        n = delivery.notification
        payload = {"msgtype": "text", "text": {"content": text_of(n, ROBOT_TEXT_BYTES)}}
        _robot_answer(post_json(url, payload, {"X-Dedupe-Key": n.dedupe_key}), self.name)


def dingtalk_signed(url: str, secret: str, now_ms: int | None = None) -> str:
    """DingTalk's optional signing (加签): timestamp (ms) and the base64 HMAC-SHA256 of
    "timestamp\\nsecret" keyed by the secret, as query parameters."""
    timestamp = str(now_ms if now_ms is not None else round(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest))
    joiner = "&" if urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={sign}"


class DingTalk(Channel):
    """钉钉 group robot: NOTIFICATIONS_DINGTALK_URL is the robot's webhook address
    (https://oapi.dingtalk.com/robot/send?access_token=…); NOTIFICATIONS_DINGTALK_SECRET when
    the robot is set to sign (加签)."""

    name = "dingtalk"
    audiences = (BROADCAST,)

    def send(self, delivery):
        url = _needs(settings.NOTIFICATIONS_DINGTALK_URL, "NOTIFICATIONS_DINGTALK_URL")
        if settings.NOTIFICATIONS_DINGTALK_SECRET:
            url = dingtalk_signed(url, settings.NOTIFICATIONS_DINGTALK_SECRET)
        n = delivery.notification
        payload = {"msgtype": "text", "text": {"content": text_of(n, ROBOT_TEXT_BYTES)}}
        _robot_answer(post_json(url, payload, {"X-Dedupe-Key": n.dedupe_key}), self.name)


_registry: dict[str, type[Channel]] = {}


def register(channel_class: type[Channel]) -> type[Channel]:
    """Add a channel (usable as a class decorator); enable it by naming it in
    NOTIFICATIONS_CHANNELS."""
    _registry[channel_class.name] = channel_class
    return channel_class


for _channel in (InApp, Email, Sms, Webhook, WeCom, DingTalk):
    register(_channel)


def names() -> list[str]:
    return list(_registry)


def get(name: str) -> Channel:
    """The channel called `name` if it is enabled; Permanent otherwise."""
    if name not in settings.NOTIFICATIONS_CHANNELS or name not in _registry:
        raise Permanent(f"the channel {name!r} is not enabled")
    return _registry[name]()


def enabled(audience: str) -> list[Channel]:
    """The enabled outside channels for one audience, in the order of the settings."""
    return [
        _registry[name]()
        for name in settings.NOTIFICATIONS_CHANNELS
        if name in _registry and name != InApp.name and audience in _registry[name].audiences
    ]
