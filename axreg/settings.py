"""One settings module, read from the environment, that runs locally with no configuration.

Embedded default: SQLite file in the project and Celery tasks run in process.
Set DATABASE_URL and CELERY_BROKER_URL for PostgreSQL and real workers.
"""

import importlib.util
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# The fallback key is only ever used with DEBUG on; production refuses to start without one.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-local-development-only-key-for-ax-registry-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "axreg",  # its migration creates the database cache's table
    "audiences",
    "journeys",
    "measurements",
    "webhooks",
]

# Dev tool (CI runs `manage.py lintmigrations`); production installs leave it out.
if importlib.util.find_spec("django_migration_linter") is not None:
    INSTALLED_APPS.append("django_migration_linter")
MIGRATION_LINTER_OPTIONS = {
    # Ours only: third-party apps' migrations (django_celery_beat drops a column) are theirs to
    # vouch for.
    "include_apps": ["audiences", "journeys", "measurements", "webhooks"],
    # Reviewed: 0007 makes alerts' last_period_start NOT NULL after 0006 filled every row, and
    # adds "one open alert per definition" on the small alerts table. The previous release
    # could still open a second alert for a definition meanwhile, so stop its workers and beat
    # before migrating (docs/operations.md, "Upgrading").
    "ignore_name": ["0007_alert_constraints"],
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in person's kept language comes before the browser's.
    "axreg.i18n.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audiences.middleware.CurrentOrganisationMiddleware",
    "axreg.security.SecurityHeadersMiddleware",
    "axreg.middleware.DatabaseUnavailableMiddleware",  # 503, not 500, when the database is down
    "axes.middleware.AxesMiddleware",  # turns a locked-out sign-in into the lockout page
]

ROOT_URLCONF = "axreg.urls"

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
                "audiences.context_processors.current_organisation",
                "django.template.context_processors.i18n",
            ],
            # |lower, |upper and |capfirst that know Turkish dotted and dotless i (axreg.text).
            "builtins": ["axreg.templatetags.language_casing"],
        },
    },
]

WSGI_APPLICATION = "axreg.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        # An empty DATABASE_URL (as compose files and CI matrices write it) means the default.
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def redis_cache_url() -> str:
    """Where the shared counters go in Redis, or "" for the database.

    CACHE_URL as given; else REDIS_URL's or the Celery broker's Redis server on the next
    database number, because cache.clear() empties its whole database and the queue of
    waiting tasks must not go with it.
    """
    if os.environ.get("CACHE_URL"):
        return os.environ["CACHE_URL"]
    url = os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith(("redis://", "rediss://")):
        return ""
    base, _, tail = url.rpartition("/")
    if base.endswith(":") or base.endswith("/") or not tail.split("?")[0].isdigit():
        base, tail = url.rstrip("/"), "0"  # no database number: Redis's 0
    number, _, query = tail.partition("?")
    other = int(number) + 1 if int(number) < 15 else int(number) - 1
    return f"{base}/{other}" + (f"?{query}" if query else "")


