"""Who is told what by the loop: summons, reminders before the deadline (on the deadline
engine, with frozen time), the overdue escalation, and the end of the whistle."""

from datetime import timedelta

import pytest
from django.utils import translation

from accounts.models import DepartmentLeader, User
from dispatch import deadlines, services
from dispatch.models import CheckInReminder
from dispatch.tasks import deadline_reached
from notifications.models import Delivery, Notification

from .conftest import T0


def inbox(kind=None):
    """{username: [titles]} of the in-app notifications."""
    rows = Notification.objects.exclude(recipient=None).select_related("recipient")
    if kind:
        rows = rows.filter(kind=kind)
    found = {}
    for n in rows.order_by("id"):
        found.setdefault(n.recipient.username, []).append(n.title)
    return found


@pytest.mark.django_db
def test_a_summons_tells_the_summoned_departments_dispatchers(blow, demo):
    whistle = blow("police", "chengguan")
    summoned = inbox("check_in.summoned")
    assert set(summoned) == {"dept_pg_police", "dept_pg_chengguan"}
    (title,) = summoned["dept_pg_police"]
    assert "平谷公安分局" in title and "金海湖镇" in title
    police = Notification.objects.get(recipient=demo["dept_pg_police"])
    check_in = whistle.check_ins.get(department__name="平谷公安分局")
    assert police.dedupe_key == f"summoned:{check_in.pk}"
    assert str(check_in.pk) in police.link
    assert whistle.number in police.body


@pytest.mark.django_db
def test_texts_are_in_the_platforms_language_whoever_caused_them(blow, demo, clock):
    with translation.override("en"):
        blow("police")
    (n,) = Notification.objects.all()
    assert n.title == "金海湖镇吹哨召集平谷公安分局：请于09:30前到场报到"


@pytest.mark.django_db
def test_reminders_at_10_and_5_minutes_left_fire_once_each(blow, demo, clock, settings):
    assert settings.DISPATCH_REMINDER_MINUTES == [10, 5]
    check_in = blow("police").check_ins.get()
    ten, five = CheckInReminder.objects.filter(check_in=check_in).order_by("deadline")
    assert (ten.minutes_left, ten.deadline) == (10, T0 + timedelta(minutes=20))
    assert (five.minutes_left, five.deadline) == (5, T0 + timedelta(minutes=25))

    clock.shift(timedelta(minutes=20) - timedelta(seconds=1))
    assert deadlines.sweep() == 0
    assert deadline_reached("dispatch.checkinreminder", ten.pk) is False  # early timer
    clock.shift(timedelta(seconds=2))
    # the ETA timer, then the sweep and a duplicated timer: one reminder
    assert deadline_reached("dispatch.checkinreminder", ten.pk) is True
    assert deadlines.sweep() == 0
    assert deadline_reached("dispatch.checkinreminder", ten.pk) is False
    assert inbox("check_in.reminder") == {
        "dept_pg_police": ["还剩 10 分钟：平谷公安分局尚未到达金海湖镇现场"]
    }

    clock.shift(timedelta(minutes=5))
    assert deadlines.sweep() == 1
    assert deadlines.sweep() == 0
    assert inbox("check_in.reminder")["dept_pg_police"][1] == (
        "还剩 5 分钟：平谷公安分局尚未到达金海湖镇现场"
    )
    assert Notification.objects.filter(kind="check_in.reminder").count() == 2
    assert set(
        Notification.objects.filter(kind="check_in.reminder").values_list("dedupe_key", flat=True)
    ) == {f"reminder:{check_in.pk}:10", f"reminder:{check_in.pk}:5"}
    assert list(CheckInReminder.objects.values_list("sent", flat=True)) == [True, True]


@pytest.mark.django_db
def test_no_reminder_once_the_department_is_on_site(blow, demo, clock):
    check_in = blow("police").check_ins.get()
    clock.shift(timedelta(minutes=15))
    services.arrive(demo["dept_pg_police"], check_in)
    clock.shift(timedelta(minutes=20))
    assert deadlines.sweep() == 0
    for reminder in CheckInReminder.objects.all():
        assert deadline_reached("dispatch.checkinreminder", reminder.pk) is False
    assert inbox("check_in.reminder") == {}
    assert not CheckInReminder.objects.filter(sent=True).exists()


@pytest.mark.django_db
def test_only_the_reminders_still_ahead_are_sent_after_arriving_between_them(blow, demo, clock):
    """On site after the first reminder: the second is not sent."""
    check_in = blow("police").check_ins.get()
    clock.shift(timedelta(minutes=21))
    assert deadlines.sweep() == 1
    services.arrive(demo["dept_pg_police"], check_in)
    clock.shift(timedelta(minutes=5))
    assert deadlines.sweep() == 0
    assert len(inbox("check_in.reminder")["dept_pg_police"]) == 1


