"""Every sign-in path counts failed attempts per username and per address (django-axes):
past the limit it answers 429 with how long to wait, even to the right password, until the
cool-off ends. A right password is never throttled. API tokens expire and die on sign-out."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

LIMIT = 3


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def sign_in(client, username, password, path="/accounts/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/", "/api/v1/auth/token/"])
def test_wrong_passwords_lock_the_account_for_the_cool_off_even_to_the_right_one(
    demo, settings, path
):
    client = APIClient() if path.startswith("/api/") else Client()
    for i in range(LIMIT - 1):
        assert sign_in(client, "admin", f"guess{i}", path).status_code in (200, 400)
    locked = sign_in(client, "admin", "guess-last", path)
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(settings.AXES_COOLOFF_TIME.seconds)
    said = locked.json()["detail"] if path.startswith("/api/") else locked.content.decode()
    assert "登录失败次数过多" in said and "15" in said
    right = sign_in(client, "admin", settings.DEMO_PASSWORD, path)
    assert right.status_code == 429  # the right password waits out the cool-off too
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=5)):
        right = sign_in(client, "admin", settings.DEMO_PASSWORD, path)
    assert right.status_code in (200, 302), right.status_code


@pytest.mark.django_db
def test_one_address_guessing_many_usernames_is_locked_out(demo, settings):
    client = Client(REMOTE_ADDR="10.1.2.3")
    for i, username in enumerate(("admin", "street_jinhaihu", "dept_pg_police")):
        answer = sign_in(client, username, f"guess{i}")
    assert answer.status_code == 429
    # another address is not: a colleague elsewhere signs in
    assert (
        sign_in(
            Client(REMOTE_ADDR="10.9.9.9"), "street_longtan", settings.DEMO_PASSWORD
        ).status_code
        == 302
    )


@pytest.mark.django_db
def test_a_new_forwarded_for_header_each_try_does_not_reset_the_count(demo):
    client = Client(REMOTE_ADDR="10.1.2.4")
    answers = [
        sign_in(client, f"nobody{i}", "x", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(LIMIT + 1)
    ]
    assert answers[-1] == 429


@pytest.mark.django_db
def test_with_a_trusted_proxy_the_address_it_saw_counts(demo, settings):
    """Behind one proxy that appends the address it saw: a client's own X-Forwarded-For
    entries (left of it) change nothing; another client behind the proxy signs in."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for i in range(LIMIT):
        answer = sign_in(proxy, f"nobody{i}", "x", HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 198.51.100.7")
    assert answer.status_code == 429
    other = sign_in(
        proxy, "street_longtan", settings.DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert other.status_code == 302


@pytest.mark.django_db
def test_twelve_colleagues_behind_one_address_all_get_tokens(demo, settings):
    client = APIClient(REMOTE_ADDR="10.7.7.7")
    people = list(demo)  # the twelve demo accounts
    for _round in range(2):
        for username in people:
            answer = sign_in(client, username, settings.DEMO_PASSWORD, "/api/v1/auth/token/")
            assert answer.status_code == 200 and answer.json()["token"], username


@pytest.mark.django_db
def test_a_token_expires_and_dies_on_sign_out(demo, settings):
    client = APIClient()
    token = sign_in(
        client, "street_jinhaihu", settings.DEMO_PASSWORD, "/api/v1/auth/token/"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 200
    later = timezone.now() + timedelta(hours=settings.API_TOKEN_HOURS, minutes=1)
    with time_machine.travel(later):
        assert client.get("/api/v1/me/").status_code == 401
        fresh = sign_in(
            APIClient(), "street_jinhaihu", settings.DEMO_PASSWORD, "/api/v1/auth/token/"
        )
        assert fresh.json()["token"] != token
        client.credentials(HTTP_AUTHORIZATION=f"Token {fresh.json()['token']}")
        assert client.get("/api/v1/me/").status_code == 200
        assert client.post("/api/v1/auth/logout/").status_code == 204
        assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_signing_out_of_the_pages_ends_the_api_token_too(demo, settings):
    token = sign_in(
        APIClient(), "street_jinhaihu", settings.DEMO_PASSWORD, "/api/v1/auth/token/"
    ).json()["token"]
    page = Client()
    assert sign_in(page, "street_jinhaihu", settings.DEMO_PASSWORD).status_code == 302
    page.post("/accounts/logout/")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 401
