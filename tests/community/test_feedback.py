"""双报到, feedback to employers, with frozen time: the reports of a quarter are made while it
runs, generated exactly once on the deadline engine at its end (Beijing), their figures match
the raw check-ins, the unit's contact is told, and each unit's contact sees only its own."""

import io
import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Community, TimelineEvent
from community import dual, feedback
from community.models import EmployerReport, PartyUnit, SignUp
from core.periods import BEIJING
from dispatch import deadlines
from notifications.models import Notification

pytestmark = pytest.mark.django_db

ADDRESS = "夕照寺中街12号院3单元"


def at(*args):
    return datetime(*args, tzinfo=BEIJING)


def _user(username):
    return get_user_model().objects.create_user(username, full_name=username)


def _unit(user, street, name, contact):
    unit = dual.register_unit(
        user, street=street, name=name, party_organisation=name + "党委", kind="state_enterprise",
        contact_name="联系人", contact_phone="010-66660000",
    ).unit  # fmt: skip
    PartyUnit.objects.filter(pk=unit.pk).update(contact_user=contact)
    unit.refresh_from_db()
    return unit


def _member(username, community, employer, confirmer, phone):
    registration = dual.register_member(
        _user(username), community=community, employer=employer, name="党员" + username,
        phone=phone, address=ADDRESS,
    )  # fmt: skip
    return dual.confirm_member(confirmer, registration)


def _served(clock, worker, community, member, starts_at, hours=None, minutes=120):
    """An activity at `starts_at`, the member signed up the day before and checked in."""
    clock.move_to(starts_at - timedelta(days=1))
    activity = dual.publish_activity(
        worker, community, title="服务", starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes), capacity=30, place="社区活动室",
    )  # fmt: skip
    place = dual.sign_up(member.user, activity)
    clock.move_to(starts_at + timedelta(minutes=5))
    return dual.check_in(worker, place, hours=hours)


def _from_sign_ups(member, start, end):
    """The figures recomputed from the raw SignUp rows, in Python."""
    rows = [
        s
        for s in SignUp.objects.filter(member=member).select_related("activity")
        if s.checked_in_at is not None and start <= s.activity.starts_at < end
    ]
    return len(rows), sum((s.hours for s in rows), Decimal("0"))


