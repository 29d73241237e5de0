"""The whole loop in a real browser (Debian's Chromium driven by Playwright), at phone width
for the street and the responder and desktop width for the dispatcher:

street blows -> the department's open queue shows it without a reload and acknowledges ->
the responder checks in on site -> another department goes overdue and the street sees it ->
the street resolves -> the department may leave.

Screenshots of every page at phone and desktop width go to VAR_DIR/test-artifacts/e2e/.
The data is built before the browser starts; later changes to the database (the overdue
sweep, as beat would run it) happen on other threads: Playwright's sync API runs an event loop
on this thread, where the ORM refuses to run.
"""

import re
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from dispatch import deadlines
from dispatch.models import CheckIn
from tests.services import require_executable

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
POSITION = {"latitude": 40.2291, "longitude": 117.4123}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Record the page's browser notifications instead of showing them.
NOTIFICATION_SPY = """
window.__notifications = [];
class SpyNotification {
  constructor(title, options) { window.__notifications.push({title, body: (options || {}).body}); }
  static get permission() { return "granted"; }
  static requestPermission() { return Promise.resolve("granted"); }
}
window.Notification = SpyNotification;
"""


def in_thread(function, *args):
    """Run ORM work on another thread (see the module's docstring)."""
    result, errors = [], []

    def run():
        from django.db import connection

        try:
            result.append(function(*args))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    if errors:
        raise errors[0]
    return result[0] if result else None


class Sweeper(threading.Thread):
    """The overdue sweep every second, as Celery beat runs it."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stopped = threading.Event()

    def run(self):
        from django.db import connection

        while not self.stopped.wait(1):
            deadlines.sweep()
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_the_whole_loop_in_a_browser(live_server, demo, departments, artefacts):
    chromium = require_executable("chromium", "the browser tests drive Debian's Chromium")
    from playwright.sync_api import expect, sync_playwright

    sweeper = Sweeper()
    sweeper.start()

    def shoot(page, name):
        page.screenshot(path=str(artefacts / f"{name}.png"), full_page=True)

    refused = []  # what the Content-Security-Policy blocked, on any page

    def sign_in(context, username):
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", settings.DEMO_PASSWORD)
        page.click("main button[type=submit]")
        return page

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            phone = browser.new_context(
                viewport=PHONE, geolocation=POSITION, permissions=["geolocation"], locale="zh-CN"
            )
            desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
            desk.add_init_script(NOTIFICATION_SPY)

            # The dispatcher signs in and lands on the live queue, alerts enabled once.
            queue = sign_in(desk, "dept_pg_police")
            expect(queue).to_have_url(re.compile(r"/queue/$"))
            queue.click("[data-enable-alerts]")
            expect(queue.locator("[data-alerts-status]")).not_to_have_text("")
            shoot(queue, "queue-empty-desktop")

            # The street official blows the whistle from a phone.
            street = sign_in(phone, "street_jinhaihu")
            street.goto(f"{live_server.url}/whistles/new/")
            shoot(street, "blow-phone")
            street.check("input[name=kind][value=enforcement]")
            street.select_option("#id_category", "illegal_mining")
            street.fill("#id_title", "将军关村盗采金矿")
            street.fill("#id_location", "将军关村北山")
            street.click("[data-locate]")
            expect(street.locator("[data-locate-status]")).to_contain_text("±")
            for key in ("police", "chengguan"):
                street.check(f"input[name=departments][value='{departments[key].pk}']")
            street.click("main button[type=submit]")
            expect(street.locator("h1")).to_contain_text("将军关村盗采金矿")
            shoot(street, "whistle-open-phone")

            # Without a reload, the queue shows it within 5 seconds, with sound and notification.
            summons = queue.locator(".summons", has_text="将军关村盗采金矿")
            expect(summons).to_be_visible(timeout=5000)
            expect(summons.locator(".countdown")).to_contain_text(":")
            notes = queue.evaluate("window.__notifications")
            assert any(n["body"] == "将军关村盗采金矿" for n in notes), notes
            shoot(queue, "queue-new-summons-desktop")
            summons.locator("input[name=responder_name]").fill("张警官")
            summons.locator("input[name=responder_phone]").fill("13800000000")
            summons.locator("button[type=submit]").click()
            expect(queue.locator(".msg.success")).to_contain_text("张警官")
            shoot(queue, "queue-acknowledged-desktop")

            # The responder reports on site from a phone, with the position.
            responder_context = browser.new_context(
                viewport=PHONE, geolocation=POSITION, permissions=["geolocation"], locale="zh-CN"
            )
            responder = sign_in(responder_context, "dept_pg_police")
            responder.locator(".summons", has_text="将军关村盗采金矿").locator(
                "a[href*='/check-ins/']"
            ).click()
            shoot(responder, "on-site-phone")
            responder.click("[data-arrive-form] button[type=submit]")
            expect(responder.locator(".big-status")).to_be_visible()
            shoot(responder, "on-site-reported-phone")

            # The city-management team does not come: its deadline passes, the sweep marks it,
            # and the street's page shows it without a reload.
            in_thread(
                lambda: CheckIn.objects.filter(department=departments["chengguan"]).update(
                    deadline=timezone.now() - timedelta(seconds=1)
                )
            )
            late = street.locator(".ci", has_text="平谷区城管执法局")
            expect(late.locator(".badge.overdue")).to_be_visible(timeout=8000)
            expect(street.locator(".ci", has_text="平谷公安分局")).to_contain_text("按时")
            shoot(street, "whistle-overdue-phone")

            # Nobody leaves until the matter is done; the street resolves; then the responder may.
            responder.reload()
            expect(responder.locator(".note")).to_be_visible()
            expect(responder.locator("text=撤离现场")).to_have_count(0)
            street.click("summary:has-text('办结')")
            street.fill("#id_summary", "盗采点已查封，设备已扣押")
            street.click("form[action$='/resolve/'] button[type=submit]")
            expect(street.locator(".msg.success")).to_be_visible()
            shoot(street, "whistle-resolved-phone")
            responder.reload()
            responder.click("form[action$='/leave/'] button[type=submit]")
            expect(responder.locator(".msg.success")).to_be_visible()
            shoot(responder, "left-phone")

            # Every page once more at the other width, and the notifications the loop sent.
            for page, size, path, name in (
                (street, DESKTOP, None, "whistle-resolved-desktop"),
                (street, DESKTOP, "/whistles/new/", "blow-desktop"),
                (street, DESKTOP, "/whistles/", "whistles-desktop"),
                (responder, DESKTOP, None, "on-site-left-desktop"),
                (queue, PHONE, None, "queue-phone"),
                (queue, PHONE, "/notifications/", "notifications-phone"),
                (queue, DESKTOP, "/notifications/", "notifications-desktop"),
            ):
                page.set_viewport_size(size)
                page.goto(live_server.url + path) if path else page.reload()
                shoot(page, name)
            expect(queue.locator(".notification").first).to_contain_text("平谷公安分局")
            browser.close()
    finally:
        sweeper.stopped.set()
        sweeper.join(timeout=5)

    assert refused == [], "the pages broke their own Content-Security-Policy"

    check_ins = {c.department_id: c for c in CheckIn.objects.all()}
    police, chengguan = check_ins[departments["police"].pk], check_ins[departments["chengguan"].pk]
    assert police.on_time is True and police.status == "released"
    assert str(police.arrival_latitude).startswith("40.229")
    assert chengguan.overdue_at is not None and chengguan.status == "released"
    assert len(list(artefacts.glob("*.png"))) >= 16
