"""Run the platform, or its tests, from a fresh clone with nothing but Python 3.11+.

    python3 run.py                  migrate, collect static files, load the demo data, then run
                                    web (runserver), Celery worker and Celery beat until Ctrl-C
    python3 run.py test [ARGS]      run the test suite: python -m pytest ARGS (from the repo root)
    python3 run.py setup            only prepare the environment (.venv), then exit

Before any command, the environment is bootstrapped with the standard library alone: uv is found
on PATH or in .tools/uv (else installed there with pip), `uv sync --frozen` builds .venv whenever
it is missing or older than uv.lock / pyproject.toml, and this script re-executes itself with
.venv/bin/python for the rest.

Serving reads the same environment as the settings (docs/configuration.md): unset, DEBUG=1,
SQLite and the filesystem broker under VAR_DIR; with DATABASE_URL and REDIS_URL set, PostgreSQL
and Redis. PORT (default 8000) picks the web port. The three children run in their own process
groups, so Ctrl-C reaches only this supervisor, which stops beat, then web, then the worker.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

if sys.version_info < (3, 11):  # noqa: UP036 - python3 on a fresh machine may be older
    sys.exit("run.py needs Python 3.11 or newer")

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".run-py-synced"
LOCAL_UV = ROOT / ".tools" / "uv" / "bin" / "uv"

STOP_TIMEOUT = 10  # seconds a child gets after SIGTERM before SIGKILL
HEALTH_TIMEOUT = 90  # seconds to wait for the web server's first answer

DEMO_ACCOUNTS = [
    ("admin", "超级管理员 / superuser"),
    (
        "street_jinhaihu",
        "平谷区金海湖镇干部、党工委委员 / Jinhaihu town official, committee member",
    ),
    (
        "street_jinhaihu_clerk",
        "金海湖镇干部，非党工委委员 / Jinhaihu official, not on the committee",
    ),
    (
        "street_longtan",
        "东城区龙潭街道干部、党工委委员 / Longtan street official, committee member",
    ),
    ("street_shuguang", "海淀区曙光街道干部（街道无赋权）/ Shuguang street official, no powers"),
    ("dept_pg_chengguan", "平谷区城管执法局调度员（“1”）/ Pinggu urban management dispatcher"),
    ("dept_pg_police", "平谷公安分局调度员（“4”之一）/ Pinggu police dispatcher"),
    ("dept_pg_planning", "平谷区规划国土调度员（“N”之一）/ Pinggu planning & land dispatcher"),
    ("dept_dc_chengguan", "东城区城管执法局调度员（派驻龙潭）/ Dongcheng urban mgmt dispatcher"),
    ("district_pinggu", "平谷区考评员、管理员 / Pinggu district reviewer and administrator"),
    ("district_dongcheng", "东城区考评员、管理员 / Dongcheng district reviewer and administrator"),
    ("hotline_operator", "12345 市民热线接线员 / 12345 city hotline operator"),
]


def say(message: str) -> None:
    print(f"run.py: {message}", file=sys.stderr, flush=True)


# --- bootstrap (standard library only, runs under any Python 3.11+) ---------------------------


def find_uv() -> str:
    """uv from PATH or .tools/uv; installs it there with pip when neither has it."""
    uv = shutil.which("uv")
    if uv:
        return uv
    if not LOCAL_UV.exists():
        say("installing uv into .tools/uv (python3 -m pip install --target .tools/uv uv)")
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        env = {**os.environ, "PIP_ROOT_USER_ACTION": "ignore"}  # quiet as root in containers
        result = subprocess.run([*pip, "--target", str(LOCAL_UV.parent.parent), "uv"], env=env)
        if result.returncode != 0 or not LOCAL_UV.exists():
            sys.exit("run.py: could not install uv with pip; install uv and try again")
    return str(LOCAL_UV)


def venv_is_current() -> bool:
    if not VENV_PYTHON.exists() or not STAMP.exists():
        return False
    synced = STAMP.stat().st_mtime
    return all(synced >= (ROOT / name).stat().st_mtime for name in ("uv.lock", "pyproject.toml"))


def sync_venv() -> None:
    """`uv sync --frozen` with this Python, never a downloaded one; then stamp .venv."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_PROJECT_ENVIRONMENT": str(VENV)}
    env.pop("VIRTUAL_ENV", None)  # an activated other venv must not confuse uv
    command = [find_uv(), "sync", "--frozen", "--python", sys.executable]
    say("preparing .venv: " + " ".join(command[1:]))
    if subprocess.run(command, cwd=ROOT, env=env).returncode != 0:
        sys.exit("run.py: `uv sync --frozen` failed (see above)")
    STAMP.touch()


def inside_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def bootstrap() -> None:
    """Make .venv current, then re-execute this script inside it (returns only inside it)."""
    if inside_venv():
        return
    if not venv_is_current():
        sync_venv()
    os.environ["VIRTUAL_ENV"] = str(VENV)
    os.environ["PATH"] = f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    os.execv(VENV_PYTHON, [str(VENV_PYTHON), str(ROOT / "run.py"), *sys.argv[1:]])


# --- serve -------------------------------------------------------------------------------------