# API rate-limit counters live in the cache, so they must be shared by every web process:
# Redis when one is configured, else a table in the database (created by a migration of the
# axreg app). Never per-process memory: with three gunicorn workers, that is three limits.
CACHE_TABLE = "axreg_cache"
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_cache_url(),
            "KEY_PREFIX": "axreg",
            # A Redis that is down answers fast; the API then serves unthrottled (throttles.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if redis_cache_url()
        else {
            "BACKEND": "axreg.cache.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    )
}

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out sign-in before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "audiences.auth.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Failed sign-ins allowed per e-mail and per client address within the window (seconds).
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 10))
LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", 900))
# django-axes counts them in the database (shared by every web process): the LOGIN_FAILURE_LIMIT-th
# failure from one address, or for one e-mail, locks both out for LOGIN_FAILURE_WINDOW seconds.
AXES_FAILURE_LIMIT = "axreg.security.failure_limit"
AXES_COOLOFF_TIME = "axreg.security.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one, as before axes
AXES_USERNAME_CALLABLE = "axreg.security.sign_in_name"
AXES_LOCKOUT_CALLABLE = "axreg.security.lockout_response"
AXES_RESET_ON_SUCCESS = False  # a success between guesses does not buy an attacker more
AXES_VERBOSE = False
LOGIN_REDIRECT_URL = "audiences:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# The interface's languages, each named in itself for the switch in the header.
LANGUAGES = [("en-gb", "English"), ("ko", "한국어"), ("tr", "Türkçe")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates per language in the few shapes the pages use (axreg/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["axreg.formats"]
LANGUAGE_COOKIE_NAME = "axreg_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# CI collects into a temporary directory (.ci/production); the image uses the default.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# A bulk push of 10,000 items is ~2 MB of JSON plus whitespace; Django's 2.5 MB default is
# too tight. The API answers a JSON 413 above this (measurements.api).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 16 * 1024 * 1024))
API_MAX_BULK_ITEMS = 10_000

# Security: production values come on whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Bearer first so that an unauthenticated request gets 401 + WWW-Authenticate.
        "axreg.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_RATES": {"api_key": os.environ.get("API_THROTTLE_RATE", "600/minute")},
    # One error shape: 400 {"errors": [{"index"?, "field", "message"}]}, JSON 413 for big bodies.
    "EXCEPTION_HANDLER": "axreg.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AX Registry API",
    "DESCRIPTION": "Push survey responses, support cases, revenue events and memberships; "
    "read audiences and rolled-up metrics; manage audiences, metric definitions and journeys "
    "(stages, touchpoints); read, acknowledge and resolve alerts; work follow-ups (assign, "
    "move, note); keep opportunities in priority order. Webhooks are managed here by leads "
    "signed in to the app only (API keys get 403). Small-group privacy holds in every answer.",
    "VERSION": "1.0.0",
    # Operation ids and tags from the path after /api/v1/: `audiences_list`, not `v1_…`.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "AudienceKindEnum": "audiences.models.AudienceKind",
        "MetricKindEnum": "measurements.models.MetricKind",
        "WebhookEventEnum": "webhooks.models.EventType",
        "WebhookFormatEnum": "webhooks.models.BodyFormat",
        "FollowUpStatusEnum": "measurements.models.FollowUpStatus",
        "OpportunityStatusEnum": "measurements.models.OpportunityStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "axreg.api.schema.strict_components",  # bodies refuse unknown fields
        "axreg.api.schema.server_responses",  # 414 from gunicorn's request-line limit
    ],
    # Swagger UI from the sidecar package (no CDN), served by the CSP-friendly split view.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Celery: with no broker configured, tasks run in process so the embedded default works.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a web request gives up fast when Redis is down (the stale marks and beat cover
# it): one quick retry, no 2 s back-off (tests/faults/test_redis_down.py measures it).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
    "socket_connect_timeout": 1,
}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Declared in code; the database scheduler copies these entries in at start-up.
CELERY_BEAT_SCHEDULE = {
    # Catches the stale marks whose after-commit enqueue was lost (broker down, worker killed).
    "rollups-recompute-stale": {
        "task": "measurements.tasks.recompute_stale",
        "schedule": 60.0,
    },
    # Full recompute per organisation: retention, churn, CLV and TTR move with time alone.
    "rollups-nightly": {
        "task": "measurements.tasks.rollup_nightly",
        "schedule": crontab(hour=2, minute=15),
    },
    # Sends the webhook deliveries that are due: retries, and any whose queued task was lost.
    "webhooks-deliver-due": {
        "task": "webhooks.tasks.deliver_due",
        "schedule": 60.0,
    },
    # Hourly: each organisation's owners get the weekly digest from 08:00 on its local Monday,
    # once (measurements/digest.py claims each owner's week before sending).
    "digest-weekly": {
        "task": "measurements.tasks.send_weekly_digests",
        "schedule": crontab(minute=5),
    },
}

# Outbound webhooks: seconds to wait for a receiver (connect, and each read), how long a
# rotated-out secret keeps signing, and whether endpoints may point at private addresses
# (loopback, 10.x, 169.254.x…): off in production, on for tests and a local receiver.
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "10"))
WEBHOOK_SECRET_OVERLAP_HOURS = float(os.environ.get("WEBHOOK_SECRET_OVERLAP_HOURS", "24"))
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)

# Follow-ups: an answer older than this many days when it is stored makes none (a back-fill
# of last quarter's detractors is not a loop anyone can still close; measurements.followups).
FOLLOWUP_MAX_AGE_DAYS = int(os.environ.get("FOLLOWUP_MAX_AGE_DAYS", "14"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ax-registry@localhost")
# Where the app is reached from outside, for the links in e-mails (which have no request).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
