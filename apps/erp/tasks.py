"""django-q2 task wrappers: ids in, services out. Delivery is at least once; the services are idempotent."""


def export_attempt_run_task(attempt_id: int) -> str:
    from apps.erp.services import export_attempt_run

    return export_attempt_run(attempt_id=attempt_id)


def export_attempts_reap_task() -> int:
    from apps.erp.services import export_attempts_reap

    return len(export_attempts_reap())


def sync_run_task(run_id: int) -> str:
    from apps.erp.sync import sync_run_execute

    return sync_run_execute(run_id=run_id).status


def sync_scheduled_task(dataset: str) -> str:
    """Started by a django-q2 Schedule row; a run already in progress makes this a no-op."""
    from apps.core.exceptions import Conflict
    from apps.erp.models import SyncRun
    from apps.erp.sync import sync_start

    try:
        return sync_start(dataset=dataset, trigger=SyncRun.Trigger.SCHEDULED).status
    except Conflict as skipped:
        return skipped.message
