"""A task travels through the configured broker to a real worker process and back.

The broker is what the settings chose: Redis when REDIS_URL is set, else the filesystem broker
under VAR_DIR. The worker listens on a queue of its own, so no other worker takes the task.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from config.celery import ping

ROOT = Path(__file__).resolve().parent.parent
ANSWER_TIMEOUT = 60


@pytest.fixture
def worker(tmp_path):
    """A Celery worker subprocess on a queue of its own; yields (queue, process, log path)."""
    queue = f"roundtrip-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool", "solo", "--concurrency", "1", "-Q", queue, "-l", "info",
        "--hostname", f"{queue}@%h", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output
        )
    try:
        yield queue, process, log
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.services
def test_ping_round_trip_through_a_real_worker(worker):
    queue, process, log = worker
    token = uuid.uuid4().hex
    result = ping.apply_async(args=[token], queue=queue)

    deadline = time.monotonic() + ANSWER_TIMEOUT
    while not result.ready():
        if process.poll() is not None:
            pytest.fail(f"the worker exited with {process.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no answer within {ANSWER_TIMEOUT} s; worker log:\n{log.read_text()}")
        time.sleep(0.2)

    assert result.get(timeout=ANSWER_TIMEOUT) == f"pong:{token}"
    result.forget()
