import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.utils import timezone

from tests.dispatch.conftest import blow, departments, jinhaihu  # noqa: F401

T0 = timezone.datetime(2026, 11, 27, 9, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def enqueued(monkeypatch):
    """The deliver tasks sent to the broker (id and options), instead of sending them; a
    chunk sent as one deliver_many counts once per id."""
    from notifications.tasks import deliver, deliver_many

    sent = []
    monkeypatch.setattr(
        deliver, "apply_async", lambda args, **options: sent.append((args[0], options))
    )
    monkeypatch.setattr(
        deliver_many,
        "apply_async",
        lambda args, **options: sent.extend((pk, options) for pk in args[0]),
    )
    return sent


class Receiver:
    """A local HTTP server on 127.0.0.1 (a thread) that records every request and answers
    with the next queued (status, JSON body), or 200 {"errcode": 0}."""

    def __init__(self):
        self.requests = []
        self.answers = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                status, answer = (
                    receiver.answers.pop(0) if receiver.answers else (200, {"errcode": 0})
                )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def json(self, i=-1):
        return json.loads(self.requests[i]["body"])

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()
