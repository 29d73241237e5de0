"""Configuration from the environment: a bad value stops the process with one line naming the
variable (no traceback), and the production settings pass Django's deployment checks.

Each case runs manage.py in a subprocess with an environment made for it, so the settings are
read afresh and nothing leaks from the test run's own configuration.
"""

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Everything the settings read; each case starts with none of them set.
SETTINGS_VARIABLES = {
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "VAR_DIR", "SECRET_KEY", "DEBUG",
    "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "HTTPS", "STATIC_MANIFEST", "LOG_LEVEL",
    "WHISTLE_CHECKIN_DEADLINE_SECONDS", "DISPATCH_SWEEP_SECONDS", "DEMO_PASSWORD",
}  # fmt: skip


def random_secret_key(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def manage(tmp_path: Path, *args: str, **variables: str) -> subprocess.CompletedProcess:
    """`python manage.py ARGS` with only `variables` (and VAR_DIR in tmp_path) configured."""
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS_VARIABLES}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(tmp_path / "var"))
    env.update(variables)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line_naming(result: subprocess.CompletedProcess, variable: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0], result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://x"),
        ("DATABASE_URL", "postgres://user@host:notaport/db"),
        ("DATABASE_URL", "postgres://user@host:99999/db"),
        ("DATABASE_URL", "postgres://user@host:5432"),
        ("REDIS_URL", "http://127.0.0.1:6379/1"),
        ("REDIS_URL", "redis://127.0.0.1:port/1"),
        ("CELERY_BROKER_URL", "kafka://127.0.0.1"),
        ("WHISTLE_CHECKIN_DEADLINE_SECONDS", "half an hour"),
        ("DISPATCH_SWEEP_SECONDS", "0"),
    ],
)
def test_a_malformed_value_stops_with_one_line_naming_it(tmp_path, variable, value):
    result = manage(tmp_path, "check", DEBUG="1", **{variable: value})
    assert_one_line_naming(result, variable)


def test_production_without_a_secret_key_stops(tmp_path):
    result = manage(tmp_path, "check", DEBUG="0")
    assert_one_line_naming(result, "SECRET_KEY")


def test_debug_must_be_zero_or_one(tmp_path):
    result = manage(tmp_path, "check", DEBUG="banana", SECRET_KEY=random_secret_key())
    assert_one_line_naming(result, "DEBUG")


def test_https_production_settings_pass_the_deployment_checks(tmp_path):
    result = manage(
        tmp_path,
        *("check", "--deploy", "--fail-level", "WARNING"),
        DEBUG="0",
        HTTPS="1",
        SECRET_KEY=random_secret_key(),
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_https_production_still_serves_plain_http(tmp_path):
    show = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER]))"
    )
    result = manage(tmp_path, "shell", "-c", show, DEBUG="0", SECRET_KEY=random_secret_key())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [False, False, False, 0, None]
