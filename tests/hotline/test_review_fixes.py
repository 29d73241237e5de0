"""Findings of the review of the 12345 hotline, each pinned by a test."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Street
from config.errors import Conflict
from hotline import rates, services
from hotline.models import RequestCategory, RequestDeadline, mask_phone

pytestmark = pytest.mark.django_db


def test_the_mask_hides_enough_of_any_number():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("010-12345678") == "010****5678"  # the area code is no secret
    assert mask_phone("12345678") == "****5678"
    for short in ("1234567", "12345", "123"):
        assert mask_phone(short) == "*" * len(short)
    assert mask_phone("") == ""


def _take(demo, street="金海湖镇"):
    return services.take_request(
        demo["hotline_operator"],
        channel="phone",
        category=RequestCategory.objects.get(code="noise"),
        description="噪声",
        citizen_phone="13812345678",
        street=Street.objects.get(name=street),
    )


def test_far_off_dates_are_refused_not_500(demo):
    api = APIClient()
    api.force_authenticate(demo["hotline_operator"])
    for period in ("9999-12-31", "0001-01-01", "9999-12", "1999-12-31"):
        assert api.get("/api/v1/hotline-rates/", {"period": period}).status_code == 400, period
    client = Client()
    client.force_login(demo["hotline_operator"])
    for query in ({"day": "9999-12-31"}, {"month": "9999-12"}, {"day": "0001-01-01"}):
        assert client.get("/hotline/rankings/", query).status_code == 200, query
        assert (
            client.get("/hotline/rankings/export/", {**query, "format": "csv"}).status_code == 400
        )
    assert (
        api.get("/api/v1/requests/suggest-street/", {"address": "金海湖\x00镇"}).status_code == 400
    )


def test_returning_after_the_deadline_keeps_the_overdue_mark(demo):
    request = _take(demo)
    RequestDeadline.objects.filter(request=request).update(
        deadline=timezone.now() - timedelta(hours=1)
    )
    services.return_request(demo["street_jinhaihu"], request, reason="不属本镇")
    rows = list(RequestDeadline.objects.filter(request=request))
    assert all(r.overdue_at is not None and r.cancelled_at is not None for r in rows)


def test_an_unreached_call_on_a_closed_request_changes_nothing(demo):
    request = _take(demo)
    services.accept(demo["street_jinhaihu"], request)
    services.reply(demo["street_jinhaihu"], request, reply="已处理")
    services.call_back(
        demo["hotline_operator"], request, reached=True, contacted=True, resolved=False,
        satisfaction="dissatisfied",
    )  # fmt: skip
    with pytest.raises(Conflict):
        services.call_back(demo["hotline_operator"], request, reached=False)
    (row,) = rates.daily(timezone.localdate())["streets"]
    assert (row.valid, row.resolved) == (1, 0)


def test_a_dispatch_outside_the_operators_city_is_refused(demo):
    from django.core.exceptions import ValidationError

    from accounts.models import City, District

    tianjin = City.objects.create(name="天津市")
    district = District.objects.create(city=tianjin, name="和平区")
    elsewhere = Street.objects.create(district=district, name="劝业场街道", kind="subdistrict")
    request = services.take_request(
        demo["hotline_operator"],
        channel="phone",
        category=RequestCategory.objects.get(code="noise"),
        description="噪声",
    )
    with pytest.raises(ValidationError) as exc:
        services.dispatch_request(demo["hotline_operator"], request, elsewhere)
    assert "street" in exc.value.message_dict
    api = APIClient()
    api.force_authenticate(demo["hotline_operator"])
    answer = api.post(f"/api/v1/requests/{request.pk}/dispatch/", {"street": elsewhere.pk})
    assert answer.status_code == 400 and "street" in answer.json()
    request.refresh_from_db()
    assert (request.status, request.street) == ("new", None)
    services.dispatch_request(
        demo["hotline_operator"], request, Street.objects.get(name="金海湖镇")
    )
