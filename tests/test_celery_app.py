"""The Celery app of `celery -A config worker`: what the bare command starts with."""

from celery.apps.worker import Worker as CeleryWorker

from config.celery import app


def test_the_bare_worker_command_skips_mingle_unless_the_setting_asks(settings, monkeypatch):
    """The command line says nothing (without_mingle=False, as `celery -A config worker`
    passes it); the setting decides."""
    seen = {}
    monkeypatch.setattr(CeleryWorker, "__init__", lambda self, *a, **kwargs: seen.update(kwargs))

    settings.WORKER_MINGLE = False
    app.Worker(without_mingle=False, concurrency=2)
    assert seen == {"without_mingle": True, "concurrency": 2}

    settings.WORKER_MINGLE = True
    app.Worker(without_mingle=False, concurrency=2)
    assert seen == {"without_mingle": False, "concurrency": 2}
