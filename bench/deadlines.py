"""How late are the overdue marks, and is any lost or doubled, when the worker or Redis dies?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chuishao_bench \\
        .venv/bin/python bench/deadlines.py --n 1000 --scenario healthy

The stack is the bench's own, so that killing and restarting it is reproducible and touches
nothing shared: a redis-server on a free port (no persistence: a restart starts empty), a Celery
worker (prefork, 2 processes) and beat, as subprocesses with the settings of config/settings.py
and the short --deadline and --sweep. The database is DATABASE_URL (migrated and seeded here;
use a database of its own). It blows whistles through dispatch.services.blow_whistle until N
check-ins exist, each whistle summoning the departments stationed in one street, rotating over
the streets of the demo. Then, by scenario:

- healthy: nothing happens;
- worker-killed: halfway to the deadlines the worker's process group gets SIGKILL; it is
  started again --down seconds later;
- redis-restarted: halfway to the deadlines redis-server gets SIGKILL; it is started again,
  empty, --down seconds later.

A worker that exits on its own is started again at once, as docker compose's `restart:
unless-stopped` does, and the exit is reported. It waits until the last deadline plus two sweep
intervals, says how many are not marked yet, gives those GRACE more seconds, and prints the
marks, the lost (past due and still without overdue_at), the doubled (more than one
check_in_overdue event), the lateness (overdue_at - deadline) p50 / p99 / max, and who marked:
the ETA timer or the sweep (from the worker's log). Exit status 1 when any was lost or doubled.
`Stack` is also used by tests/dispatch/test_real_worker.py.
"""

import argparse
import contextlib
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
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRACE = 60  # s after the last deadline + 2 sweeps that a check-in may still be marked, not lost
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float, what: str, explain=lambda: "", step: float = 0.1):
    """Poll `condition` until it returns something true; RuntimeError after `timeout` s."""
    end = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise RuntimeError(f"{what}: not within {timeout:g} s\n{explain()}")
        time.sleep(step)