def port() -> int:
    value = os.environ.get("PORT") or "8000"
    if not value.isdigit() or not 0 < int(value) < 65536:
        sys.exit(f"run.py: PORT must be a port number, got {value!r}")
    return int(value)


def hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def describe_services() -> tuple[str, str]:
    """Which database and broker the settings chose (a bad variable stops here, in one line)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        database = f"SQLite {db['NAME']}"
    else:
        host = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
        database = f"PostgreSQL {db.get('USER') or ''}@{host}/{db['NAME']}"
    broker = settings.CELERY_BROKER_URL
    if broker.startswith("filesystem"):
        broker = f"Celery filesystem broker under {settings.CELERY_BROKER_DIR}"
    else:
        broker = f"Redis {hide_password(broker)}" if broker.startswith("redis") else broker
    return database, broker


def manage(*args: str) -> None:
    """One setup step in the foreground; stops the run when it fails."""
    say("manage.py " + " ".join(args))
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"run.py: `manage.py {' '.join(args)}` failed with exit code {result.returncode}")


def start_children(web_port: int) -> dict[str, subprocess.Popen]:
    """web, worker and beat, each in its own session so the terminal's Ctrl-C skips them."""
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    commands = {
        "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{web_port}", "--noreload"],
        # without -Q: the worker consumes every queue the settings declare (the sweep's too)
        "worker": [*celery, "worker", "-l", "info", "--concurrency", "2", "-n", "worker@%h"],
        "beat": [*celery, "beat", "-l", "info"],
    }
    children = {}
    for name, command in commands.items():
        children[name] = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        say(f"started {name} (pid {children[name].pid})")
    return children


def stop_child(name: str, child: subprocess.Popen) -> None:
    """SIGTERM to the child, SIGKILL to its whole process group if it lingers."""
    if child.poll() is None:
        say(f"stopping {name} (pid {child.pid})")
        child.terminate()
        try:
            child.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop within {STOP_TIMEOUT} s; killing it")
    # Then the group: also a worker's pool processes, should any be left.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()


def stop_all(children: dict[str, subprocess.Popen]) -> None:
    # Beat first (no new tasks), then web, then the workers, which finish what they hold.
    for name in ("beat", "web", "worker"):
        stop_child(name, children[name])


def died(children: dict[str, subprocess.Popen]) -> str | None:
    for name, child in children.items():
        if child.poll() is not None:
            return f"{name} exited on its own with code {child.returncode}"
    return None


def wait_for_web(url: str, children: dict, stop_requested) -> str | None:
    """The first HTTP answer from url (any status), or None when stopped or timed out."""
    deadline = time.monotonic() + HEALTH_TIMEOUT
    while time.monotonic() < deadline and not stop_requested() and not died(children):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return f"{response.status} {response.read(200).decode(errors='replace')}"
        except urllib.error.HTTPError as answer:
            return f"{answer.code} {answer.read(200).decode(errors='replace')}"
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    return None


def print_banner(url: str, health: str, database: str, broker: str) -> None:
    from django.conf import settings

    lines = [
        "",
        f"  吹哨报到 is running at {url}   (Ctrl-C stops web, worker and beat)",
        f"  healthz:  {health.strip()}",
        f"  database: {database}",
        f"  broker:   {broker}",
        f"  demo sign-ins (password: {settings.DEMO_PASSWORD}):",
        *(f"    {username:<22} {who}" for username, who in DEMO_ACCOUNTS),
        "",
    ]
    print("\n".join(lines), flush=True)


def serve() -> int:
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    web_port = port()
    database, broker = describe_services()
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput")
    manage("seed_demo")

    stop_signal: list[int] = []

    def request_stop(signum, frame):
        stop_signal.append(signum)

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    children = start_children(web_port)
    try:
        url = f"http://127.0.0.1:{web_port}/"
        health = wait_for_web(url + "healthz", children, lambda: bool(stop_signal))
        if health is not None:
            print_banner(url, health, database, broker)
        elif not stop_signal and not died(children):
            say(f"web did not answer {url}healthz within {HEALTH_TIMEOUT} s")
            return 1
        while not stop_signal:
            problem = died(children)
            if problem:
                say(problem + "; stopping the others")
                return 1
            time.sleep(0.5)
        say(f"{signal.Signals(stop_signal[0]).name} received; stopping")
        return 0
    finally:
        stop_all(children)


# --- commands ----------------------------------------------------------------------------------


def run_tests(args: list[str]) -> int:
    """python -m pytest ARGS from the repo root; its exit code is ours."""
    os.chdir(ROOT)
    os.execv(sys.executable, [sys.executable, "-m", "pytest", *args])
    return 1  # not reached: execv replaces this process


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "serve"
    if command in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    if command not in ("serve", "test", "setup"):
        sys.exit(f"run.py: unknown command {command!r} (try: python3 run.py --help)")
    bootstrap()
    if command == "setup":
        say(f"environment ready: {VENV_PYTHON}")
        return 0
    if command == "test":
        return run_tests(argv[1:])
    try:
        return serve()
    except KeyboardInterrupt:  # Ctrl-C during migrate / collectstatic / seed_demo
        say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
