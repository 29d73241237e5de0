import pytest
from django.core.management import call_command


def pytest_configure(config):
    from django.conf import settings

    # Hashing passwords is slow on purpose; tests need speed, not safety.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    """The demo organisation and accounts of api-contract.md, loaded by seed_demo."""
    call_command("seed_demo", verbosity=0)
    from accounts.models import User

    return {u.username: u for u in User.objects.all()}
