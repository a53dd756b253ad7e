"""Configure the Sync Schedule (P#17): one django-q2 Schedule row per dataset, kept in step here.

The scheduled task refuses to start a dataset that is still running (``sync_start``), so a slow
run is never overlapped by the next tick; ``catch_up`` is off, so downtime is not replayed.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from apps.access.checks import require
from apps.access.matrix import Action
from apps.core.exceptions import ValidationFailed
from apps.erp.models import Dataset, SyncSchedule

REAPER_NAME = "erp: re-queue stalled exports"
MIN_MINUTES, MAX_MINUTES = 5, 7 * 24 * 60


def _schedule_name(dataset: str) -> str:
    return f"erp sync: {dataset}"


@transaction.atomic
def sync_schedule_save(*, schedule: SyncSchedule, actor=None) -> SyncSchedule:
    if actor is not None:
        require(actor, Action.CONFIGURE_SYNC_SCHEDULE)
    if not MIN_MINUTES <= schedule.every_minutes <= MAX_MINUTES:
        raise ValidationFailed({"every_minutes": f"Choose between {MIN_MINUTES} minutes and one week ({MAX_MINUTES})."})
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


def default_schedules_ensure() -> None:
    """Hourly pulls of every dataset (the seed's hh2 cadence) and a one-minute export reaper."""
    for dataset in Dataset:
        if not SyncSchedule.objects.filter(dataset=dataset).exists():
            sync_schedule_save(schedule=SyncSchedule(dataset=dataset, every_minutes=60))
    Schedule.objects.update_or_create(
        name=REAPER_NAME,
        defaults={
            "func": "apps.erp.tasks.export_attempts_reap_task",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
