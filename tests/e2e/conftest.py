from pathlib import Path

import pytest
from django.conf import settings

from tests.dispatch.conftest import departments, jinhaihu  # noqa: F401


@pytest.fixture
def artefacts():
    folder = Path(settings.VAR_DIR) / "test-artifacts" / "e2e"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
