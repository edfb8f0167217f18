"""The background queue (Huey): SQLite storage in ``instance/`` by default, Redis when
``REDIS_URL`` is set; both read from :class:`app.config.Settings`.

Tasks are declared in each feature's ``tasks.py`` with :func:`task` or
:func:`periodic_task`: they run inside an application context (one app per worker
process) and are registered by name in :mod:`app.core.jobs`, so a use case can ask for one
after its commit. The worker is ``huey_consumer app.worker.huey`` (:mod:`app.worker` loads
every feature's tasks).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey
from huey.exceptions import RetryTask
from huey.signals import SIGNAL_INTERRUPTED

from app.config import Settings
from app.core import jobs
from app.core.faults import unavailable_from


def make_huey(settings: Settings) -> Huey:
    if settings.redis_url:
        return RedisHuey("concord", url=settings.redis_url, immediate=settings.queue_immediate)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        "concord",
        filename=str(settings.instance_path / "queue.db"),
        immediate=settings.queue_immediate,
    )


huey = make_huey(Settings.from_env())

# The worker (app.worker) names the application factory; the app is built once per worker
# process, at its first task. The web process only enqueues, or in immediate mode (tests,
# the demo seeder) runs a task inline inside its own application context.
_factory: Callable[[], Flask] | None = None
_app: Flask | None = None


def use_app_factory(factory: Callable[[], Flask]) -> None:
    global _factory
    _factory = factory


@huey.signal(SIGNAL_INTERRUPTED)
def _interrupt_the_caller(signal: str, task: Any, *args: Any, **kwargs: Any) -> None:
    """Ctrl-C during an inline task stops the caller too.

    Huey catches a ``KeyboardInterrupt`` raised inside a task and logs it: right for the
    consumer, whose own signal handling then shuts it down, but in immediate mode (tests,
    ``flask seed-demo``) the task runs inside the caller, which would carry on as if nothing
    had happened. Huey emits this signal from within its ``except KeyboardInterrupt``
    block, so re-raising here hands the interrupt back to whoever enqueued the task.
    """
    if huey.immediate:
        raise  # the KeyboardInterrupt Huey is handling


def with_app(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a task inside an application context (one app per worker process). A task
    that meets a full disk or a database refusing writes (:mod:`app.core.faults`) is tried
    again later (``UNAVAILABLE_RETRY_SECONDS``), however many retries it was given: the
    fault is the machine's, not the task's."""

    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        global _app
        if has_app_context():
            return _retrying_faults(fn, *args, **kwargs)
        if _app is None:
            if _factory is None:
                raise RuntimeError("no application factory: run the worker as app.worker.huey")
            _app = _factory()
        with _app.app_context():
            return _retrying_faults(fn, *args, **kwargs)

    return run


def _retrying_faults(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except Exception as exc:
        fault = unavailable_from(exc, f"task {fn.__name__}")
        if fault is None:
            raise
        delay = current_app.config["SETTINGS"].unavailable_retry_seconds
        raise RetryTask(f"{fault.code}: retrying in {delay}s", delay=delay) from exc


def task(**settings: Any) -> Callable[[Callable[..., Any]], Any]:
    """A Huey task run with the application, registered as a job under its function name."""

    def decorate(fn: Callable[..., Any]) -> Any:
        wrapped = huey.task(**settings)(with_app(fn))
        jobs.register(fn.__name__, wrapped)
        return wrapped

    return decorate


def periodic_task(validate_datetime: Callable[..., bool]) -> Callable[[Callable[..., Any]], Any]:
    """A Huey periodic task (``crontab``) run with the application."""

    def decorate(fn: Callable[..., Any]) -> Any:
        return huey.periodic_task(validate_datetime)(with_app(fn))

    return decorate
