"""Settings for the test suite: the project's settings with tasks run inline and a fast hasher."""

import os

os.environ.setdefault("Q_SYNC", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
          "django_q": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "django-q"}}
