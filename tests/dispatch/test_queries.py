"""The lists of whistles and check-ins (API and pages) run as many queries for 50 rows as for
one: no query per row."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient


def _clients(demo):
    street, police = Client(), Client()
    street.force_login(demo["street_jinhaihu"])
    police.force_login(demo["dept_pg_police"])
    api_street, api_police = APIClient(), APIClient()
    api_street.force_authenticate(demo["street_jinhaihu"])
    api_police.force_authenticate(demo["dept_pg_police"])
    return [
        (api_street, "/api/v1/whistles/"),
        (api_street, "/api/v1/check-ins/"),
        (api_police, "/api/v1/check-ins/"),
        (street, "/whistles/"),
        (police, "/queue/items/"),
    ]


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_whistle_and_check_in_lists_run_the_same_queries_for_1_and_50_whistles(
    demo, blow, settings
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "PAGE_SIZE": 100}
    targets = _clients(demo)
    blow("police", "chengguan")
    for client, url in targets:  # warm the per-process caches (content types, permissions)
        _count(client, url)
    one = [_count(client, url) for client, url in targets]
    for _ in range(49):
        blow("police", "chengguan")
    many = [_count(client, url) for client, url in targets]
    assert one == many, dict(
        zip([u for _c, u in targets], zip(one, many, strict=True), strict=True)
    )
    api_street = targets[0][0]
    assert api_street.get("/api/v1/whistles/").json()["count"] == 50
    assert api_street.get("/api/v1/check-ins/").json()["count"] == 100
