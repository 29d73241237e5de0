import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db):
    """The demo organisation and accounts of api-contract.md, loaded by seed_demo."""
    call_command("seed_demo", verbosity=0)
    from accounts.models import User

    return {u.username: u for u in User.objects.all()}
