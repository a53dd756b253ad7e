import sys

from django.core.management.base import BaseCommand, CommandError

from apps.erp.errors import ErpError
from apps.erp.management.text_table import text_table
from apps.erp.reconcile import reconcile


class Command(BaseCommand):
    help = (
        "Compare every record linked to the ERP (projects, sub jobs, companies, cost codes …) with the ERP's record "
        "(through the connector), list exports stuck in Exporting and ERP records written by an export Trestle did "
        "not record. Prints a table of differences and exits with status 1 if there are any, 0 if Trestle and the "
        "ERP agree, 2 if the ERP could not be read."
    )

    def handle(self, *args, **options):
        try:
            report = reconcile()
        except ErpError as error:
            raise CommandError(f"Could not read the ERP: {error.message} {error.resolution}", returncode=2) from None
        checked = f"{report.summary()}."
        in_flight = f" {report.exports_in_flight} exports in flight were not compared." if report.exports_in_flight else ""
        if not report.differences:
            self.stdout.write(f"No differences: {checked}{in_flight}")
            return
        rows = [(d.kind, d.trestle_object, d.field, d.trestle_value, d.erp_value) for d in report.differences]
        self.stdout.write(text_table(("Kind", "Trestle object", "Field", "Trestle value", "ERP value"), rows))
        count = len(report.differences)
        self.stdout.write(f"{count} difference{'s' if count != 1 else ''}: {checked}{in_flight}")
        sys.exit(1)
