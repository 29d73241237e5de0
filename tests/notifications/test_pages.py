"""The in-app side: the bell with its count, the list of one's own notifications, marking
read (POST only, CSRF), the JSON API, and query counts that do not grow with the rows."""

import json

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from notifications import services
from notifications.models import Notification


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def give(user, n=1, start=0, link="/whistles/1/"):
    for i in range(start, start + n):
        services.notify(
            [user], kind="test", title=f"Title {i}", body=f"Body {i}", link=link, dedupe_key=f"k{i}"
        )
    return list(Notification.objects.filter(recipient=user).order_by("id"))


@pytest.mark.django_db
def test_the_bell_shows_the_unread_count(demo):
    police = demo["dept_pg_police"]
    give(police, 3)
    give(demo["dept_pg_chengguan"], 5)
    client = signed_in(police)
    with CaptureQueriesContext(connection) as ctx:
        answer = client.get("/notifications/bell/")
    assert answer.status_code == 200
    assert 'data-unread="3"' in answer.text and ">3</span>" in answer.text
    assert answer.text.count('id="notification-bell"') == 1
    assert 'hx-get="/notifications/bell/"' in answer.text
    assert json.loads(answer["HX-Trigger"]) == {"notificationsUnread": {"count": 3}}
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1  # one COUNT, not one per use in the template
    services.mark_all_read(police)
    answer = client.get("/notifications/bell/")
    assert 'data-unread="0"' in answer.text and "bell-count" not in answer.text


@pytest.mark.django_db
def test_the_bell_is_for_signed_in_people(demo):
    assert Client().get("/notifications/bell/").status_code == 302


@pytest.mark.django_db
def test_every_page_has_the_bell_exactly_once(demo):
    police = demo["dept_pg_police"]
    give(police, 2)
    client = signed_in(police)
    for url in ("/", "/notifications/", "/org/", "/whistles/"):
        page = client.get(url, follow=True)  # a dispatcher's home is the queue
        text = page.content.decode()
        assert page.status_code == 200, url
        assert text.count('id="notification-bell"') == 1, url
        assert 'data-unread="2"' in text, url
    assert 'id="notification-bell"' not in Client().get("/accounts/login/").text


@pytest.mark.django_db
def test_the_context_processor_counts_only_when_asked(demo, rf):
    from notifications.context_processors import unread

    request = rf.get("/")
    request.user = demo["dept_pg_police"]
    give(request.user, 2)
    with CaptureQueriesContext(connection) as ctx:
        context = unread(request)
    assert len(ctx.captured_queries) == 0
    with CaptureQueriesContext(connection) as ctx:
        assert context["unread_notifications"]() == 2
        assert context["unread_notifications"]() == 2
    assert len(ctx.captured_queries) == 1
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert unread(request) == {}


@pytest.mark.django_db
def test_the_list_shows_only_ones_own_newest_first(demo):
    police, other = demo["dept_pg_police"], demo["dept_pg_chengguan"]
    give(police, 3)
    give(other, 1, start=10)
    page = signed_in(police).get("/notifications/")
    assert page.status_code == 200
    assert page.text.index("Title 2") < page.text.index("Title 1") < page.text.index("Title 0")
    assert "Title 10" not in page.text
    assert Client().get("/notifications/").status_code == 302


@pytest.mark.django_db
def test_marking_read_needs_a_post_and_only_ones_own(demo):
    police, other = demo["dept_pg_police"], demo["dept_pg_chengguan"]
    (mine,) = give(police)
    (theirs,) = give(other, start=5)
    client = signed_in(police)
    assert client.get(f"/notifications/{mine.pk}/read/").status_code == 405
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    answer = client.post(f"/notifications/{mine.pk}/read/")
    assert answer.status_code == 302 and answer["Location"] == "/notifications/"
    mine.refresh_from_db()
    first = mine.read_at
    assert first is not None
    client.post(f"/notifications/{mine.pk}/read/")
    mine.refresh_from_db()
    assert mine.read_at == first  # the first reading counts


