"""``manage.py demo_logins``: print the demo logins that exist in this database."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from apps.demo.accounts import DEMO_ACCOUNTS


class Command(BaseCommand):
    help = "Print the demo logins that exist in this database."

    def handle(self, *args, **options):
        User = get_user_model()
        existing = set(User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).values_list("username", flat=True))
        if not existing:
            self.stdout.write("No demo users in this database (run `python manage.py seed_demo`).")
            return
        self.stdout.write("Demo logins (password: the DEMO_PASSWORD setting, 'trestle' unless you changed it):")
        for account in DEMO_ACCOUNTS:
            if account.username in existing:
                self.stdout.write(f"  {account.username:<10} {account.description}")
        if settings.DEMO_PASSWORD == "trestle":
            self.stdout.write("  password:  trestle")
