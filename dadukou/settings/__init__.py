"""Settings for the Dadukou grand-mediation platform, read from the environment.

Every variable is documented in README.md ("Configuration"). Nothing here has side effects
beyond creating the var/ directory the embedded default writes to.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from . import parsers
from .parsers import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
ENV = os.environ

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = parsers.secret_key(ENV, DEBUG, VAR_DIR / "dev-secret-key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "guardian",
    "django_htmx",
    "mediation",
    "disputes",
    "tasks_plan",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "dadukou.urls"
WSGI_APPLICATION = "dadukou.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mediation.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": parsers.database(ENV, VAR_DIR / "dadukou.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Passwords as ModelBackend; role permissions only through current memberships, each inside its scope.
    # It answers for django-guardian's object grants too, from what it has read once per request: guardian's
    # ObjectPermissionBackend is left out (it queried twice per refused check), hence guardian.W001 silenced.
    "mediation.backends.MembershipBackend",
]
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # no anonymous access anywhere: every page needs a login

# Internationalization: Simplified Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(ENV.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/bootstrap", parsers.package_dir("bootstrap"))]
MEDIA_ROOT = Path(ENV.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded files are never served as public static files: views check visibility first.
MEDIA_URL = "/media-not-public/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail
EMAIL_BACKEND = ENV.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (each message a file in this directory).
EMAIL_FILE_PATH = ENV.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = ENV.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = ENV.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = parsers.env_secret("EMAIL_HOST_PASSWORD", ENV) or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", "大调解平台 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SMS: a backend class (mediation/sms.py). The logging backend only logs; HttpGatewayBackend posts to a gateway.
SMS_BACKEND = ENV.get("SMS_BACKEND", "mediation.sms.LoggingBackend")
SMS_GATEWAY_URL = ENV.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = parsers.env_secret("SMS_GATEWAY_TOKEN", ENV) or ""

# Security: production values unless DEBUG is on.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS += [] if env_bool("SECURE_HSTS_PRELOAD", False) else ["security.W021"]

# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "大渡口区矛盾纠纷大调解平台 API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Celery: JSON only, tasks acked after they finish (and written to be idempotent).
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = parsers.celery_broker(ENV, VAR_DIR)
CELERY_RESULT_BACKEND = None
CELERY_RESULT_EXPIRES = None  # no results are stored, so beat needs no celery.backend_cleanup entry
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = "dadukou"
# Time limits (prefork pool; the solo pool of the embedded default enforces none). The longest task is a full
# overdue sweep (200 batches of 500) or a large registry import: minutes, far below the soft limit, which raises
# SoftTimeLimitExceeded in the job (batches already committed stay; the next run carries on). Both limits stay
# well below the Redis visibility timeout (CELERY_VISIBILITY_TIMEOUT, 3 h): a task acked late is redelivered to
# another worker only after that long, so it must never still be running (or waiting behind a running task,
# prefetch 1) by then. tests/test_reliability.py checks the order.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 30 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 35 * 60)
# When the broker connection drops, the running tasks' messages go back to the queue (acks_late), so cancel the
# tasks instead of finishing them as well: the redelivered copy does the work once.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Beat: celery's own PersistentScheduler, its state (each entry's last run) in a file under VAR_DIR; the schedule
# itself is static, in CELERY_BEAT_SCHEDULE below. (django_celery_beat's DatabaseScheduler dropped the entries'
# `expires` and only looks at crontab entries within two hours of their hour, so a missed daily run was caught up
# hours late or before its time.)
CELERY_BEAT_SCHEDULER = "celery.beat:PersistentScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = ENV.get("CELERY_BEAT_SCHEDULE_FILENAME") or f"{VAR_DIR}/celerybeat-schedule"
Path(CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)
# A crontab entry whose runs were missed while beat was down runs ONCE when beat is back (crontab counts the next
# run from the last one, which becomes now), never once per missed run. The catch-up happens only if the most
# recent missed run is within this deadline: a year, the longest period in the schedule, so a missed annual
# evaluation is still made. A late run is right because every job works on the current state or on the last
# complete period. tests/test_reliability.py stops beat for two days and counts the runs.
CELERY_BEAT_CRON_STARTING_DEADLINE = 366 * 24 * 3600


def _job(name: str, schedule, expires: int) -> dict:
    """A beat entry running the periodic job `name`; it expires before its next run, so a backlog never floods."""
    return {
        "task": "mediation.tasks.run_periodic",
        "schedule": schedule,
        "args": [name],
        "options": {"expires": expires},
    }


# The whole schedule: small and static (tens of entries, never one per dispute). Jobs are idempotent.
CELERY_BEAT_SCHEDULE: dict = {
    "refresh-mediator-statuses": _job("refresh_mediator_statuses", crontab(minute=10, hour=0), 6 * 3600),
    "deliver-outbox": _job("deliver_outbox", crontab(), 50),
    "prune-task-runs": _job("prune_task_runs", crontab(minute=40, hour=3), 12 * 3600),
    "clean-up-exports": _job("clean_up_exports", crontab(minute=50), 50 * 60),
    # Reports are for the last complete period whenever they run, so a late run still makes the right one.
    "weekly-reports": _job("weekly_reports", crontab(minute=0, hour=1, day_of_week="mon"), 6 * 24 * 3600),
    "monthly-reports": _job("monthly_reports", crontab(minute=30, hour=1, day_of_month=1), 20 * 24 * 3600),
    "quarterly-reports": _job(
        "quarterly_reports",
        crontab(minute=0, hour=2, day_of_month=1, month_of_year="1,4,7,10"),
        60 * 24 * 3600,
    ),
    "annual-reports": _job(
        "annual_reports", crontab(minute=0, hour=3, day_of_month=1, month_of_year=1), 180 * 24 * 3600
    ),
    "create-patrol-duties": _job("create_patrol_duties", crontab(minute=5, hour=0), 12 * 3600),
    "patrol-overdue-sweep": _job("patrol_overdue_sweep", crontab(minute="*/30"), 25 * 60),
    "assignment-overdue-sweep": _job("assignment_overdue_sweep", crontab(minute="*/10"), 9 * 60),
    "warning-ack-escalation": _job("warning_ack_escalation", crontab(minute="*/10"), 9 * 60),
    "agreement-reminders": _job("agreement_reminders", crontab(minute=0, hour=8), 6 * 3600),
    "plan-report-reminders": _job("plan_report_reminders", crontab(minute=30, hour=8), 6 * 3600),
    "plan-overdue-escalation": _job("plan_overdue_escalation", crontab(minute=0, hour=7), 12 * 3600),
    # Stored indicator figures: today's of every indicator, and the plan's check dates (see INDICATOR_MAX_AGE).
    "refresh-indicators": _job("refresh_indicators", crontab(minute="*/10"), 9 * 60),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": ENV.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Indicators are served from stored figures (mediation/services/indicator_store.py) refreshed every ten minutes;
# the job refreshes what is older than INDICATOR_MAX_AGE; a page serves a stale (or, just after midnight, the
# previous day's) snapshot up to INDICATOR_PAST_MAX_AGE and computes the figures itself only without one.
INDICATOR_MAX_AGE = env_int("INDICATOR_MAX_AGE", 30 * 60)
INDICATOR_PAST_MAX_AGE = env_int("INDICATOR_PAST_MAX_AGE", 24 * 3600)
# Days a written dispute export (xlsx, possibly with personal data) is kept for its requester to download; the
# hourly clean_up_exports job removes the file after that and keeps the job's record.
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", 7)

# The district this installation serves: the root of the region tree the office manages.
DISTRICT_CODE = ENV.get("DISTRICT_CODE", "500104")
