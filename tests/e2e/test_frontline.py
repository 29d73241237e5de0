"""The front line in a real browser at phone width: a steward reports a problem in a few
taps; it reaches the alley's chief without a reload; the chief (a committee member of a street
holding the power to summon) turns it into a whistle; the steward sees the outcome.

Screenshots go to VAR_DIR/test-artifacts/e2e/frontline-*.png. The data is built before the
browser starts (see test_loop.py's docstring)."""

import re

import pytest
from django.conf import settings
from PIL import Image

from community.models import FrontlineReport
from tests.services import require_executable

from .test_loop import CHROMIUM_ARGS, DESKTOP, PHONE, in_thread

POSITION = {"latitude": 39.8801, "longitude": 116.4420}  # 龙潭街道


@pytest.mark.django_db(transaction=True)
def test_a_stewards_report_reaches_the_chief_live_and_becomes_a_whistle(
    live_server, demo, artefacts, tmp_path
):
    chromium = require_executable("chromium", "the browser tests drive Debian's Chromium")
    from playwright.sync_api import expect, sync_playwright

    photo = tmp_path / "alley.png"
    Image.new("RGB", (64, 48), "orange").save(photo, "PNG")
    refused = []

    def shoot(page, name):
        page.screenshot(path=str(artefacts / f"frontline-{name}.png"), full_page=True)

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

        def phone_context():
            return browser.new_context(
                viewport=PHONE, geolocation=POSITION, permissions=["geolocation"], locale="zh-CN"
            )

        # the chief (street_longtan leads 夕照寺街) opens the queue first
        chief = sign_in(phone_context(), "street_longtan")
        chief.goto(f"{live_server.url}/frontline/queue/")
        expect(chief.locator("h1")).to_contain_text("巷")
        shoot(chief, "queue-phone")

        # the steward lands on their home and reports in a few taps
        steward = sign_in(phone_context(), "steward_longtan")
        expect(steward).to_have_url(re.compile(r"/frontline/$"))
        expect(steward.locator(".big-actions")).to_be_visible()
        shoot(steward, "steward-home-phone")
        steward.click("a[href$='/frontline/report/']")
        expect(steward.locator("[data-locate-status]")).to_contain_text("±")
        shoot(steward, "report-form-phone")
        steward.locator("label", has_text="夕照寺街").click()
        steward.locator("label", has_text="乱停").click()
        steward.set_input_files("input[name=photos]", str(photo))
        steward.fill("#id_text", "三轮车堵住消防通道")
        steward.click("main button[type=submit]")
        expect(steward.locator(".msg.success")).to_contain_text("JX")
        shoot(steward, "report-sent-phone")

        # without a reload, the chief's queue shows it
        item = chief.locator(".report-item", has_text="三轮车堵住消防通道")
        expect(item).to_be_visible(timeout=9000)
        shoot(chief, "queue-new-report-phone")
        item.locator("a").first.click()
        expect(chief.locator(".photos img")).to_have_count(1)
        shoot(chief, "report-detail-phone")

        # escalate: the whistle form comes filled from the report
        chief.click("a[href$='/whistle/']")
        expect(chief.locator("#id_location")).to_have_value("夕照寺街")
        chief.check("input[name=kind][value=enforcement]")
        chief.select_option("#id_category", "urban_rural_order")
        chief.locator("input[name=departments]").first.check()
        shoot(chief, "report-whistle-phone")
        chief.click("main button[type=submit]")
        expect(chief.locator("h1")).to_contain_text("三轮车堵住消防通道")
        expect(chief.locator("a[href*='/frontline/reports/']")).to_contain_text("JX")
        shoot(chief, "whistle-from-report-phone")

        # the steward sees the outcome on the report's page
        steward.reload()
        expect(steward.locator(".badge.status")).to_contain_text("吹哨")
        shoot(steward, "report-escalated-phone")

        # the offices' pages at desktop width
        office = sign_in(browser.new_context(viewport=DESKTOP, locale="zh-CN"), "street_longtan")
        office.goto(f"{live_server.url}/frontline/")
        expect(office.locator("h1")).to_contain_text("龙潭街道")
        shoot(office, "street-overview-desktop")
        district = sign_in(
            browser.new_context(viewport=DESKTOP, locale="zh-CN"), "district_dongcheng"
        )
        district.goto(f"{live_server.url}/frontline/")
        expect(district.locator("td.below-bar").first).to_be_visible()
        shoot(district, "district-comparison-desktop")
        browser.close()

    assert refused == [], "the pages broke their own Content-Security-Policy"
    report = in_thread(
        lambda: FrontlineReport.objects.select_related("whistle", "steward").get(
            text="三轮车堵住消防通道"
        )
    )
    assert report.status == "whistle" and report.whistle is not None
    assert report.steward is not None and report.latitude is not None
