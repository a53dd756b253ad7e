"""Configure the Sync Schedule (P#17): one django-q2 Schedule row per dataset, kept in step here.

Each tick reads what changed since the last run (every minute by default) and makes a full pass
when one is due (daily by default). The scheduled task refuses to start a dataset that is still
running (``sync_start``), so a slow run is never overlapped by the next tick; ``catch_up`` is
off, so downtime is not replayed. The schedules and the export reaper exist as soon as the
database is migrated (``ensure_schedules`` runs after ``migrate``), demo data or not.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from apps.access.checks import require
from apps.access.matrix import Action
from apps.core.exceptions import ValidationFailed
from apps.erp.models import SyncSchedule
from apps.erp.registry import datasets

REAPER_NAME = "erp: re-queue stalled exports"
MIN_MINUTES, MAX_MINUTES = 1, 7 * 24 * 60
DEFAULT_EVERY_MINUTES = 1
DEFAULT_FULL_EVERY_MINUTES = 24 * 60


def _schedule_name(dataset: str) -> str:
    return f"erp sync: {dataset}"


@transaction.atomic
def sync_schedule_save(*, schedule: SyncSchedule, actor=None) -> SyncSchedule:
    if actor is not None:
        require(actor, Action.CONFIGURE_SYNC_SCHEDULE)
    problems = {}
    for name in ("every_minutes", "full_every_minutes"):
        if not MIN_MINUTES <= getattr(schedule, name) <= MAX_MINUTES:
            problems[name] = f"Choose between {MIN_MINUTES} minute and one week ({MAX_MINUTES} minutes)."
    if not problems and schedule.full_every_minutes < schedule.every_minutes:
        problems["full_every_minutes"] = "A full pass cannot come more often than the change checks."
    if problems:
        raise ValidationFailed(problems)
    schedule.save()
    q_schedule, _ = Schedule.objects.update_or_create(
        name=_schedule_name(schedule.dataset),
        defaults={
            "func": "apps.erp.tasks.sync_scheduled_task",
            "args": repr(str(schedule.dataset)),
            "schedule_type": Schedule.MINUTES,
            "minutes": schedule.every_minutes,
            "repeats": -1 if schedule.enabled else 0,
            "next_run": timezone.now() + timedelta(minutes=schedule.every_minutes),
        },
    )
    if schedule.q_schedule_id != q_schedule.pk:
        schedule.q_schedule_id = q_schedule.pk
        schedule.save(update_fields=["q_schedule_id", "updated_at"])
    return schedule


@transaction.atomic
def sync_schedule_delete(*, schedule: SyncSchedule, actor=None) -> None:
    if actor is not None:
        require(actor, Action.CONFIGURE_SYNC_SCHEDULE)
    Schedule.objects.filter(name=_schedule_name(schedule.dataset)).delete()
    schedule.delete()


def next_run(schedule: SyncSchedule):
    if not schedule.enabled:
        return "paused"
    q_schedule = Schedule.objects.filter(name=_schedule_name(schedule.dataset)).first()
    return q_schedule.next_run if q_schedule else "—"


def ensure_schedules() -> None:
    """Every registered dataset has a schedule, and the export reaper runs every minute."""
    for spec in datasets():
        if not SyncSchedule.objects.filter(dataset=spec.key).exists():
            sync_schedule_save(schedule=SyncSchedule(
                dataset=spec.key, every_minutes=DEFAULT_EVERY_MINUTES, full_every_minutes=DEFAULT_FULL_EVERY_MINUTES
            ))
    Schedule.objects.update_or_create(
        name=REAPER_NAME,
        defaults={
            "func": "apps.erp.tasks.export_attempts_reap_task",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )


def ensure_schedules_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: once Trestle's tables exist, so do its schedules (not on the Sage database)."""
    if using != "default":
        return
    from django.db import connections

    tables = connections[using].introspection.table_names()
    if SyncSchedule._meta.db_table in tables and Schedule._meta.db_table in tables:
        ensure_schedules()
