from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Department, Street


@pytest.fixture
def jinhaihu(demo):
    return Street.objects.get(name="金海湖镇")


@pytest.fixture
def departments(demo):
    """The Pinggu departments by key: chengguan (1), police (4), planning (N)."""
    return {
        "chengguan": Department.objects.get(name="平谷区城管执法局"),
        "police": Department.objects.get(name="平谷公安分局"),
        "planning": Department.objects.get(name="平谷区规划国土"),
        "dc_chengguan": Department.objects.get(name="东城区城管执法局"),
    }


@pytest.fixture
def blow(demo, jinhaihu, departments):
    """Blow a whistle in 金海湖镇 as street_jinhaihu, summoning the given department keys."""
    from dispatch.services import blow_whistle

    def _blow(*keys, **overrides):
        fields = {
            "street": jinhaihu,
            "kind": "enforcement",
            "category": "illegal_mining",
            "title": "将军关村盗采金矿",
            "location": "将军关村北山",
            "departments": [departments[k] for k in (keys or ("chengguan", "police"))],
        }
        fields.update(overrides)
        return blow_whistle(demo["street_jinhaihu"], **fields)

    return _blow


@pytest.fixture
def resolved(demo, blow):
    """A resolved 金海湖镇 whistle blown an hour ago: 城管 on site after 12 minutes (on time),
    公安 never came (overdue), 规划 on site 38 minutes after the summons (8 minutes late)."""
    from dispatch import services

    def _resolved(title="将军关村盗采金矿", late=True):
        start = timezone.now() - timedelta(hours=1)
        keys = ("chengguan", "police", "planning") if late else ("chengguan", "police")
        with time_machine.travel(start, tick=False):
            whistle = blow(*keys, title=title)
        check_ins = {c.department.name: c for c in whistle.check_ins.select_related("department")}
        with time_machine.travel(start + timedelta(minutes=12), tick=False):
            services.arrive(demo["dept_pg_chengguan"], check_ins["平谷区城管执法局"])
        if late:
            with time_machine.travel(start + timedelta(minutes=38), tick=False):
                services.arrive(demo["dept_pg_planning"], check_ins["平谷区规划国土"])
        services.resolve(demo["street_jinhaihu"], whistle, summary="盗采点已查封")
        whistle.refresh_from_db()
        return whistle

    return _resolved
