from tests.dispatch.conftest import departments, jinhaihu  # noqa: F401
