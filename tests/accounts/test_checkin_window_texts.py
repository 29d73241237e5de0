"""The check-in window in the pages' texts comes from the setting, never from the text."""

import pytest
from django.test import Client


@pytest.mark.django_db
@pytest.mark.parametrize("minutes", [30, 45])
def test_the_pages_name_the_window_the_setting_gives(demo, settings, minutes):
    settings.WHISTLE_CHECKIN_DEADLINE_SECONDS = minutes * 60
    for username, path in [
        ("street_jinhaihu", "/"),  # the street's card and the footer
        ("dept_pg_police", "/"),  # the dispatcher lands on the queue: its footer
        ("street_jinhaihu", "/whistles/new/"),  # the blow form
    ]:
        client = Client()
        client.force_login(demo[username])
        text = client.get(path, follow=True).text
        assert f"{minutes}分钟" in text or f"{minutes} 分钟" in text, (username, path)
        other = 75 - minutes  # the other parameter's number appears nowhere as a window
        assert f"{other}分钟" not in text and f"{other} 分钟" not in text
