"""Create the database cache's table, so ``migrate`` alone gives a working install.

The default cache is the database (``trestle_cache``) unless ``REDIS_URL`` is set: every web process and
worker of an install shares it (the token login's rate limit, the import preview kept between its two
requests), which a per-process memory cache would not. ``createcachetable`` does nothing for caches that
are not the database's, and nothing when the table is already there, so running it again is safe.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]
