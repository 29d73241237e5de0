import pytest
from rest_framework.test import APIClient

from accounts.models import DispatchedAgency, Station, StationedOfficer, Street


@pytest.fixture
def streets(demo):
    """The four streets of the permission matrix."""
    return {
        s.name: s
        for s in Street.objects.filter(name__in=["金海湖镇", "滨河街道", "龙潭街道", "曙光街道"])
    }


@pytest.fixture
def station(streets):
    """平谷区城管执法局's station in 金海湖镇 (the "1")."""
    return Station.objects.get(street=streets["金海湖镇"], department__name="平谷区城管执法局")


@pytest.fixture
def agency(streets):
    """金海湖派出所, of 平谷公安分局."""
    return DispatchedAgency.objects.get(street=streets["金海湖镇"], name="金海湖派出所")


@pytest.fixture
def officer(streets):
    return (
        StationedOfficer.objects.filter(street=streets["金海湖镇"], department__name="平谷公安分局")
        .order_by("pk")
        .first()
    )


@pytest.fixture
def api(demo):
    def client(username):
        c = APIClient()
        c.force_authenticate(demo[username])
        return c

    return client