class Stack:
    """A redis-server of its own, a Celery worker and beat, each a subprocess in a process group
    of its own (so SIGKILL reaches the worker's pool children too). Logs go to `directory`."""

    def __init__(
        self,
        directory: Path,
        env: dict[str, str] | None = None,
        concurrency: int = 2,
        sweeper: bool = False,
    ):
        """With `sweeper`, the overdue sweep runs on a worker of its own, as run.py and
        docker-compose.yml deploy it; without, one worker takes both queues."""
        self.directory = Path(directory)
        self.separate_sweeper = sweeper
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.broker_url = f"redis://127.0.0.1:{self.port}/0"
        self.concurrency = concurrency
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
            "CELERY_BROKER_URL": self.broker_url,
        }
        self.env.pop("CELERY_BROKER_WRITE_URL", None)
        self.redis = self.worker = self.beat = self.sweeper = None
        self.starts = {"redis": 0, "worker": 0, "beat": 0, "sweeper": 0}
        self.logs: dict[str, list[Path]] = {"redis": [], "worker": [], "beat": [], "sweeper": []}

    # --- processes -------------------------------------------------------------------------

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        self.starts[name] += 1
        log = self.directory / f"{name}-{self.starts[name]}.log"
        self.logs[name].append(log)
        with log.open("wb") as output:
            return subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @staticmethod
    def _kill(process: subprocess.Popen | None) -> None:
        """SIGKILL the process group (the worker's pool children with it) and reap the leader."""
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def start_redis(self) -> None:
        self.redis = self._spawn(
            "redis",
            [
                REDIS_SERVER,
                "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no",
            ],
        )  # fmt: skip
        wait_until(self.redis_answers, 10, "redis-server answering PING", self.log_of("redis"))

    def kill_redis(self) -> None:
        self._kill(self.redis)

    def redis_answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def redis_command(self, *words: str) -> bytes:
        """One command in RESP, the raw answer (enough for DBSIZE, HLEN, LLEN)."""
        payload = f"*{len(words)}\r\n".encode() + b"".join(
            f"${len(w.encode())}\r\n{w}\r\n".encode() for w in words
        )
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            s.sendall(payload)
            return s.recv(4096)

    def start_worker(self, wait: bool = True) -> None:
        self.worker = self._spawn(
            "worker",
            [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--pool", "prefork", "--concurrency", str(self.concurrency), "-l", "info",
                "-Q", "celery" if self.separate_sweeper else "celery,sweep",
                "--hostname", f"deadlines-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip", "--without-mingle",
            ],
        )  # fmt: skip
        if wait:
            self.wait_worker_ready()

    def start_sweeper(self) -> None:
        self.sweeper = self._spawn(
            "sweeper",
            [
                sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "sweep",
                "--pool", "solo", "-l", "info", "--hostname", f"sweeper-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip", "--without-mingle",
            ],
        )  # fmt: skip

    def wait_worker_ready(self, timeout: float = 60) -> None:
        def ready():
            if self.worker.poll() is not None:
                raise RuntimeError(f"the worker exited:\n{self.log_of('worker')()}")
            return " ready." in self.logs["worker"][-1].read_text(errors="replace")

        wait_until(ready, timeout, "the worker ready", self.log_of("worker"))

    def exit_reason(self) -> str:
        """The worker's last CRITICAL or ERROR line, or its exit code."""
        lines = re.findall(r"(?:CRITICAL|ERROR)/MainProcess\] (.*)", self.worker_log())
        return lines[-1] if lines else f"exit code {self.worker.returncode}"

    def kill_worker(self) -> None:
        self._kill(self.worker)

    def start_beat(self) -> None:
        schedule = self.directory / f"beat-schedule-{uuid.uuid4().hex[:8]}"
        self.beat = self._spawn(
            "beat",
            [
                sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info",
                "-s", str(schedule),
            ],
        )  # fmt: skip

    def close(self) -> None:
        """Kill everything this stack started: beat, worker, redis."""
        for process in (self.beat, self.worker, self.sweeper, self.redis):
            with contextlib.suppress(Exception):  # a finalizer goes on to the next process
                self._kill(process)

    # --- logs ------------------------------------------------------------------------------

    def log_of(self, name: str, tail: int = 4000):
        def text() -> str:
            if not self.logs[name]:
                return f"(no {name} log)"
            return (
                f"--- {self.logs[name][-1]}:\n"
                + self.logs[name][-1].read_text(errors="replace")[-tail:]
            )

        return text

    def worker_log(self, all_starts: bool = False) -> str:
        logs = self.logs["worker"] if all_starts else self.logs["worker"][-1:]
        return "".join(log.read_text(errors="replace") for log in logs)

    def received(self, task: str, all_starts: bool = False) -> int:
        """How many `task` messages the worker logged as received."""
        return len(
            re.findall(re.escape(task) + r"\[[0-9a-f-]+\] received", self.worker_log(all_starts))
        )

    def results(self, task: str) -> list[str]:
        """The return values the workers logged for `task`, every start."""
        logs = self.worker_log(all_starts=True) + "".join(
            log.read_text(errors="replace") for log in self.logs["sweeper"]
        )
        return re.findall(re.escape(task) + r"\[[0-9a-f-]+\] succeeded in [0-9.e-]+s: (\S+)", logs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- the bench -------------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def bench_officials():
    """A bench official (street_official) for every demo street with stationed departments."""
    from accounts.choices import Role
    from accounts.models import Department, Street, User
    from accounts.services import add_membership

    pairs = []
    for street in Street.objects.filter(stations__isnull=False).distinct().order_by("pk"):
        user, _created = User.objects.get_or_create(
            username=f"bench_street_{street.pk}", defaults={"full_name": "bench"}
        )
        add_membership(user, Role.STREET_OFFICIAL, street)
        departments = list(Department.objects.summonable_by(user, street).order_by("pk"))
        if departments:
            pairs.append((user, street, departments))
    return pairs


def blow(officials, n: int) -> list[int]:
    """Blow whistles until `n` check-ins exist, rotating over the streets; their ids."""
    from dispatch.services import blow_whistle

    if not officials:
        raise SystemExit("no street with stationed departments: did seed_demo run?")
    ids: list[int] = []
    i = 0
    while len(ids) < n:
        user, street, departments = officials[i % len(officials)]
        whistle = blow_whistle(
            user,
            street=street,
            kind="enforcement",
            category="other",
            title=f"bench {i}",
            location="bench",
            departments=departments[: n - len(ids)],
        )
        ids.extend(whistle.check_ins.values_list("pk", flat=True))
        i += 1
    return ids


def measure(ids: list[int]) -> dict:
    from django.db.models import Count
    from django.utils import timezone

    from dispatch.models import CheckIn
    from whistle.choices import EventType
    from whistle.models import Event

    now = timezone.now()
    rows = list(CheckIn.objects.filter(pk__in=ids).values_list("deadline", "overdue_at"))
    lateness = sorted((o - d).total_seconds() for d, o in rows if o is not None)
    events = (
        Event.objects.filter(type=EventType.CHECK_IN_OVERDUE, check_in__in=ids)
        .values("check_in")
        .annotate(n=Count("id"))
    )
    return {
        "n": len(rows),
        "marks": len(lateness),
        "lost": sum(1 for d, o in rows if o is None and d < now),
        "doubled": sum(1 for e in events if e["n"] > 1),
        "events": sum(e["n"] for e in events),
        "lateness": lateness,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="check-ins (default 1000)")
    parser.add_argument(
        "--scenario", choices=["healthy", "worker-killed", "redis-restarted"], default="healthy"
    )
    parser.add_argument("--deadline", type=int, default=20, help="check-in deadline, s")
    parser.add_argument("--sweep", type=int, default=5, help="DISPATCH_SWEEP_SECONDS")
    parser.add_argument("--down", type=float, default=5, help="s between the kill and restart")
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool processes")
    parser.add_argument("--logs", type=Path, default=None, help="keep the logs here")
    args = parser.parse_args(argv)

    logs = args.logs or Path(tempfile.mkdtemp(prefix="bench-deadlines-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abc")
    os.environ.setdefault("DEBUG", "0")
    # seed_demo wants one with DEBUG=0 (the demo has a superuser); the bench signs nobody in
    os.environ.setdefault("DEMO_PASSWORD", secrets.token_urlsafe(18))
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ.setdefault("VAR_DIR", "var/bench")
    os.environ["WHISTLE_CHECKIN_DEADLINE_SECONDS"] = str(args.deadline)
    os.environ["DISPATCH_SWEEP_SECONDS"] = str(args.sweep)
    stack = Stack(logs, concurrency=args.concurrency, sweeper=True)
    os.environ["CELERY_BROKER_URL"] = stack.broker_url  # this process sends the ETA tasks there
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dispatch.models import CheckIn

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)

    with stack:
        stack.start_redis()
        stack.start_worker()
        stack.start_sweeper()
        stack.start_beat()
        print(
            f"{args.scenario}: N={args.n} deadline={args.deadline}s sweep={args.sweep}s "
            f"down={args.down:g}s database={connection.vendor} "
            f"{connection.settings_dict['NAME']} logs={logs}",
            flush=True,
        )
        officials = bench_officials()
        started = time.monotonic()

        def say(message: str) -> None:
            print(f"t={time.monotonic() - started:5.1f}s {message}", flush=True)

        crashes = []

        def supervise() -> None:
            """Start the worker again when it exited on its own (as docker compose's
            `restart: unless-stopped` does), and say why it exited."""
            if stack.worker is not None and stack.worker.poll() is not None:
                why = stack.exit_reason()
                crashes.append(why)
                say(f"the worker exited on its own ({why}); starting it again")
                stack.start_worker(wait=False)

        def pause(seconds: float) -> None:
            until = time.monotonic() + seconds
            while time.monotonic() < until:
                supervise()
                time.sleep(0.1)

        ids = blow(officials, args.n)
        deadlines = sorted(CheckIn.objects.filter(pk__in=ids).values_list("deadline", flat=True))
        say(f"blown: {len(ids)} check-ins")
        wait_until(
            lambda: (
                stack.received("dispatch.deadline_reached") >= len(ids)
                and stack.redis_command("LLEN", "celery").strip() == b":0"
            ),
            60,
            "the worker holding every ETA task",
            stack.log_of("worker"),
        )
        say("the worker holds every ETA task")
        halfway = started + args.deadline / 2
        if args.scenario != "healthy":
            time.sleep(max(0.0, halfway - time.monotonic()))
            if args.scenario == "worker-killed":
                stack.kill_worker()
                stack.worker = None  # down on purpose: not supervised meanwhile
                say("worker killed (SIGKILL to its process group)")
                time.sleep(args.down)
                stack.start_worker(wait=False)
                say("worker started again")
            else:
                stack.kill_redis()
                say("redis-server killed")
                pause(args.down)
                stack.start_redis()
                unacked = stack.redis_command("HLEN", "unacked").decode().strip()
                say(f"redis-server started again, empty (HLEN unacked {unacked})")
        end = deadlines[-1].timestamp() + 2 * args.sweep
        say(f"waiting until the last deadline + 2 sweeps ({end - time.time():.1f} s)")
        pause(max(0.0, end - time.time()))
        late_at_end = measure(ids)["lost"]
        say(f"{late_at_end} check-ins past due and not marked yet")
        grace = time.time() + GRACE
        while measure(ids)["lost"] and time.time() < grace:
            supervise()
            time.sleep(0.5)
        result = measure(ids)
        say("measured")

    late = result["lateness"] or [float("nan")]
    by_timer = stack.results("dispatch.deadline_reached").count("True")
    by_sweep = sum(int(r) for r in stack.results("dispatch.sweep_overdue") if r.isdigit())
    print(
        f"N {result['n']}  marks {result['marks']}  lost {result['lost']}  "
        f"doubled {result['doubled']}  overdue events {result['events']}\n"
        f"lateness p50 {percentile(late, 0.5):.3f} s  p99 {percentile(late, 0.99):.3f} s  "
        f"max {late[-1]:.3f} s\n"
        f"not marked yet at the last deadline + 2 sweeps: {late_at_end} "
        f"(lost counts those still unmarked {GRACE} s later)\n"
        f"marked by the ETA timer {by_timer}, by the sweep {by_sweep} "
        f"(worker log; also counts rows left open by earlier runs)\n"
        f"worker exits on its own: {len(crashes)}{': ' if crashes else ''}{'; '.join(crashes)}",
        flush=True,
    )
    return 0 if result["lost"] == 0 and result["doubled"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
