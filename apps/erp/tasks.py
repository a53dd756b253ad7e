"""django-q2 task wrappers: ids in, services out. Delivery is at least once; the services are idempotent."""


def export_attempts_run_task(attempt_ids: list[int]) -> list[str]:
    from apps.erp.export import export_attempts_run

    return export_attempts_run(attempt_ids=attempt_ids)


def export_attempts_reap_task() -> int:
    from apps.erp.export import export_attempts_reap

    return len(export_attempts_reap())


def sync_run_task(run_id: int) -> str:
    from apps.erp.sync import sync_run_execute

    return sync_run_execute(run_id=run_id).status


def sync_scheduled_task(dataset: str) -> str:
    """Started by a django-q2 Schedule row: the changes since the last run, or a full pass when one is due."""
    from apps.erp.sync import sync_scheduled

    return sync_scheduled(dataset=dataset)
