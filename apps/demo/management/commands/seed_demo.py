"""``manage.py seed_demo``: load the demo Sage company, the connected hub and the demo users (idempotent)."""

from django.core.management.base import BaseCommand

from apps.demo.loader import seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo: a Sage 300 CRE company (cost codes, vendors, jobs, GL periods) in the embedded Sage, "
        "a connected Trestle with synced reference data, and the demo users. Safe to run again."
    )

    def handle(self, *args, **options):
        result = seed_demo()
        sage = result["sage"]
        added = ", ".join(f"{count} {name}" for name, count in sage.items() if count) or "nothing new"
        self.stdout.write(self.style.SUCCESS(f"Demo data ready (Sage 300 CRE: {added})."))
        if result["users_refused"]:
            self.stderr.write(self.style.WARNING(result["users_refused"]))
        if result["users"]:
            self.stdout.write(f"Created demo users: {', '.join(result['users'])}.")