def test_reports_of_a_quarter_are_generated_once_at_its_end(demo, longtan, jinhaihu):
    street = demo["street_longtan"]
    xizhao = Community.objects.get(name="夕照寺社区")
    guangming = Community.objects.get(name="光明社区")
    contact_a, contact_b = _user("contact_a"), _user("contact_b")
    with time_machine.travel(at(2026, 9, 10, 9), tick=False) as clock:
        unit_a = _unit(street, longtan, "北京市某国有公司", contact_a)
        unit_b = _unit(demo["street_jinhaihu"], jinhaihu, "平谷区某学校", contact_b)
        first = _member("fb_first", xizhao, unit_a, street, "13700001111").member
        idle = _member("fb_idle", xizhao, unit_a, street, "13700002222").member
        other = _member("fb_other", guangming, unit_b, street, "13700003333").member
        # Q3: served before the quarter of the report
        _served(clock, street, xizhao, first, at(2026, 9, 25, 10))

        clock.move_to(at(2026, 10, 10, 9))
        # the current quarter and the one before: 2 units × 2 quarters, once (the demo's
        # units get theirs too: only these two are counted here)
        ours = EmployerReport.objects.filter(unit__in=[unit_a, unit_b])
        feedback.ensure_reports()
        assert ours.count() == 4
        assert feedback.ensure_reports() == 0
        assert set(ours.values_list("unit_id", "period")) == {
            (unit_a.pk, "2026-Q3"), (unit_a.pk, "2026-Q4"),
            (unit_b.pk, "2026-Q3"), (unit_b.pk, "2026-Q4"),
        }  # fmt: skip
        report = EmployerReport.objects.get(unit=unit_a, period="2026-Q4")
        assert report.deadline == at(2027, 1, 1) and report.starts_at == at(2026, 10, 1)
        # made late, the Q3 reports are due at once; Q4's are not
        assert len(deadlines.mark_all_due(EmployerReport, ours.values("pk"))) == 2
        q3 = EmployerReport.objects.get(unit=unit_a, period="2026-Q3")
        assert q3.generated_at is not None
        assert q3.figures["totals"]["hours"] == "2.0"

        # Q4: in 夕照寺, then moved to 光明 (two communities), with a check-in in each
        _served(clock, street, xizhao, first, at(2026, 10, 12, 9), minutes=150)
        clock.move_to(at(2026, 10, 20, 9))
        moved = dual.move_member(
            first.user, first.registrations.exclude(status="ended").get(), community=guangming
        )
        dual.confirm_member(street, moved)
        _served(clock, street, guangming, first, at(2026, 11, 15, 14), hours="1.5")
        _served(clock, street, guangming, other, at(2026, 11, 15, 16))
        # signed up for January: not this quarter's
        clock.move_to(at(2026, 12, 20, 9))
        january = dual.publish_activity(
            street, guangming, title="新年慰问", starts_at=at(2027, 1, 3, 9),
            ends_at=at(2027, 1, 3, 11), capacity=5, place="社区活动室",
        )  # fmt: skip
        place = dual.sign_up(first.user, january)

        preview = feedback.employer_figures(unit_a, "2026-Q4")
        clock.move_to(at(2026, 12, 31, 23, 59))
        assert deadlines.mark_all_due(EmployerReport, ours.values("pk")) == []  # not yet
        clock.move_to(at(2027, 1, 1, 0, 0, 1))
        marked = deadlines.mark_all_due(EmployerReport, ours.values("pk"))
        assert len(marked) == 2 and report.pk in marked
        assert deadlines.mark_all_due(EmployerReport, ours.values("pk")) == []  # exactly once
        # checked in after the period: the frozen report does not move
        clock.move_to(at(2027, 1, 3, 9, 5))
        dual.check_in(street, place)

    report.refresh_from_db()
    assert report.generated_at == at(2027, 1, 1, 0, 0, 1)
    figures = report.figures
    assert figures == preview
    start, end = at(2026, 10, 1), at(2027, 1, 1)
    by_member = {m["member"]: m for m in figures["members"]}
    assert set(by_member) == {first.pk, idle.pk}  # the unit's members only
    for member in (first, idle):
        activities, hours = _from_sign_ups(member, start, end)
        assert by_member[member.pk]["activities"] == activities
        assert Decimal(by_member[member.pk]["hours"]) == hours
    assert (by_member[first.pk]["activities"], by_member[first.pk]["hours"]) == (2, "4.0")
    assert by_member[first.pk]["communities"] == ["夕照寺社区", "光明社区"]
    assert [r["status"] for r in by_member[first.pk]["registrations"]] == ["ended", "confirmed"]
    assert by_member[first.pk]["status"] == "confirmed" and not by_member[first.pk]["idle"]
    assert by_member[idle.pk]["idle"] and by_member[idle.pk]["activities"] == 0
    assert [i["member"] for i in figures["idle"]] == [idle.pk]
    assert figures["totals"] == {
        "members": 2, "confirmed": 2, "activities": 2, "hours": "4.0", "idle": 1,
    }  # fmt: skip
    assert feedback.report_figures(report) == figures  # frozen, not recomputed

    # one event, with counts and no personal data
    events = TimelineEvent.objects.filter(type="employer_report", subject_id=report.pk)
    assert events.count() == 1
    assert events.get().data["hours"] == "4.0"
    text = json.dumps(figures, ensure_ascii=False) + " ".join(
        json.dumps(d, ensure_ascii=False)
        for d in TimelineEvent.objects.values_list("data", flat=True)
    )
    for secret in ("13700001111", "13700002222", "13700003333", ADDRESS):
        assert secret not in text
    # the contact is told once, of their own unit's report only
    told = Notification.objects.filter(recipient=contact_a, kind="dual.employer_report")
    assert told.count() == 2  # Q3 and Q4
    assert told.filter(dedupe_key=f"employer-report:{report.pk}").count() == 1
    assert "13700001111" not in told.get(dedupe_key=f"employer-report:{report.pk}").body

    # the spreadsheet opens and holds the members and the totals
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(feedback.report_xlsx(report))).active
    assert sheet.title == "2026-Q4"
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [v[0] for v in values[:-1]] == sorted([first.name, idle.name])
    row = next(v for v in values if v[0] == first.name)
    assert row[1] == "夕照寺社区、光明社区" and row[3] == 2 and row[4] == 4.0
    assert values[-1][3:5] == [2, 4.0]
    context = feedback.report_context(report)
    assert context["final"] and context["totals"]["hours"] == Decimal("4.0")

    # who sees which report
    def seen(user):
        return set(feedback.employer_view(user).values_list("unit_id", "period"))

    assert seen(contact_a) == {(unit_a.pk, "2026-Q3"), (unit_a.pk, "2026-Q4")}
    assert seen(contact_b) == {(unit_b.pk, "2026-Q3"), (unit_b.pk, "2026-Q4")}
    # the offices see their streets' units (the demo's too): these two fall on either side
    ours = {unit_a.pk, unit_b.pk}
    assert {u for u, _p in seen(demo["street_longtan"])} & ours == {unit_a.pk}
    assert {u for u, _p in seen(demo["district_dongcheng"])} & ours == {unit_a.pk}
    assert {u for u, _p in seen(demo["street_jinhaihu"])} & ours == {unit_b.pk}
    assert {u for u, _p in seen(demo["hotline_operator"])} & ours == ours
    assert seen(demo["worker_longtan"]) == set()
    assert seen(first.user) == set()


