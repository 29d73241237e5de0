"""The dispatcher's live queue: while nothing changed for its departments, the fragment's poll
is answered 204 from the cache alone (no query); a change committed for one of them draws the
fragment again, with the new summons; elsewhere nothing changes for it."""

import re
from datetime import timedelta
from urllib.parse import quote, unquote

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from dispatch import live, services
from dispatch.views import LIVE_PARAM


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def token_of(html: str) -> str:
    """The token in the fragment's own polling URL."""
    found = re.search(r'hx-get="/queue/items/\?([^"]*)"', html)
    assert found, html[:500]
    query = dict(part.split("=", 1) for part in found.group(1).replace("&amp;", "&").split("&"))
    return unquote(query[LIVE_PARAM])


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_an_unchanged_queue_answers_204_without_a_query_and_a_summons_draws_it_again(
    demo, blow, fresh_cache, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client = signed_in(demo["dept_pg_police"])
    page = client.get("/queue/")
    assert 'hx-trigger="every 500ms' in page.text
    token = token_of(page.text)

    with django_assert_num_queries(0):
        answer = client.get("/queue/items/", {LIVE_PARAM: token})
    assert answer.status_code == 204 and answer.content == b""
    assert "private" in answer["Cache-Control"]

    with django_capture_on_commit_callbacks(execute=True):
        blow("chengguan")  # another department's summons: the police's queue did not change
    with django_assert_num_queries(0):
        assert client.get("/queue/items/", {LIVE_PARAM: token}).status_code == 204

    with django_capture_on_commit_callbacks(execute=True):
        whistle = blow("police")
    answer = client.get("/queue/items/", {LIVE_PARAM: token})
    assert answer.status_code == 200 and whistle.number in answer.text
    newer = token_of(answer.text)
    assert newer != token
    assert client.get("/queue/items/", {LIVE_PARAM: newer}).status_code == 204

    # acknowledging changes the queue too (its card changes)
    check_in = whistle.check_ins.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.acknowledge(demo["dept_pg_police"], check_in, responder_name="张警官")
    assert client.get("/queue/items/", {LIVE_PARAM: newer}).status_code == 200


@pytest.mark.django_db
def test_a_forged_or_foreign_token_gets_the_full_way(demo, blow, fresh_cache):
    police = signed_in(demo["dept_pg_police"])
    token = token_of(police.get("/queue/").text)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert police.get("/queue/items/", {LIVE_PARAM: forged}).status_code == 200
    # signed for the queue, but the person is signed out: the full way asks to sign in
    assert Client().get("/queue/items/", {LIVE_PARAM: forged}).status_code == 302
    # someone who is not a dispatcher gets what the queue answers them today
    street = signed_in(demo["street_jinhaihu"])
    assert street.get("/queue/items/", {LIVE_PARAM: forged}).status_code == 403


@pytest.mark.django_db
def test_a_cache_each_process_keeps_for_itself_falls_back_to_polling_every_3s(
    demo, settings, fresh_cache
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    page = signed_in(demo["dept_pg_police"]).get("/queue/")
    assert 'hx-trigger="every 3000ms' in page.text
    assert LIVE_PARAM + "=" not in page.text
    assert live.token([1]) is None


@pytest.mark.django_db
def test_a_cache_that_fails_draws_the_queue_from_the_database(demo, blow, monkeypatch):
    client = signed_in(demo["dept_pg_police"])
    token = token_of(client.get("/queue/").text)

    def down(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(live, "_read", down)
    monkeypatch.setattr(live.cache, "set_many", down)
    whistle = blow("police")  # touch() logs, the summons stands
    answer = client.get("/queue/items/", {LIVE_PARAM: token})
    assert answer.status_code == 200 and whistle.number in answer.text
    assert 'hx-trigger="every 3000ms' in answer.text  # polling the database until it is back


@pytest.mark.django_db
def test_a_token_answers_204_for_a_minute_at_most(demo, fresh_cache):
    client = signed_in(demo["dept_pg_police"])
    token = token_of(client.get("/queue/").text)
    with time_machine.travel(timezone.now() + timedelta(seconds=live.TOKEN_MAX_AGE - 5)):
        assert client.get("/queue/items/", {LIVE_PARAM: token}).status_code == 204
    with time_machine.travel(timezone.now() + timedelta(seconds=live.TOKEN_MAX_AGE + 5)):
        assert client.get("/queue/items/", {LIVE_PARAM: token}).status_code == 200


@pytest.mark.django_db
def test_the_wsgi_shortcut_answers_before_django_and_passes_the_rest_on(demo, fresh_cache):
    passed = []

    def django_app(environ, start_response):
        passed.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"drawn"]

    app = live.Shortcut(django_app)
    token = live.token([demo["dept_pg_police"].memberships.get().department_id])
    statuses = []

    def call(path, query, method="GET"):
        environ = {"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": method}
        body = b"".join(app(environ, lambda status, headers: statuses.append(status)))
        return statuses[-1], body

    assert call("/queue/items/", f"show=open&{LIVE_PARAM}={quote(token)}") == (
        "204 No Content",
        b"",
    )
    assert passed == []
    assert call("/queue/items/", f"{LIVE_PARAM}=forged") == ("200 OK", b"drawn")
    assert call("/queue/items/", f"{LIVE_PARAM}={quote(token)}", "POST") == ("200 OK", b"drawn")
    assert call("/whistles/", f"{LIVE_PARAM}={quote(token)}") == ("200 OK", b"drawn")
    assert len(passed) == 3
