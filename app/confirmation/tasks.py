"""Judicial confirmation's background work: assemble the package, remind the parties of
the 30-day window (CPL Art. 205)."""

from __future__ import annotations

from huey import crontab

from app.confirmation.package.build import build_package
from app.confirmation.package.recovery import recover_stalled_packages
from app.confirmation.reminders import send_deadline_reminders
from app.queue import periodic_task, task


@task(retries=2, retry_delay=10)
def build_package_task(package_id: int) -> None:
    """Assemble, attach and certify a released judicial-confirmation package; the use
    case that released it asks for this job (``jobs.enqueue("build_package_task", id)``)."""
    build_package(package_id)


@periodic_task(crontab(minute="7"))
def send_deadline_reminders_hourly() -> int:
    """Day-20 and day-27 reminders of the 30-day window (queued under the contact rules)."""
    return send_deadline_reminders()


@periodic_task(crontab(minute="*"))
def recover_stalled_packages_every_minute() -> int:
    """Ask again for package builds lost with a killed worker (or fail them)."""
    return recover_stalled_packages()
