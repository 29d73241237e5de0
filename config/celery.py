"""The Celery app: `celery -A config worker`, `celery -A config beat`."""

import os

from celery import Celery, signals
from celery.apps.worker import Worker as CeleryWorker
from kombu.utils.objects import cached_property

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class Worker(CeleryWorker):
    """`celery -A config worker`, started as if with `--without-mingle` unless the setting
    WORKER_MINGLE asks for mingle: the contract names the bare command, and a worker restarted
    after a crash should sweep at once, not after a second spent waiting for neighbours."""

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        if not settings.WORKER_MINGLE:
            kwargs["without_mingle"] = True
        super().__init__(*args, **kwargs)


class App(Celery):
    @cached_property
    def Worker(self):
        return self.subclass_with_self(Worker)


app = App("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def load_before_forking(**kwargs):
    """The URL configuration (every view module; notification links are reversed) loaded once
    in the main process, before the pool forks: each child's first sweep after a restart does
    not spend a third of a second importing it."""
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 (reading it loads and indexes every URL)


@app.task(name="config.ping")
def ping(value: str) -> str:
    """Answers what it was given: proves a round trip through broker, worker and results."""
    return f"pong:{value}"
