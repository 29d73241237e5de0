"""What 1,000 dispatchers watching their live queues cost, and how soon a new summons shows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chuishao_bench \\
        .venv/bin/python bench/queue_poll.py --dispatchers 1000 --seconds 60

Starts the web server as docker-compose.yml does (`gunicorn config.wsgi -w 3`, or --workers /
--threads) on a free port, with a redis-server of its own as the cache, on DATABASE_URL
(migrated and seeded here; use a database of its own). Creates --dispatchers dispatcher
accounts spread over the departments of the demo, each with a session, and runs them as
asyncio clients that poll the queue fragment as the page does:

- live (the default): every 750 ms with the fragment's token; 204 while nothing changed;
- full (--mode full): every 3 s without a token, the page's poll before the live queue.

Meanwhile street_jinhaihu blows a whistle through the API every --every s, summoning the
Pinggu police: each client that watches the police's queue notes when its poll first shows
the new whistle (counted from the moment the POST was sent). Prints
requests a second and their status codes, poll latency p50/p95, the server's CPU and memory
(gunicorn's processes, from /proc), the database's transactions a second (pg_stat_database:
each query of a request outside a transaction is one), open connections, and the time from a
summons' commit to the first poll that shows it (p50/p95/max).
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.deadlines import free_port, percentile, wait_until  # noqa: E402

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
RUN = secrets.token_hex(4).encode()  # this run's whistles, told from earlier runs' ones


def cpu_seconds(pids) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def rss_mb(pids) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def tree(pid: int) -> list[int]:
    """The process and its children (gunicorn's master and workers)."""
    children = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True
    ).stdout.split()
    return [pid, *(int(c) for c in children)]


def transactions(cursor, name: str) -> int:
    cursor.execute(
        "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", [name]
    )
    return cursor.fetchone()[0]


