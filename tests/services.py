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


def workers_alive() -> None:
    """As a healthy deployment has just done: the overdue sweep ran and a worker took each
    queue's heartbeat (so /healthz answers 200)."""
    from django.conf import settings

    from dispatch import deadlines
    from dispatch.tasks import queue_heartbeat

    deadlines.sweep()
    for queue in settings.HEALTH_QUEUES:
        queue_heartbeat(queue)


def swept(model) -> int:
    """Run the overdue sweep; how many rows of `model` it marked. The sweep marks every
    registered model, and the demo has deadlines of its own (front-line reports) that fall due
    when a test travels ahead: count only the model under test."""
    from dispatch import deadlines

    before = set(model.objects.exclude(overdue_at=None).values_list("pk", flat=True))
    deadlines.sweep()
    return model.objects.exclude(overdue_at=None).exclude(pk__in=before).count()
