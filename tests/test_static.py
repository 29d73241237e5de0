"""Static files as production serves them: hashed names from collectstatic (whitenoise), so a
template naming a file that does not exist fails here, not in production."""

import pytest
from django.core.management import call_command
from django.test import Client


@pytest.mark.django_db
def test_pages_render_with_the_production_static_storage(settings, tmp_path, demo):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "/static/css/app." in page.text and ".css" in page.text
    assert "/static/css/app.css" not in page.text  # the hashed name, cacheable forever
    # the tab's icon is the platform's (without it every page asked for a missing /favicon.ico)
    assert '<link rel="icon" href="/static/img/favicon.' in page.text
    client.force_login(demo["street_jinhaihu"])
    assert client.get("/").status_code == 200
    assert (tmp_path / "staticfiles.json").exists()
