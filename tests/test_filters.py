"""One filter per list for the page and the API: a street outside the person's scope answers the
same everywhere (the API: 400 naming `street`; a page: the error on its form and no rows), and
the person's own street filters."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Department, Street
from dispatch.services import blow_whistle
from hotline import services as hotline
from hotline.models import RequestCategory

API_LISTS = [
    "whistles",
    "check-ins",
    "departments",
    "stations",
    "agencies",
    "officers",
    "supervision-orders",
    "personnel-recommendations",
    "officer-records",
    "officer-assessments",
    "major-matters",
    "opinions",
    "requests",
    "evaluations",
]
PAGES = [
    "/whistles/",
    "/hotline/",
    "/powers/orders/",
    "/powers/recommendations/",
    "/powers/officers/",
    "/powers/matters/",
]


@pytest.fixture
def streets(demo):
    return {
        "own": Street.objects.get(name="金海湖镇"),  # the official's own street
        "sibling": Street.objects.get(name="滨河街道"),  # another street of 平谷区: in scope
        "unseen": Street.objects.get(name="龙潭街道"),  # 东城区
    }


@pytest.fixture
def rows(demo, streets):
    """A whistle blown by 金海湖镇 and a 12345 request dispatched to it."""
    blow_whistle(
        demo["street_jinhaihu"],
        street=streets["own"],
        kind="enforcement",
        category="illegal_mining",
        title="河道盗采",
        location="金海湖北岸",
        departments=list(Department.objects.stationed_in(streets["own"])[:2]),
    )
    hotline.take_request(
        demo["hotline_operator"],
        channel="phone",
        category=RequestCategory.objects.order_by("id").first(),
        description="路灯不亮",
        street=streets["own"],
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", API_LISTS)
def test_the_api_refuses_an_unseen_street_and_filters_by_a_seen_one(demo, streets, rows, name):
    client = APIClient()
    client.force_authenticate(demo["street_jinhaihu"])
    refused = client.get(f"/api/v1/{name}/", {"street": streets["unseen"].pk})
    assert refused.status_code == 400, refused.content
    assert "street" in refused.json()
    whole = client.get(f"/api/v1/{name}/").json()["count"]
    own = client.get(f"/api/v1/{name}/", {"street": streets["own"].pk})
    assert own.status_code == 200
    if name in ("whistles", "check-ins", "requests"):  # the rows above, all in the own street
        assert own.json()["count"] == whole > 0


@pytest.mark.django_db
def test_a_street_in_scope_but_not_ones_own_is_checked_against_the_scope(demo, streets, rows):
    """The own street is taken without a query; another street of the district goes through
    the scope's query: accepted, and nothing of 金海湖镇 listed under it."""
    client = APIClient()
    client.force_authenticate(demo["street_jinhaihu"])
    answer = client.get("/api/v1/whistles/", {"street": streets["sibling"].pk})
    assert answer.status_code == 200 and answer.json()["count"] == 0
    assert client.get("/api/v1/whistles/", {"street": streets["own"].pk}).json()["count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_a_page_refuses_an_unseen_street_as_its_api_does(demo, streets, rows, path):
    client = Client()
    client.force_login(demo["street_jinhaihu"])
    whole = client.get(path)
    assert whole.status_code == 200
    refused = client.get(path, {"street": streets["unseen"].pk})
    assert refused.status_code == 200
    assert 'class="field-error"' in refused.text
    assert refused.context["page"].paginator.count == 0
    own = client.get(path, {"street": streets["own"].pk})
    assert own.status_code == 200 and 'class="field-error"' not in own.text
    assert own.context["page"].paginator.count <= whole.context["page"].paginator.count
    if path in ("/whistles/", "/hotline/"):  # the rows above, the only ones, in the own street
        assert own.context["page"].paginator.count == whole.context["page"].paginator.count == 1
