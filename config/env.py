"""Small typed readers of the environment (see docs/configuration.md).

A bad value stops the process with one line naming the variable, not a traceback:
`ConfigError` is a SystemExit, so manage.py, gunicorn and celery print the message and exit 1.
"""

import os
from pathlib import Path
from urllib.parse import urlparse


class ConfigError(SystemExit):
    def __init__(self, variable: str, problem: str):
        super().__init__(f"Configuration error: {variable} {problem}")
        self.variable = variable


def text(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "")
    return value if value != "" else default


def flag(name: str, default: bool = False) -> bool:
    value = text(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(name, f"must be 0 or 1, got {value!r}")


def integer(name: str, default: int, minimum: int = 1) -> int:
    value = text(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(name, f"must be a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {number}")
    return number


def number(name: str, default: float, minimum: float = 0.0, maximum: float = 1e9) -> float:
    """A decimal number (weights of formulas)."""
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(name, "must be a number") from None
    if not (minimum <= value <= maximum):
        raise ConfigError(name, f"must be between {minimum:g} and {maximum:g}")
    return value


def csv_list(name: str, default: list[str], allow_empty: bool = True) -> list[str]:
    value = text(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items and not allow_empty:
        raise ConfigError(name, "names no value (use a comma-separated list)")
    return items


def directory(name: str, default: Path, base: Path) -> Path:
    path = Path(text(name) or default)
    if not path.is_absolute():
        path = base / path
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(name, f"cannot be created at {path}: {exc.strerror}") from None
    return path.resolve()


def database(name: str, sqlite_path: Path) -> dict:
    """DATABASE_URL as a Django DATABASES entry; SQLite under VAR_DIR when unset."""
    import dj_database_url

    url = text(name)
    if url is None:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(sqlite_path)}
    else:
        parsed = urlparse(url)
        if parsed.scheme not in ("sqlite", "postgres", "postgresql", "pgsql"):
            raise ConfigError(
                name, f"must start with sqlite:/// or postgres://, got scheme {parsed.scheme!r}"
            )
        try:
            parsed.port  # noqa: B018 - raises on a non-numeric or out-of-range port
        except ValueError:
            raise ConfigError(name, "has a port that is not a number from 1 to 65535") from None
        try:
            config = dj_database_url.parse(url)
        except Exception as exc:  # the library raises several types for bad URLs
            raise ConfigError(name, f"is malformed: {exc}") from None
        if config["ENGINE"] != "django.db.backends.sqlite3" and not config.get("NAME"):
            raise ConfigError(name, "names no database (postgres://USER@HOST:PORT/NAME)")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # web, worker and beat write at once: WAL lets readers go on, IMMEDIATE takes the
        # write lock at BEGIN so no transaction fails half-way, and the timeout waits for it.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["TEST"] = {"NAME": str(Path(config["NAME"]).with_name("test.sqlite3"))}
    else:
        config.setdefault("CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
    return config


def url(name: str, schemes: tuple[str, ...]) -> str | None:
    value = text(name)
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        raise ConfigError(name, f"must start with one of {', '.join(s + '://' for s in schemes)}")
    try:
        parsed.port  # noqa: B018 - raises on a non-numeric or out-of-range port
    except ValueError:
        raise ConfigError(name, "has a port that is not a number from 1 to 65535") from None
    return value