class Poller:
    """One dispatcher's page: polls the fragment every `every` s on one kept-alive connection
    (a browser's), opened again when the server closed it."""

    def __init__(self, number, port, cookie, query, every, watch, seen):
        self.number, self.port, self.cookie, self.query = number, port, cookie, query
        self.every, self.watch, self.seen = every, watch, seen
        self.codes: dict[int, int] = {}
        self.latencies: list[float] = []
        self.connection = None

    async def get(self) -> tuple[int, bytes]:
        if self.connection is None:
            self.connection = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.connection
        try:
            writer.write(
                f"GET /queue/items/{self.query} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Cookie: {self.cookie}\r\nHX-Request: true\r\n\r\n".encode()
            )
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            body = await reader.readexactly(int(length.group(1))) if length else b""
            if re.search(rb"(?i)connection: *close", head) or not length:
                body += b"" if length else await reader.read()
                writer.close()
                self.connection = None
        except (OSError, asyncio.IncompleteReadError):
            writer.close()
            self.connection = None
            raise OSError("connection lost") from None
        return int(head.split(b" ", 2)[1]), body

    async def run(self, until: float) -> None:
        await asyncio.sleep(self.every * secrets.randbelow(1000) / 1000)  # spread the clients
        while time.monotonic() < until:
            started = time.monotonic()
            try:
                status, body = await self.get()
            except OSError:
                status, body = 0, b""
            self.latencies.append(time.monotonic() - started)
            self.codes[status] = self.codes.get(status, 0) + 1
            if status == 200:
                found = re.search(rb'[?&](?:amp;)?live=([^"&]+)', body)
                if found:
                    self.query = re.sub(
                        r"live=[^&]*", "live=" + found.group(1).decode(), self.query
                    )
                if self.watch:
                    for number in re.findall(rb"bench-watch-" + RUN + rb"-(\d+)", body):
                        self.seen.setdefault((self.number, int(number)), time.time())
            await asyncio.sleep(max(0.0, self.every - (time.monotonic() - started)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dispatchers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60, help="the measured window")
    parser.add_argument("--warmup", type=float, default=15, help="s of polling before it")
    parser.add_argument("--mode", choices=["live", "full"], default="live")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (compose: 3)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--worker-class", default="sync", help="gunicorn -k (compose: sync)")
    parser.add_argument("--every", type=float, default=2.0, help="s between bench summonses")
    parser.add_argument(
        "--load", choices=["python", "wrk"], default="python",
        help="who plays the dispatchers that watch other queues: asyncio clients like the "
        "watchers, or wrk (Debian's package: lighter, but it opens each connection before its "
        "delay, and an idle open connection holds a sync worker: measured, not what a page does)",
    )  # fmt: skip
    args = parser.parse_args(argv)

    directory = Path(tempfile.mkdtemp(prefix="bench-queue-"))
    redis_port, web_port = free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_MANIFEST": "0",
        "VAR_DIR": str(directory / "var"),
        "CACHE_URL": f"redis://127.0.0.1:{redis_port}/1",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(18),
        "NOTIFICATIONS_CHANNELS": "inapp",
    }
    os.environ.update(env)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = (
        "true"  # the bench reads pg_stat_database between polls
    )
    redis = subprocess.Popen(
        [REDIS_SERVER, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from accounts.choices import Role
    from accounts.models import Department, Street, User
    from accounts.services import add_membership
    from dispatch import live
    from dispatch.services import cancel
    from whistle.choices import WhistleStatus
    from whistle.models import Whistle

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    police = Department.objects.get(name="平谷公安分局")
    departments = list(Department.objects.order_by("pk"))
    clients = []
    for i in range(args.dispatchers):
        department = police if i % 50 == 0 else departments[i % len(departments)]
        user, _created = User.objects.get_or_create(
            username=f"bench_dispatcher_{i}", defaults={"full_name": "bench"}
        )
        add_membership(user, Role.DEPARTMENT_DISPATCHER, department)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        clients.append((user, department, f"{settings.SESSION_COOKIE_NAME}={session.session_key}"))
    jinhaihu = Street.objects.get(name="金海湖镇")
    official = User.objects.get(username="street_jinhaihu")
    # earlier runs' summonses would fill the police's queue: cancel them (the queue shows open ones)
    for whistle in Whistle.objects.filter(
        title__startswith="bench-watch-", status=WhistleStatus.OPEN
    ):
        cancel(official, whistle, reason="bench")

    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{web_port}",
         "-w", str(args.workers), "-k", args.worker_class, "--threads", str(args.threads),
         "--backlog", "4096", "--worker-connections", str(args.dispatchers + 100)],
        cwd=ROOT, env=env, stdout=(directory / "web.log").open("wb"),
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until(
            lambda: socket.socket().connect_ex(("127.0.0.1", web_port)) == 0, 30, "gunicorn up"
        )
        seen: dict[int, float] = {}
        every = live.LIVE_POLL_MS / 1000 if args.mode == "live" else live.LIVE_FALLBACK_MS / 1000

        def query(department) -> str:
            return f"?live={live.token([department.pk])}" if args.mode == "live" else ""

        pollers = [
            Poller(i, web_port, cookie, query(department), every, department.pk == police.pk, seen)
            for i, (_user, department, cookie) in enumerate(clients)
            if department.pk == police.pk or args.load == "python"
        ]
        wrk = None
        if args.load == "wrk":  # the other dispatchers: wrk, at the page's pace
            others = [(d, c) for _u, d, c in clients if d.pk != police.pk]
            script = directory / "dispatchers.lua"
            script.write_text(
                "paths = {" + ",".join(f'"/queue/items/{query(d)}"' for d, _c in others) + "}\n"
                "cookies = {" + ",".join(f'"{c}"' for _d, c in others) + "}\n"
                "i = 0\n"
                "request = function()\n  i = i % #paths + 1\n"
                '  return wrk.format("GET", paths[i], {["Cookie"] = cookies[i], '
                '["HX-Request"] = "true"})\nend\n'
                f"delay = function() return math.random({int(every * 500)}, {int(every * 1500)}) end\n"
            )
            wrk = subprocess.Popen(
                ["wrk", "-t2", f"-c{len(others)}", f"-d{int(args.warmup + args.seconds)}s", "--latency",
                 "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{web_port}/"],
                stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
        blown: dict[int, float] = {}

        api_token = Token.objects.get_or_create(user=official)[0].key
        waited: list[float] = []
        departments_json = json.dumps([police.pk])

        async def summon(start: float, until: float) -> None:
            """A street official blows through the API, as a phone does: the clock of each
            summons starts at the whistle's `blown_at`, read in its transaction just before
            the commit."""
            await asyncio.sleep(start - time.monotonic())
            i = 0
            while time.monotonic() < until - 3:
                await asyncio.sleep(args.every)
                i += 1
                body = json.dumps(
                    {
                        "street": jinhaihu.pk,
                        "kind": "enforcement",
                        "category": "other",
                        "title": f"bench-watch-{RUN.decode()}-{i}",
                        "location": "bench",
                        "departments": json.loads(departments_json),
                    }
                ).encode()
                reader, writer = await asyncio.open_connection("127.0.0.1", web_port)
                sent = time.time()
                writer.write(
                    b"POST /api/v1/whistles/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + f"Authorization: Token {api_token}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
                answer = await reader.read()
                writer.close()
                head, _sep, payload = answer.partition(b"\r\n\r\n")
                if b" 201 " not in head.split(b"\r\n", 1)[0]:
                    raise SystemExit(f"blowing failed: {answer[:300]!r}")
                # the service's clock, read in the transaction just before its commit
                blown[i] = datetime.fromisoformat(json.loads(payload)["blown_at"]).timestamp()
                waited.append(time.time() - sent)

        window: dict[str, float] = {}
        sockets = []

        async def measure(start: float, until: float) -> None:
            """The figures of the window after the warm-up (each gunicorn worker has drawn
            the queue once: its templates are compiled)."""
            await asyncio.sleep(start - time.monotonic())
            pids[:] = tree(web.pid)
            for p in pollers:
                p.codes.clear()
                p.latencies.clear()
            with connection.cursor() as cursor:
                window["xacts"] = transactions(cursor, connection.settings_dict["NAME"])
            window["cpu"], window["at"] = cpu_seconds(pids), time.monotonic()
            await asyncio.sleep((until - window["at"]) / 2)
            out = subprocess.run(
                ["ss", "-tan", f"sport = :{web_port}"], capture_output=True, text=True
            )
            sockets.append(max(0, len(out.stdout.splitlines()) - 1))
            await asyncio.sleep(until - time.monotonic())
            window["took"] = time.monotonic() - window["at"]
            window["cpu"] = cpu_seconds(pids) - window["cpu"]
            window["memory"] = rss_mb(pids)
            with connection.cursor() as cursor:
                window["xacts"] = (
                    transactions(cursor, connection.settings_dict["NAME"]) - window["xacts"]
                )

        async def run() -> None:
            start = time.monotonic() + args.warmup
            until = start + args.seconds
            await asyncio.gather(
                summon(start, until), measure(start, until), *(p.run(until) for p in pollers)
            )

        pids: list[int] = []
        asyncio.run(run())
        took, cpu, memory, xacts = (window[k] for k in ("took", "cpu", "memory", "xacts"))
    finally:
        for process in (web, redis):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

    wrk_said = ""
    if wrk is not None:
        out = wrk.communicate(timeout=60)[0]
        found = re.search(r"(\d+) requests in ([0-9.]+)s", out)
        if found is None:
            raise SystemExit(f"wrk said:\n{out}")
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", out)
        spread = ", ".join(f"{q} {v}" for q, v in re.findall(r"\s(50%|90%|99%)\s+(\S+)", out))
        wrk_said = (
            f"wrk (the other {len(clients) - len(pollers)} dispatchers, warm-up included): "
            f"{found.group(1)} requests in {found.group(2)} s "
            f"({int(found.group(1)) / float(found.group(2)):.0f}/s), latency {spread}"
            f"{'; ' + errors.group(0) if errors else ''}\n"
        )
    codes: dict[int, int] = {}
    latencies = []
    for p in pollers:
        latencies += p.latencies
        for code, count in p.codes.items():
            codes[code] = codes.get(code, 0) + count
    latencies.sort()
    requests = sum(codes.values())
    # each watching dispatcher's own delay: from the commit to its first poll that shows it
    watching = [p.number for p in pollers if p.watch]
    shown = sorted(seen[w, i] - blown[i] for w in watching for i in blown if (w, i) in seen)
    expected = len(watching) * len(blown)
    print(
        f"mode {args.mode}: {args.dispatchers} dispatchers polling every {every:g} s for "
        f"{took:.0f} s; gunicorn -w {args.workers} -k {args.worker_class} --threads {args.threads}\n"
        f"{wrk_said}"
        f"the watchers' requests {requests} ({requests / took:.0f}/s), "
        f"status {dict(sorted(codes.items()))}\n"
        f"the watchers' poll latency p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms\n"
        f"server: CPU {cpu / took:.2f} cores, memory {memory:.0f} MB RSS "
        f"({len(pids)} processes), open connections at half time {sockets[0] if sockets else '?'}\n"
        f"database: {xacts / took:.1f} transactions/s (the bench's own summonses included)\n"
        f"blowing through the API took p50 {percentile(sorted(waited), 0.5):.3f} s\n"
        f"new summons shown to each of the {len(watching)} police dispatchers, from blown_at to "
        f"their first poll that shows it: {len(shown)} of {expected}; "
        + (
            f"p50 {percentile(shown, 0.5):.3f} s, p95 {percentile(shown, 0.95):.3f} s, "
            f"max {shown[-1]:.3f} s"
            if shown
            else "none"
        ),
        flush=True,
    )
    return 0 if math.isfinite(requests) else 1


if __name__ == "__main__":
    sys.exit(main())