@pytest.mark.django_db
def test_opening_marks_read_and_goes_to_the_link_if_it_is_ours(demo):
    police = demo["dept_pg_police"]
    (inside,) = give(police, link="/whistles/7/")
    outside = give(police, start=1, link="https://evil.example.com/")[-1]
    client = signed_in(police)
    answer = client.post(f"/notifications/{inside.pk}/read/", {"open": "1"})
    assert answer["Location"] == "/whistles/7/"
    answer = client.post(f"/notifications/{outside.pk}/read/", {"open": "1"})
    assert answer["Location"] == "/notifications/"
    answer = client.post(
        f"/notifications/{outside.pk}/read/", {"next": "https://evil.example.com/"}
    )
    assert answer["Location"] == "/notifications/"


@pytest.mark.django_db
def test_marking_needs_the_csrf_token(demo):
    police = demo["dept_pg_police"]
    (mine,) = give(police)
    client = signed_in(police, enforce_csrf_checks=True)
    assert client.post(f"/notifications/{mine.pk}/read/").status_code == 403
    assert client.post("/notifications/read-all/").status_code == 403
    page = client.get("/notifications/")
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    assert 'name="csrfmiddlewaretoken"' in page.text
    answer = client.post(f"/notifications/{mine.pk}/read/", {"csrfmiddlewaretoken": token})
    assert answer.status_code == 302


@pytest.mark.django_db
def test_mark_all_read_touches_only_ones_own(demo):
    police, other = demo["dept_pg_police"], demo["dept_pg_chengguan"]
    give(police, 3)
    give(other, 2, start=10)
    answer = signed_in(police).post("/notifications/read-all/")
    assert answer.status_code == 302
    assert not Notification.objects.filter(recipient=police, read_at=None).exists()
    assert Notification.objects.filter(recipient=other, read_at=None).count() == 2
    page = signed_in(police).get("/notifications/?unread=1")
    assert "Title 0" not in page.text


@pytest.mark.django_db
def test_list_page_queries_do_not_grow_with_the_rows(demo):
    police = demo["dept_pg_police"]
    client = signed_in(police)
    give(police, 2)
    client.get("/notifications/")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/notifications/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    give(police, 40, start=2)  # more than a page
    assert count() == before
    assert client.get("/notifications/?page=2").status_code == 200


@pytest.mark.django_db
def test_the_api_lists_ones_own_and_marks_read(demo):
    police, other = demo["dept_pg_police"], demo["dept_pg_chengguan"]
    mine = give(police, 3)
    (theirs,) = give(other, start=10)
    client = api(police)
    answer = client.get("/api/v1/notifications/")
    assert answer.status_code == 200
    assert answer.data["count"] == 3
    assert [n["title"] for n in answer.data["results"]] == ["Title 2", "Title 1", "Title 0"]
    assert set(answer.data["results"][0]) == {
        "id", "kind", "title", "body", "link", "created_at", "read_at", "unread",
    }  # fmt: skip
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    answer = client.post(f"/api/v1/notifications/{mine[0].pk}/read/")
    assert answer.status_code == 200 and answer.data["unread"] is False
    assert client.get("/api/v1/notifications/?unread=1").data["count"] == 2
    assert client.get(f"/api/v1/notifications/{mine[0].pk}/read/").status_code == 405
    answer = client.post("/api/v1/notifications/read-all/")
    assert answer.status_code == 200 and answer.data == {"marked": 2}
    assert client.get("/api/v1/notifications/?unread=true").data["count"] == 0
    assert APIClient().get("/api/v1/notifications/").status_code == 401


@pytest.mark.django_db
def test_api_list_queries_do_not_grow_with_the_rows(demo):
    police = demo["dept_pg_police"]
    client = api(police)
    give(police, 2)
    client.get("/api/v1/notifications/")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/notifications/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    give(police, 20, start=2)
    assert count() == before
