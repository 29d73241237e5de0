"""The outbox: written in the caller's transaction, exactly once in-app, delivered at least
once by a task claimed with a conditional UPDATE, retried with backoff, and swept up again
when its task was lost."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import close_old_connections, connection, transaction

from accounts.models import User
from dispatch.models import CheckIn
from notifications import services
from notifications.choices import DeliveryStatus
from notifications.models import Delivery, Notification
from notifications.tasks import deliver, deliver_many, sweep

from .conftest import T0


@pytest.fixture
def email_on(settings):
    settings.NOTIFICATIONS_CHANNELS = ["inapp", "email"]


@pytest.fixture
def police_with_email(demo):
    user = demo["dept_pg_police"]
    user.email = "police@example.org"
    user.save(update_fields=["email"])
    return user


def note(recipients, key="k:1", **fields):
    services.notify(
        recipients,
        kind=fields.get("kind", "test"),
        title=fields.get("title", "Title"),
        body=fields.get("body", "Body"),
        link=fields.get("link", "/somewhere/"),
        dedupe_key=key,
    )


@pytest.mark.django_db
def test_the_outbox_is_rolled_back_with_the_change_that_caused_it(
    blow, demo, email_on, police_with_email, enqueued, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        blow("police")
        assert Notification.objects.filter(recipient=police_with_email).count() == 1
        assert Delivery.objects.count() == 1
        raise RuntimeError("the change fails after the notification was written")
    assert not CheckIn.objects.exists()
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert enqueued == []  # nothing was sent for a change that never happened


@pytest.mark.django_db
def test_deliveries_are_enqueued_only_after_commit_and_never_in_the_request(
    blow, demo, email_on, police_with_email, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        blow("police")
        assert enqueued == []  # not before commit
    assert mail.outbox == []  # the request only wrote rows
    for callback in callbacks:
        callback()
    (delivery,) = Delivery.objects.all()
    assert [pk for pk, _options in enqueued] == [delivery.pk]
    assert deliver(delivery.pk) == "sent"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["police@example.org"]


@pytest.mark.django_db
def test_in_app_exactly_once_when_repeated(demo, email_on, police_with_email, enqueued):
    clerk = demo["street_jinhaihu_clerk"]
    for _ in range(3):
        note([police_with_email, clerk, police_with_email.pk])
    assert Notification.objects.filter(recipient=police_with_email).count() == 1
    assert Notification.objects.filter(recipient=clerk).count() == 1
    assert Delivery.objects.count() == 1  # the clerk has no email address
    note([police_with_email], key="k:2")
    assert Notification.objects.filter(recipient=police_with_email).count() == 2


@pytest.mark.django_db
def test_many_messages_are_written_at_once_and_sent_in_chunks(
    demo, email_on, monkeypatch, django_capture_on_commit_callbacks
):
    people = list(User.objects.all())
    for user in people:
        user.email = f"{user.username}@example.org"
    User.objects.bulk_update(people, ["email"])
    chunks = []
    monkeypatch.setattr(deliver_many, "apply_async", lambda a, **kw: chunks.append(a[0]))
    messages = [
        services.Message("test", f"Title {i}", f"many:{i}", users=tuple(u.pk for u in people))
        for i in range(10)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_many(messages) == 10 * len(people)
    assert Notification.objects.count() == Delivery.objects.count() == 10 * len(people)
    sent = [pk for chunk in chunks for pk in chunk]
    assert sorted(sent) == sorted(Delivery.objects.values_list("pk", flat=True))
    services.notify_many(messages)  # the same events again: nothing more is written
    assert Notification.objects.count() == Delivery.objects.count() == 10 * len(people)
    assert max(len(c) for c in chunks) == services.DELIVER_CHUNK
    assert deliver_many(chunks[0]) == {"sent": services.DELIVER_CHUNK}
    assert len(mail.outbox) == services.DELIVER_CHUNK
    assert deliver_many(chunks[0]) == {"skipped": services.DELIVER_CHUNK}  # sent once


@pytest.mark.django_db
def test_inactive_people_are_not_notified(demo):
    user = demo["dept_pg_police"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    note(User.objects.filter(pk=user.pk))
    note([user], key="k:2")
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_transactions_notifying_at_once_write_one_row(demo):
    police = demo["dept_pg_police"]
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                note([police.pk], key="race:1")
        except Exception as exc:  # re-raised below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert Notification.objects.filter(recipient=police, dedupe_key="race:1").count() == 1


@pytest.mark.django_db
def test_a_failed_send_is_retried_with_backoff_and_marked_sent_later(
    demo, settings, clock, receiver, enqueued
):
    settings.NOTIFICATIONS_CHANNELS = ["inapp", "webhook"]
    settings.NOTIFICATIONS_WEBHOOK_URL = receiver.url + "/hook"
    settings.NOTIFICATIONS_RETRY_SECONDS = 30
    receiver.answers = [(500, {"error": "busy"}), (503, {"error": "busy"})]
    note([demo["dept_pg_police"]], key="retry:1")
    (delivery,) = Delivery.objects.all()

    assert deliver(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "500" in delivery.last_error
    assert delivery.next_attempt_at == T0 + timedelta(seconds=30)
    assert enqueued[-1] == (delivery.pk, {"countdown": 30.0, "retry": False})
    assert deliver(delivery.pk) == "skipped"  # an early copy of the task does nothing

    clock.shift(timedelta(seconds=30))
    assert deliver(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at == T0 + timedelta(seconds=90)

    clock.shift(timedelta(seconds=60))
    assert deliver(delivery.pk) == "sent"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at == T0 + timedelta(seconds=90)
    assert deliver(delivery.pk) == "skipped"  # a duplicated task sends nothing more
    assert len(receiver.requests) == 3
    assert {r["headers"]["X-Dedupe-Key"] for r in receiver.requests} == {"retry:1"}


@pytest.mark.django_db
def test_attempts_are_bounded(demo, settings, clock, receiver, enqueued):
    settings.NOTIFICATIONS_CHANNELS = ["inapp", "webhook"]
    settings.NOTIFICATIONS_WEBHOOK_URL = receiver.url
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    receiver.answers = [(500, {})] * 5
    note([demo["dept_pg_police"]])
    (delivery,) = Delivery.objects.all()
    results = []
    for _ in range(4):
        results.append(deliver(delivery.pk))
        clock.shift(timedelta(hours=1))
    assert results == ["retry", "retry", "failed", "skipped"]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert len(receiver.requests) == 3


@pytest.mark.django_db
def test_a_channel_switched_off_fails_the_delivery_at_once(demo, settings, enqueued):
    settings.NOTIFICATIONS_CHANNELS = ["inapp", "webhook"]
    settings.NOTIFICATIONS_WEBHOOK_URL = "http://127.0.0.1:9/"
    note([demo["dept_pg_police"]])
    settings.NOTIFICATIONS_CHANNELS = ["inapp"]
    (delivery,) = Delivery.objects.all()
    assert deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert "not enabled" in delivery.last_error


@pytest.mark.django_db
def test_a_crash_right_after_commit_loses_nothing_the_sweep_sends_it(
    blow, demo, email_on, police_with_email, clock, settings, enqueued
):
    # The on-commit callbacks never run (django_db without capturing them): as if the process
    # died right after COMMIT, before it sent the task.
    blow("police")
    (delivery,) = Delivery.objects.all()
    assert enqueued == [] and delivery.status == DeliveryStatus.PENDING

    assert sweep() == 0  # within the grace period the first task may still come
    clock.shift(timedelta(seconds=settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS + 1))
    assert sweep() == 1
    assert [pk for pk, _options in enqueued] == [delivery.pk]
    assert sweep() == 0  # not sent again at every sweep while the task waits in the queue
    clock.shift(timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_SECONDS))
    assert sweep() == 1  # ... but again when it seems lost too

    assert deliver(delivery.pk) == "sent"
    assert deliver(delivery.pk) == "skipped"
    assert len(mail.outbox) == 1
    clock.shift(timedelta(hours=1))
    assert sweep() == 0


@pytest.mark.django_db
def test_a_worker_killed_while_sending_is_replaced_after_the_lease(
    demo, email_on, police_with_email, clock, settings, enqueued
):
    note([police_with_email])
    (delivery,) = Delivery.objects.all()
    # a worker claimed it and died before it could mark the outcome
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, next_attempt_at=T0 + services.lease()
    )
    assert deliver(delivery.pk) == "skipped"  # the lease holds
    clock.shift(services.lease() + timedelta(seconds=settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS))
    assert sweep() == 1
    assert deliver(delivery.pk) == "sent"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2


@pytest.mark.django_db
def test_an_unreachable_broker_never_fails_the_change(
    blow, demo, email_on, police_with_email, monkeypatch, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(deliver, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        whistle = blow("police")
    assert whistle.pk and Delivery.objects.get().status == DeliveryStatus.PENDING


@pytest.mark.django_db
def test_email_carries_the_dedupe_key_and_a_stable_message_id(
    demo, email_on, police_with_email, clock, enqueued, settings
):
    settings.NOTIFICATIONS_SITE_URL = "https://whistle.example.org"
    note([police_with_email], key="overdue:7", link="/whistles/7/")
    (delivery,) = Delivery.objects.all()
    assert deliver(delivery.pk) == "sent"
    (message,) = mail.outbox
    assert message.extra_headers["X-Dedupe-Key"] == "overdue:7"
    assert message.extra_headers["Message-ID"].startswith(f"<{delivery.notification_id}.")
    assert "https://whistle.example.org/whistles/7/" in message.body
    assert message.subject == "Title"