def test_the_figures_take_the_same_queries_for_2_and_20_members(demo, longtan):
    street = demo["street_longtan"]
    xizhao = Community.objects.get(name="夕照寺社区")

    def figures_queries(count, name):
        unit = _unit(street, longtan, name, None)
        with time_machine.travel(at(2026, 11, 1, 9), tick=False) as clock:
            members = [
                _member(f"{name[-2:]}{i}", xizhao, unit, street, "13700009999").member
                for i in range(count)
            ]
            activity = dual.publish_activity(
                street, xizhao, title="服务", starts_at=at(2026, 11, 2, 9),
                ends_at=at(2026, 11, 2, 11), capacity=50, place="社区活动室",
            )  # fmt: skip
            places = [dual.sign_up(m.user, activity) for m in members[::2]]
            clock.move_to(at(2026, 11, 2, 9, 5))
            for place in places:
                dual.check_in(street, place)
        with CaptureQueriesContext(connection) as queries:
            figures = feedback.employer_figures(unit, "2026-Q4")
        assert figures["totals"]["members"] == count
        assert figures["totals"]["activities"] == len(places)
        assert figures["totals"]["idle"] == count - len(places)
        return len(queries)

    small = figures_queries(2, "单位二")
    large = figures_queries(20, "单位二十")
    assert small == large <= 4


def test_periods_follow_the_setting(settings):
    moment = at(2026, 11, 30, 23, 30)  # still November in Beijing, already in UTC too
    assert feedback.period_of(moment) == "2026-Q4"
    settings.DUAL_FEEDBACK_PERIOD = "month"
    assert feedback.period_of(moment) == "2026-11"
    assert feedback.period_of(at(2027, 1, 1, 0, 30)) == "2027-01"  # 2026-12-31 in UTC
    settings.DUAL_FEEDBACK_PERIOD = "year"
    assert feedback.period_of(moment) == "2026"
    assert feedback._previous("2026-Q1") == "2025-Q4"
    assert feedback._previous("2026-01") == "2025-12"
    assert feedback._previous("2026") == "2025"
