import pytest

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
