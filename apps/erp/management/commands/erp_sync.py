import sys

from django.core.management.base import BaseCommand, CommandError

from apps.core.exceptions import Conflict
from apps.erp.management.text_table import text_table
from apps.erp.models import SyncRun
from apps.erp.sync import dataset_spec, sync_run_summary, sync_start


class Command(BaseCommand):
    help = (
        "Pull one dataset from the ERP (cost-codes, vendors, jobs, sub-jobs …). Queues a run for the worker and "
        "prints its id; with --inline it runs now, prints the counts and the records that failed, and exits with "
        "status 1 if the run failed or finished with errors. An unknown dataset exits with status 2. --changes reads "
        "only what changed since the last run."
    )

    def add_arguments(self, parser):
        parser.add_argument("dataset", help="the dataset to pull (cost-codes, vendors, jobs, sub-jobs …)")
        parser.add_argument("--inline", action="store_true", help="run now in this process instead of queueing it")
        parser.add_argument("--changes", action="store_true", help="read only what changed since the last run")

    def handle(self, *args, **options):
        try:
            spec = dataset_spec(options["dataset"])
        except Conflict as unknown:
            raise CommandError(unknown.message, returncode=2) from None
        try:
            run = sync_start(dataset=spec.key, trigger=SyncRun.Trigger.COMMAND, run_inline=options["inline"],
                             mode=SyncRun.Mode.INCREMENTAL if options["changes"] else SyncRun.Mode.FULL)
        except Conflict as running:  # the same dataset is queued or running
            raise CommandError(running.message, returncode=1) from None
        if not options["inline"]:
            self.stdout.write(
                f"Queued the {run.get_dataset_display()} sync, run #{run.pk}; a worker (manage.py qcluster) runs it."
            )
            return
        self.stdout.write(self.summary(run))
        if run.errors:
            rows = [(e.get("record", ""), e.get("message", ""), e.get("resolution", "")) for e in run.errors]
            self.stdout.write(text_table(("Record", "Problem", "What to do"), rows))
        if run.status in (SyncRun.Status.FAILED, SyncRun.Status.PARTIAL):
            sys.exit(1)

    @staticmethod
    def summary(run: SyncRun) -> str:
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at and run.started_at else 0
        return (
            f"{run.get_dataset_display()} sync #{run.pk}: {run.get_status_display().lower()} — read "
            f"{run.records_seen}, created {run.created}, updated {run.updated}, unchanged {run.unchanged}, "
            f"skipped {run.skipped}, failed {run.failed} in {seconds:.2f} s"
            + "".join(f"; {line}" for line in sync_run_summary(run)[1:])
        )
