"""Tests that need a real thing this machine may lack (a browser, a Redis server binary):
outside CI they skip with the reason; in CI (CI=true) the missing thing is a failure, and
.ci/run also fails the run on any skipped test."""

import os
import shutil

import pytest


def require_executable(name: str, why: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed ({why})"
    if os.environ.get("CI"):
        pytest.fail(message + ": CI must install it")
    pytest.skip(message)
