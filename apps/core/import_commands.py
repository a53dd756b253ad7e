"""Base classes for the ``import_*`` / ``export_*`` management commands.

They share the admin's plumbing (``apps.core.imports``): an import is all or nothing, and a file
with any problem prints a Row | Line | Column | Problem table and exits with status 1, having
imported nothing. Commands run as an administrator (no permission check).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core.exceptions import ApplicationError
from apps.core.imports import FILE_FORMATS, ROW_NUMBERING, export_data, file_format_for, problems_table, read_dataset, run_import


class ImportCommand(BaseCommand):
    """Subclasses set ``help`` and ``what`` and implement ``build_resource(options)``."""

    what = "rows"

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv (UTF-8) or .xlsx file with a header row")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; change nothing")
        parser.add_argument("--format", choices=sorted(FILE_FORMATS), help="the file's format (default: from its extension)")

    def build_resource(self, options):
        raise NotImplementedError

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            file_format = file_format_for(path, options["format"])
            data = path.read_bytes()
            dataset = read_dataset(data=data, file_format=file_format)
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {path}") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

        outcome = run_import(resource=self.build_resource(options), dataset=dataset, dry_run=options["dry_run"])
        if outcome.problems:
            count = len(outcome.problems)
            self.stderr.write(problems_table(outcome.problems))
            self.stderr.write(ROW_NUMBERING)
            raise CommandError(f"{count} problem{'s' if count != 1 else ''} in {path.name}; nothing was imported.")

        summary = f"{outcome.created} new, {outcome.updated} updated, {outcome.unchanged} unchanged {self.what}"
        if options["dry_run"]:
            self.stdout.write(f"Dry run of {path.name}: {summary}. Nothing was changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {path.name}: {summary}."))


class ExportCommand(BaseCommand):
    """Subclasses set ``help`` and implement ``build_resource(options)`` and ``get_queryset(options)``."""

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(FILE_FORMATS), default=None, help="csv (default) or xlsx")
        parser.add_argument("-o", "--output", help="file to write (default: standard output, CSV only)")

    def build_resource(self, options):
        raise NotImplementedError

    def get_queryset(self, options):
        raise NotImplementedError

    def handle(self, *args, **options):
        output = options["output"]
        file_format = options["format"] or (file_format_for(output) if output and Path(output).suffix else "csv")
        data = export_data(resource=self.build_resource(options), queryset=self.get_queryset(options), file_format=file_format)
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"Wrote {output}.")
        elif file_format == "xlsx":
            raise CommandError("XLSX is a binary format; give a file with -o, e.g. -o export.xlsx.")
        else:
            self.stdout.write(data.decode("utf-8"), ending="")
