"""双报到 in a real browser: an in-service party member on the phone finds an activity of the
community and signs up; the community's worker, at a desk, checks them in with the hours; the
member's record shows them. The employer's contact opens the printable report.

Screenshots go to VAR_DIR/test-artifacts/e2e/party-*.png. The data is built before the browser
starts (see test_loop.py's docstring)."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Community
from community import dual, feedback
from community.models import PartyMember, SignUp
from tests.services import require_executable

from .test_loop import CHROMIUM_ARGS, DESKTOP, PHONE, in_thread

TITLE = "社区客厅读书分享会"


@pytest.mark.django_db(transaction=True)
def test_a_member_signs_up_on_the_phone_and_is_checked_in(live_server, demo, artefacts):
    chromium = require_executable("chromium", "the browser tests drive Debian's Chromium")
    from playwright.sync_api import expect, sync_playwright

    xizhao = Community.objects.get(name="夕照寺社区")
    start = timezone.now() + timedelta(minutes=30)
    activity = dual.publish_activity(
        demo["worker_longtan"], xizhao, title=TITLE, starts_at=start,
        ends_at=start + timedelta(hours=2), capacity=3, place="夕照寺社区客厅",
    )  # fmt: skip
    feedback.ensure_reports()
    name = PartyMember.objects.get(user__username="member_longtan").name
    refused = []

    def shoot(page, name):
        page.screenshot(path=str(artefacts / f"party-{name}.png"), full_page=True)

    def sign_in(context, username):
        page = context.new_page()
        page.on(
            "console",
            lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", settings.DEMO_PASSWORD)
        page.click("main button[type=submit]")
        return page

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        # the member lands on their home: the community's coming activities
        member = sign_in(browser.new_context(viewport=PHONE, locale="zh-CN"), "member_longtan")
        expect(member).to_have_url(re.compile(r"/frontline/party/$"))
        item = member.locator("li", has_text=TITLE)
        expect(item).to_be_visible()
        shoot(member, "home-phone")
        item.locator("button[value=sign-up]").click()
        expect(member.locator(".msg.success")).to_be_visible()  # on the activity's page
        expect(member.locator("main .badge.status")).to_contain_text("已报名")
        shoot(member, "signed-up-phone")

        # the worker checks the member in from the activity's page
        worker = sign_in(browser.new_context(viewport=DESKTOP, locale="zh-CN"), "worker_longtan")
        worker.goto(f"{live_server.url}/frontline/party/activities/{activity.pk}/")
        row = worker.locator("tr", has_text=name)
        expect(row.locator("button[value=check-in]")).to_be_visible()
        shoot(worker, "activity-desktop")
        row.locator("input[name=hours]").fill("1.5")
        row.locator("button[value=check-in]").click()
        expect(worker.locator(".msg.success")).to_be_visible()
        expect(worker.locator("tr", has_text=name).locator(".badge")).to_contain_text("1.5")
        worker.goto(f"{live_server.url}/frontline/party/communities/{xizhao.pk}/")
        expect(worker.locator("h1")).to_contain_text("夕照寺社区")
        shoot(worker, "community-desktop")

        # the member's record shows the hours
        member.goto(f"{live_server.url}/frontline/party/record/")
        expect(member.locator("li", has_text=TITLE)).to_contain_text("1.5")
        shoot(member, "record-phone")

        # the employer's contact opens the printable report
        unit = sign_in(browser.new_context(viewport=DESKTOP, locale="zh-CN"), "unit_longtan")
        expect(unit).to_have_url(re.compile(r"/frontline/party/reports/$"))
        unit.locator("tbody a").first.click()
        expect(unit.locator("h1")).to_be_visible()
        shoot(unit, "employer-report-desktop")
        browser.close()

    assert refused == [], "the pages broke their own Content-Security-Policy"
    place = in_thread(
        lambda: SignUp.objects.get(activity_id=activity.pk, member__user__username="member_longtan")
    )
    assert place.checked_in_at is not None and str(place.hours) == "1.5"
