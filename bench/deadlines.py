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
from datetime import timedelta
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


# The Celery processes of each documented way to run the platform: name -> the arguments after
# `celery`. The contract (../shared/docs/api-contract.md) names two commands; `-l info` only
# sets what they log (the stack reads readiness and task results from the log).
CONTRACT = {
    "worker": ["-A", "config", "worker", "-l", "info"],
    "beat": ["-A", "config", "beat", "-l", "info"],
}


def compose_layout(path: Path = ROOT / "docker-compose.yml") -> dict[str, list[str]]:
    """The Celery processes docker-compose.yml runs, read from its `command:` lines."""
    import yaml

    services = yaml.safe_load(path.read_text())["services"]
    return {
        name: list(service["command"][1:])
        for name, service in services.items()
        if (service.get("command") or [None])[0] == "celery"
    }


class Stack:
    """A redis-server of its own and the Celery processes of a layout (CONTRACT by default),
    each a subprocess in a process group of its own (so SIGKILL reaches a worker's pool
    children too), with VAR_DIR (beat's schedule file) in `directory`, where the logs go."""

    def __init__(self, directory: Path, env: dict[str, str] | None = None, layout=None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.layout = dict(layout or CONTRACT)
        self.port = free_port()
        self.broker_url = f"redis://127.0.0.1:{self.port}/0"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONUNBUFFERED": "1",
            "VAR_DIR": str(self.directory / "var"),
            **(env or {}),
            "CELERY_BROKER_URL": self.broker_url,
        }
        self.env.pop("CELERY_BROKER_WRITE_URL", None)
        names = ["redis", *self.layout]
        self.processes: dict[str, subprocess.Popen | None] = dict.fromkeys(names)
        self.starts = dict.fromkeys(names, 0)
        self.logs: dict[str, list[Path]] = {name: [] for name in names}

    def workers(self) -> list[str]:
        return [name for name, argv in self.layout.items() if "worker" in argv]

    # --- processes -------------------------------------------------------------------------

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        self.starts[name] += 1
        log = self.directory / f"{name}-{self.starts[name]}.log"
        self.logs[name].append(log)
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    @staticmethod
    def _kill(process: subprocess.Popen | None) -> None:
        """SIGKILL the process group (a worker's pool children with it) and reap the leader."""
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def start(self, name: str, wait: bool = True) -> None:
        """Start the layout's process `name` (`celery` + its arguments); a worker is waited
        for until it says it is ready."""
        self._spawn(name, [sys.executable, "-m", "celery", *self.layout[name]])
        if wait and name in self.workers():
            self.wait_ready(name)

    def start_all(self) -> None:
        for name in self.workers():
            self.start(name, wait=False)
        for name in self.layout:
            if name not in self.workers():
                self.start(name)
        for name in self.workers():
            self.wait_ready(name)

    def kill(self, name: str) -> None:
        self._kill(self.processes[name])

    def wait_ready(self, name: str = "worker", timeout: float = 60) -> None:
        def ready():
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited:\n{self.log_of(name)()}")
            return " ready." in self.logs[name][-1].read_text(errors="replace")

        wait_until(ready, timeout, f"{name} ready", self.log_of(name))

    def exited(self, name: str = "worker") -> bool:
        process = self.processes[name]
        return process is not None and process.poll() is not None

    def exit_reason(self, name: str = "worker") -> str:
        """The process's last CRITICAL or ERROR line, or its exit code."""
        lines = re.findall(r"(?:CRITICAL|ERROR)/MainProcess\] (.*)", self.log(name))
        return lines[-1] if lines else f"exit code {self.processes[name].returncode}"

    def start_redis(self) -> None:
        self._spawn(
            "redis",
            [
                REDIS_SERVER,
                "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no",
            ],
        )  # fmt: skip
        wait_until(self.redis_answers, 10, "redis-server answering PING", self.log_of("redis"))

    def kill_redis(self) -> None:
        self.kill("redis")

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

    def redis_integer(self, *words: str) -> int:
        return int(self.redis_command(*words).strip()[1:])

    def close(self) -> None:
        """Kill everything this stack started: beat first, the workers, redis last."""
        names = sorted(self.processes, key=lambda n: (n == "redis", n in self.workers()))
        for name in names:
            with contextlib.suppress(Exception):  # a finalizer goes on to the next process
                self.kill(name)

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

    def log(self, name: str = "worker", all_starts: bool = False) -> str:
        logs = self.logs[name] if all_starts else self.logs[name][-1:]
        return "".join(log.read_text(errors="replace") for log in logs)

    def received(self, task: str, name: str = "worker", all_starts: bool = False) -> int:
        """How many `task` messages the worker `name` logged as received."""
        return len(
            re.findall(re.escape(task) + r"\[[0-9a-f-]+\] received", self.log(name, all_starts))
        )

    def results(self, task: str) -> list[str]:
        """The return values every worker logged for `task`, every start."""
        logs = "".join(self.log(name, all_starts=True) for name in self.workers())
        return re.findall(re.escape(task) + r"\[[0-9a-f-]+\] succeeded in [0-9.e-]+s: (\S+)", logs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- the bench -------------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def bench_officials(streets: int = 0):
    """A bench committee member for every street with stationed departments, the street
    holding the power to coordinate (blowing needs it). With `streets`, first streets up to
    that many (bench.rankings.ensure_streets: 基准NN街道 in each district, in Beijing's
    proportions), each with the stations of a demo street of its district."""
    from accounts.choices import Power, Role
    from accounts.models import Department, PowerGrant, Station, Street, User
    from accounts.services import add_membership, grant_power, sync_powers

    if streets:
        from bench.rankings import ensure_streets

        ensure_streets(streets)
        model = {}
        for station in Station.objects.select_related("street").order_by("pk"):
            model.setdefault(station.street.district_id, {}).setdefault(
                station.street_id, []
            ).append(station)
        new = []
        for street in Street.objects.filter(stations__isnull=True).order_by("pk"):
            template = next(iter(model.get(street.district_id, {}).values()), [])
            new += [
                Station(
                    street=street,
                    department_id=s.department_id,
                    mode=s.mode,
                    duty_contact=s.duty_contact,
                    duty_phone=s.duty_phone,
                )
                for s in template
            ]
        Station.objects.bulk_create(new)
        if new:
            sync_powers()
    pairs = []
    granted = set(
        PowerGrant.objects.filter(power=Power.COORDINATE_DEPARTMENTS, revoked_at=None).values_list(
            "street_id", flat=True
        )
    )
    for street in Street.objects.filter(stations__isnull=False).distinct().order_by("pk"):
        if street.pk not in granted:
            grant_power(None, street, Power.COORDINATE_DEPARTMENTS, note="bench")
        user, _created = User.objects.get_or_create(
            username=f"bench_street_{street.pk}", defaults={"full_name": "bench"}
        )
        add_membership(user, Role.COMMITTEE_MEMBER, street)
        departments = list(Department.objects.summonable_by(user, street).order_by("pk"))
        if departments:
            pairs.append((user, street, departments))
    return pairs


def blow(officials, n: int, deadline_of=None) -> list[int]:
    """Blow whistles until `n` check-ins exist, rotating over the streets; their ids. With
    `deadline_of(i, blown)`, the i-th whistle's deadline (a datetime) instead of the setting's
    interval: the bench makes a burst fall due within a window."""
    from django.conf import settings
    from django.utils import timezone

    from dispatch.services import blow_whistle

    if not officials:
        raise SystemExit("no street with stationed departments: did seed_demo run?")
    ids: list[int] = []
    i = 0
    while len(ids) < n:
        user, street, departments = officials[i % len(officials)]
        if deadline_of is not None:
            seconds = (deadline_of(i, len(ids)) - timezone.now()).total_seconds()
            if seconds < 2:
                raise SystemExit(
                    f"blowing is too slow: whistle {i} would be due in {seconds:.1f} s"
                )
            settings.WHISTLE_CHECKIN_DEADLINE_SECONDS = seconds
        whistle = blow_whistle(
            user,
            street=street,
            kind="emergency",
            category="flood_control",
            title=f"bench {i}",
            location="bench",
            departments=departments[: n - len(ids)],
        )
        ids.extend(whistle.check_ins.values_list("pk", flat=True))
        i += 1
    return ids


def blowing_rate(officials, whistles: int = 30) -> float:
    """Seconds per whistle, measured on whistles blown and rolled back (no timer is sent)."""
    from django.db import transaction

    started = time.monotonic()
    with contextlib.suppress(RuntimeError), transaction.atomic():
        blow(officials, sum(len(d) for _u, _s, d in officials[:whistles]))
        raise RuntimeError("rolled back")
    return (time.monotonic() - started) / min(whistles, len(officials))


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


def sql_floor(ids: list[int]) -> float:
    """Seconds of the floor: one `UPDATE … RETURNING` of these check-ins writing their
    overdue events in the same statement (no notifications), rolled back."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        return float("nan")
    with contextlib.suppress(RuntimeError), transaction.atomic():
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(
                """
                WITH marked AS (
                    UPDATE dispatch_checkin SET overdue_at = now() WHERE id = ANY(%s)
                    RETURNING id, whistle_id, department_id, deadline
                )
                INSERT INTO whistle_event (whistle_id, type, at, check_in, data)
                SELECT whistle_id, 'check_in_overdue', now(), id,
                       jsonb_build_object('department', department_id, 'deadline', deadline)
                FROM marked
                """,
                [ids],
            )
            took = time.perf_counter() - started
            assert cursor.rowcount == len(ids), cursor.rowcount
        raise RuntimeError("rolled back")
    return took


def engine_seconds(stack) -> tuple[float, int]:
    """The time the workers spent marking check-ins (their log's `marked N dispatch.checkin
    overdue in S s` lines) and how many they marked."""
    logs = "".join(stack.log(name, all_starts=True) for name in stack.workers())
    found = re.findall(r"marked (\d+) dispatch\.checkin overdue in ([0-9.]+) s", logs)
    return sum(float(s) for _n, s in found), sum(int(n) for n, _s in found)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=None, help="check-ins (1000; 10000 --burst)")
    parser.add_argument(
        "--scenario", choices=["healthy", "worker-killed", "redis-restarted"], default="healthy"
    )
    parser.add_argument(
        "--layout", choices=["contract", "compose"], default="contract",
        help="contract: `celery -A config worker` and `beat`; compose: docker-compose.yml's",
    )  # fmt: skip
    parser.add_argument(
        "--burst", action="store_true",
        help="a city-wide emergency: the deadlines fall within --window s, across --streets "
        "streets, every account with an email address (notifications on)",
    )  # fmt: skip
    parser.add_argument("--window", type=float, default=10, help="--burst: s the deadlines span")
    parser.add_argument("--streets", type=int, default=343, help="--burst: streets (default 343)")
    parser.add_argument("--deadline", type=int, default=20, help="check-in deadline, s")
    parser.add_argument("--sweep", type=int, default=5, help="DISPATCH_SWEEP_SECONDS")
    parser.add_argument("--down", type=float, default=5, help="s between the kill and restart")
    parser.add_argument(
        "--kill-at", choices=["halfway", "first-deadline"], default="halfway",
        help="when the worker or Redis is killed: halfway to the first deadline, or at it (the "
        "rows falling due meanwhile wait for the restart)",
    )  # fmt: skip
    parser.add_argument("--logs", type=Path, default=None, help="keep the logs here")
    args = parser.parse_args(argv)
    n = args.n or (10000 if args.burst else 1000)

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
    os.environ["DISPATCH_REMINDER_MINUTES"] = "10,5"
    if args.burst:  # every notification written and sent, to nowhere
        os.environ["NOTIFICATIONS_CHANNELS"] = "inapp,email"
        os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    layout = compose_layout() if args.layout == "compose" else CONTRACT
    stack = Stack(logs, layout=layout)
    os.environ["CELERY_BROKER_URL"] = stack.broker_url  # this process sends the ETA tasks there
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from dispatch.models import CheckIn

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    officials = bench_officials(args.streets if args.burst else 0)
    if args.burst:
        User.objects.filter(email="").update(email=models_concat_email())

    with stack:
        stack.start_redis()
        stack.start_all()
        print(
            f"{args.scenario}{' burst' if args.burst else ''}: layout={args.layout} "
            f"({', '.join(stack.layout)}) N={n} streets={len(officials)} "
            f"sweep={args.sweep}s down={args.down:g}s database={connection.vendor} "
            f"{connection.settings_dict['NAME']} logs={logs}",
            flush=True,
        )
        started = time.monotonic()

        def say(message: str) -> None:
            print(f"t={time.monotonic() - started:5.1f}s {message}", flush=True)

        crashes = []

        def supervise() -> None:
            """Start a worker again when it exited on its own (as docker compose's
            `restart: unless-stopped` does), and say why it exited."""
            for name in stack.workers():
                if stack.processes[name] is not None and stack.exited(name):
                    why = stack.exit_reason(name)
                    crashes.append(f"{name}: {why}")
                    say(f"{name} exited on its own ({why}); starting it again")
                    stack.start(name, wait=False)

        def pause(seconds: float) -> None:
            until = time.monotonic() + seconds
            while time.monotonic() < until:
                supervise()
                time.sleep(0.1)

        if args.burst:
            per_whistle = blowing_rate(officials)
            whistles = math.ceil(n / (sum(len(d) for _u, _s, d in officials) / len(officials)))
            first_due = timezone.now() + timedelta(seconds=whistles * per_whistle * 1.25 + 15)
            say(
                f"blowing {whistles} whistles at {per_whistle * 1000:.0f} ms each; the "
                f"deadlines fall from {timezone.localtime(first_due):%H:%M:%S} within "
                f"{args.window:g} s"
            )
            ids = blow(
                officials,
                n,
                lambda i, blown: first_due + timedelta(seconds=args.window * blown / n),
            )
        else:
            ids = blow(officials, n)
        deadlines = sorted(CheckIn.objects.filter(pk__in=ids).values_list("deadline", flat=True))
        say(
            f"blown: {len(ids)} check-ins, due from {timezone.localtime(deadlines[0]):%H:%M:%S.%f}"
            f" to {timezone.localtime(deadlines[-1]):%H:%M:%S.%f}"
        )
        wait_until(
            lambda: stack.redis_command("LLEN", "celery").strip() == b":0",
            60,
            "the worker holding every ETA timer",
            stack.log_of("worker"),
        )
        timers = stack.received("dispatch.deadline_reached")
        say(f"the worker holds every ETA timer ({timers} for {len(ids)} deadlines)")
        kill_at = deadlines[0]
        if args.kill_at == "halfway":
            kill_at -= (deadlines[0] - timezone.now()) / 2
        if args.scenario != "healthy":
            time.sleep(max(0.0, (kill_at - timezone.now()).total_seconds()))
            if args.scenario == "worker-killed":
                stack.kill("worker")
                say("worker killed (SIGKILL to its process group)")
                time.sleep(args.down)
                stack.start("worker", wait=False)
                say("worker started again")
            else:
                stack.kill_redis()
                say("redis-server killed")
                pause(args.down)
                stack.start_redis()
                unacked = stack.redis_command("HLEN", "unacked").decode().strip()
                say(f"redis-server started again, empty (HLEN unacked {unacked})")
        restarted = timezone.now()
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
        pairs = list(
            CheckIn.objects.filter(pk__in=ids, overdue_at__isnull=False).values_list(
                "overdue_at", "deadline"
            )
        )
        floor = sql_floor(ids)
        engine, engine_rows = engine_seconds(stack)

    late = result["lateness"] or [float("nan")]
    by_sweep = sum(int(r) for r in stack.results("dispatch.sweep_overdue") if r.isdigit())
    after_restart = (
        f"marked within {max((m - max(restarted, d)).total_seconds() for m, d in pairs):.3f} s "
        f"of the later of its deadline and the restart (restart at "
        f"{timezone.localtime(restarted):%H:%M:%S.%f})\n"
        if args.scenario != "healthy" and pairs
        else ""
    )
    print(
        f"N {result['n']}  marks {result['marks']}  lost {result['lost']}  "
        f"doubled {result['doubled']}  overdue events {result['events']}\n"
        f"lateness p50 {percentile(late, 0.5):.3f} s  p99 {percentile(late, 0.99):.3f} s  "
        f"max {late[-1]:.3f} s\n"
        f"{after_restart}"
        f"not marked yet at the last deadline + 2 sweeps: {late_at_end} "
        f"(lost counts those still unmarked {GRACE} s later)\n"
        f"marked by the sweep {by_sweep}, by the ETA timers {result['marks'] - by_sweep}; "
        f"{timers} timers for {len(ids)} deadlines\n"
        f"engine: {engine_rows} marks in {engine:.3f} s of marking transactions, "
        f"{engine / max(engine_rows, 1) * 1000:.3f} ms a row with events and notifications; "
        f"SQL floor: {len(ids)} marks with their events in one statement {floor:.3f} s, "
        f"{floor / len(ids) * 1000:.4f} ms a row; ratio "
        f"{(engine / max(engine_rows, 1)) / (floor / len(ids)):.1f}\n"
        f"worker exits on its own: {len(crashes)}{': ' if crashes else ''}{'; '.join(crashes)}",
        flush=True,
    )
    return 0 if result["lost"] == 0 and result["doubled"] == 0 else 1


def models_concat_email():
    from django.db.models import Value
    from django.db.models.functions import Concat

    return Concat("username", Value("@bench.example"))


if __name__ == "__main__":
    sys.exit(main())
