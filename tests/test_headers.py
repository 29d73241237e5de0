"""Headers every answer carries, and the body limit that answers before a byte is read."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from config.middleware import BodyLimitMiddleware

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy_and_permissions_policy(demo):
    answer = signed_in(demo["street_jinhaihu"]).get("/")
    policy = answer["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "geolocation=(self)" in answer["Permissions-Policy"]
    assert "microphone=()" in answer["Permissions-Policy"]


def test_no_template_has_inline_script_style_or_handlers():
    offending = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for pattern in (
            r"<style",
            r"\sstyle=",
            r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)",
            r"\son[a-z]+=",
            r"hx-trigger=\"[^\"]*\[",  # a trigger filter is evaluated script
            r"hx-on",
        ):
            if re.search(pattern, text):
                offending.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert offending == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/queue/", "/whistles/", "/evaluation/scores/", "/notifications/", "/api/docs/"]
)
def test_rendered_pages_have_no_inline_script_or_style(demo, path):
    user = demo["dept_pg_police"] if path == "/queue/" else demo["district_pinggu"]
    text = signed_in(user).get(path).content.decode()
    assert "<style" not in text and ' style="' not in text
    for tag in re.findall(r"<script[^>]*>", text):
        assert "src=" in tag or "application/json" in tag, tag


@pytest.mark.django_db
def test_signed_in_answers_are_private_and_anonymous_ones_cost_no_query(
    demo, django_assert_num_queries
):
    answer = signed_in(demo["street_jinhaihu"]).get("/whistles/")
    assert "private" in answer["Cache-Control"]
    with django_assert_num_queries(0):
        schema = Client().get("/api/schema/")
    assert schema.status_code == 200 and "private" not in schema.get("Cache-Control", "")


def test_a_body_over_the_limit_is_refused_before_it_is_read(settings):
    settings.REQUEST_MAX_BYTES = 1024

    class Untouchable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the body was read")

    request = RequestFactory().post("/api/v1/whistles/", data=b"", content_type="application/json")
    request.META["CONTENT_LENGTH"] = str(300 * 1024 * 1024)
    request.META["wsgi.input"] = Untouchable()
    answer = BodyLimitMiddleware(lambda r: pytest.fail("the view ran"))(request)
    assert answer.status_code == 413 and answer["Connection"] == "close"
    page = RequestFactory().post("/whistles/new/", data=b"x", content_type="text/plain")
    page.META["CONTENT_LENGTH"] = str(2048)
    assert BodyLimitMiddleware(lambda r: None)(page).status_code == 413
    small = RequestFactory().post("/whistles/new/", data=b"x", content_type="text/plain")
    assert BodyLimitMiddleware(lambda r: "passed on")(small) == "passed on"