@pytest.mark.django_db
def test_a_late_sweep_sends_only_the_nearest_reminder(blow, demo, clock):
    blow("police")
    clock.shift(timedelta(minutes=26))  # no timer and no sweep ran at 20 minutes
    assert deadlines.sweep() == 2  # both reminders are handled ...
    assert inbox("check_in.reminder") == {  # ... one is sent, with the real time left
        "dept_pg_police": ["还剩 4 分钟：平谷公安分局尚未到达金海湖镇现场"]
    }


@pytest.mark.django_db
def test_no_reminder_after_the_deadline(blow, demo, clock, settings):
    blow("police")
    clock.shift(timedelta(minutes=31))
    deadlines.sweep()
    assert inbox("check_in.reminder") == {}
    assert "check_in.overdue" in {n.kind for n in Notification.objects.all()}


@pytest.mark.django_db
def test_reminders_follow_the_setting_and_skip_what_is_already_past(blow, demo, settings):
    settings.DISPATCH_REMINDER_MINUTES = [15]
    blow("police")
    assert list(CheckInReminder.objects.values_list("minutes_left", flat=True)) == [15]
    settings.WHISTLE_CHECKIN_DEADLINE_SECONDS = 600  # ten minutes: 15 left is already past
    blow("chengguan")
    assert CheckInReminder.objects.count() == 1


@pytest.mark.django_db
def test_the_duty_contact_gets_the_summons_and_reminders_by_sms(
    blow, demo, clock, settings, receiver, enqueued
):
    settings.NOTIFICATIONS_CHANNELS = ["inapp", "sms"]
    settings.NOTIFICATIONS_SMS_URL = receiver.url + "/sms"
    check_in = blow("police").check_ins.get()
    phone = check_in.station.duty_phone
    clock.shift(timedelta(minutes=20, seconds=1))
    deadlines.sweep()
    texts = Notification.objects.filter(recipient=None, phone=phone).order_by("id")
    assert [n.kind for n in texts] == ["check_in.summoned", "check_in.reminder"]
    for pk in Delivery.objects.values_list("pk", flat=True):
        from notifications.tasks import deliver

        assert deliver(pk) == "sent"
    assert [receiver.json(i)["phone"] for i in range(2)] == [phone, phone]
    assert receiver.json(1)["dedupe_key"] == f"reminder:{check_in.pk}:10"


@pytest.mark.django_db
def test_overdue_escalates_to_leaders_with_accounts_dispatchers_street_and_district(
    blow, demo, clock, departments
):
    police = departments["police"]
    leaders = list(DepartmentLeader.objects.filter(department=police))
    assert leaders, "the demo has leaders for every department"
    chief = User.objects.create_user("police_chief", full_name="局长")
    leaders[0].user = chief
    leaders[0].save(update_fields=["user"])
    whistle = blow("police")
    check_in = whistle.check_ins.get()
    clock.shift(timedelta(minutes=30, seconds=1))
    assert deadline_reached("dispatch.checkin", check_in.pk) is True
    assert deadlines.sweep() == 0  # marked once: notified once
    told = inbox("check_in.overdue")
    assert set(told) == {
        "police_chief",  # the leader with an account (the others have none)
        "dept_pg_police",
        "street_jinhaihu",
        "street_jinhaihu_clerk",
        "district_pinggu",
    }
    assert all(len(titles) == 1 for titles in told.values())
    overdue = Notification.objects.filter(kind="check_in.overdue").first()
    assert overdue.dedupe_key == f"overdue:{check_in.pk}"
    assert str(whistle.pk) in overdue.link
    assert overdue.title == "超时：平谷公安分局未在09:30前到达金海湖镇现场"


@pytest.mark.django_db
def test_resolving_tells_each_summoned_department_whether_to_leave_or_not_come(blow, demo, clock):
    whistle = blow("police", "chengguan")
    police = whistle.check_ins.get(department__name="平谷公安分局")
    clock.shift(timedelta(minutes=10))
    services.arrive(demo["dept_pg_police"], police)
    services.resolve(demo["street_jinhaihu"], whistle, summary="盗采点已查封")
    told = inbox("whistle.resolved")
    assert set(told) == {"dept_pg_police", "dept_pg_chengguan"}
    assert "撤离" in told["dept_pg_police"][0]
    assert "无需" in told["dept_pg_chengguan"][0]
    resolved = Notification.objects.filter(kind="whistle.resolved").first()
    assert "盗采点已查封" in resolved.body


@pytest.mark.django_db
def test_cancelling_tells_each_summoned_department_once(blow, demo):
    from dispatch import services
    from notifications.models import Notification

    whistle = blow("police", "chengguan")
    services.cancel(demo["street_jinhaihu"], whistle, reason="误报")
    cancelled = Notification.objects.filter(kind="whistle.cancelled")
    assert set(cancelled.values_list("recipient__username", flat=True)) == {
        "dept_pg_police",
        "dept_pg_chengguan",
    }
    assert all("误报" in n.body for n in cancelled)
