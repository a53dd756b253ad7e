"""Trestle settings, read from the environment.

Defaults run locally with nothing else installed: SQLite files under ``var/`` for the
hub (alias ``default``) and for the embedded Sage 300 CRE (alias ``sage``).
Production mode (``TRESTLE_PRODUCTION=1``) turns on the hardening that
``manage.py check --deploy`` asks for and requires a real ``SECRET_KEY``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TRESTLE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = env_bool("TRESTLE_PRODUCTION")
DEBUG = env_bool("DEBUG", default=not PRODUCTION)

_DEV_SECRET_KEY = "trestle-insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET_KEY)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("Set SECRET_KEY (50+ random characters) in production mode.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    # Django would answer every request 400 and ``check --deploy`` would warn: say so at start instead.
    raise ImproperlyConfigured(
        "Set ALLOWED_HOSTS in production mode: the host names people type to reach Trestle, comma-separated "
        "(for example trestle.example.com)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "apps.core.admin_site.TrestleAdminConfig",  # django.contrib.admin with Trestle's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_q",
    "import_export",
    "simple_history",
    "apps.core",
    "apps.access",
    "apps.wbs",
    "apps.companies",
    "apps.projects",
    "apps.budgets",
    "apps.erp",
    "apps.sage300",
    "apps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "apps.core.middleware.RejectNulInQueryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------
# ``default`` holds Trestle; ``sage`` holds the embedded Sage 300 CRE company. They never
# share a transaction, exactly like a real hub and a real Sage server.


def _sqlite(name: str) -> dict:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / name),
        "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        "TEST": {"NAME": None},
    }


def _from_url(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
    return config


_default_url = os.environ.get("DATABASE_URL", "")
_sage_url = os.environ.get("SAGE_DATABASE_URL", "")

DATABASES = {"default": _from_url(_default_url) if _default_url else _sqlite("trestle.sqlite3")}
if _sage_url:
    DATABASES["sage"] = _from_url(_sage_url)
elif _default_url and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Same server, its own database: "<name>_sage".
    DATABASES["sage"] = {**DATABASES["default"], "NAME": f"{DATABASES['default']['NAME']}_sage"}
    DATABASES["sage"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_sage"}
else:
    DATABASES["sage"] = _sqlite("sage300.sqlite3")

DATABASE_ROUTERS = ["apps.sage300.routers.Sage300Router"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ------------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"

# --- Cache (django-q2 monitoring and import-export's confirm step need one) -------------

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "trestle_cache",
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
# django-q2 keeps its cluster statistics in a cache it polls twice a second. Not the database cache: the
# cluster's parent process would hold a database connection its forked workers inherit, and a shared
# connection corrupts both. Per process here, or Redis when there is one.
CACHES["django_q"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "django-q"}
)

# --- django-q2 -------------------------------------------------------------------------
# ORM broker explicitly (the library's default is Redis). ``retry`` must exceed ``timeout``
# so a task that is still running is never handed to a second worker. Successful tasks are not
# saved (``save_limit`` -1): with a positive limit the monitor locks and re-reads every saved result
# after each task; exports and syncs keep their own records (export tries, sync runs). Failures are
# always saved.

Q_CLUSTER = {
    "name": "trestle",
    "orm": "default",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": int(os.environ.get("Q_TIMEOUT", "300")),
    "retry": int(os.environ.get("Q_RETRY", "420")),
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": int(os.environ.get("Q_SAVE_LIMIT", "-1")),
    "queue_limit": 50,
    "bulk": 5,
    "poll": 0.5,
    "sync": env_bool("Q_SYNC"),
    "cache": "django_q",
    "label": "Background tasks",
    "log_level": os.environ.get("Q_LOG_LEVEL", "WARNING"),
}
if os.environ.get("Q_REDIS_URL"):
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = os.environ["Q_REDIS_URL"]

# --- REST framework and OpenAPI --------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "apps.core.api.exceptions.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.api.parsers.TrestleJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Trestle API",
    "DESCRIPTION": "Project financials kept in step with Sage 300 CRE.",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ErpStatusEnum": "apps.erp.lifecycle.ErpStatus",
        "SyncRunStatusEnum": "apps.erp.models.SyncRun.Status",
        "ExportAttemptStatusEnum": "apps.erp.models.ExportAttempt.Status",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- django-import-export --------------------------------------------------------------
# Importing needs an explicit permission (``<app>.import_<model>``); the library's default
# lets every staff user import.

IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

# --- django-simple-history -------------------------------------------------------------

SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Trestle ---------------------------------------------------------------------------

TRESTLE_ERP_CONNECTOR = os.environ.get("TRESTLE_ERP_CONNECTOR", "apps.sage300.connector.Sage300Connector")
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "trestle")

# --- Production hardening (``check --deploy`` clean) ----------------------------------

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django-q": {"level": os.environ.get("Q_LOG_LEVEL", "WARNING")}},
}
