"""Settings shared by every environment. Everything that differs between machines comes from the
environment (see README "Environment variables"); the defaults are the embedded ones `make run` uses."""

import hashlib
import os
from datetime import time
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from aims import sso_settings
from aims.database import tune_postgresql, tune_sqlite
from aims.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env("AIMS_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-never-used-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    # Sign-in through the organisation's identity provider and the second factor (aims.sso, aims.mfa).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    "aims",
    "registers",
    "lifecycle",
    "audits",
    "reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "aims.security.SecurityHeadersMiddleware",  # CSP and Permissions-Policy, in every environment
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "aims.sessions.SessionLimitMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "aims.mfa.SecondFactorMiddleware",  # the roles that must sign in with a second factor
    "aims.guests.GuestBoundaryMiddleware",  # an outside auditor reaches their audit's pages only
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "aims.database.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "aims.urls"
WSGI_APPLICATION = "aims.wsgi.application"

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
                "aims.context_processors.navigation",
            ],
        },
    },
]
# Django's form renderer, its commonest widgets written out in Python rather than drawn through a template
# each (aims/form_rendering.py): the same HTML, in a fraction of the time.
FORM_RENDERER = "aims.form_rendering.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'aims.sqlite3'}"), conn_max_age=60
    )
}
# On SQLite (make run), writers queue for the write lock instead of failing at once (aims.database).
DATABASES["default"] = tune_sqlite(DATABASES["default"], busy_timeout=env_int("SQLITE_BUSY_TIMEOUT", 20))
# No parallel workers for a query by default: on a web server their start-up costs more than they save.
DATABASES["default"] = tune_postgresql(
    DATABASES["default"], parallel_workers=env_int("DATABASE_PARALLEL_WORKERS", 0)
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "aims.User"
AUTHENTICATION_BACKENDS = [
    "aims.backends.RolesBackend",  # ModelBackend, reading the roles with the person
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed sign-ins per account (however its name is typed) and address before the login form refuses
# for LOGIN_LOCKOUT_SECONDS (aims.views.auth.lock_subject).
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 900)
# Single sign-on and the second factor (README "Single sign-on"; aims.sso_settings reads the environment).
# Local accounts (username and password) can be turned off once everyone signs in through the provider.
LOCAL_SIGN_IN = env_bool("AIMS_LOCAL_SIGN_IN", True)
SOCIALACCOUNT_PROVIDERS = sso_settings.providers()
SSO_GROUPS_CLAIM = env("AIMS_SSO_GROUPS_CLAIM", "groups")
SSO_ROLE_MAP = sso_settings.role_map(env("AIMS_SSO_ROLE_MAP", sso_settings.DEFAULT_ROLE_MAP))
# The roles that must use a second factor until the AIMS manager chooses otherwise (aims.mfa).
MFA_REQUIRED_ROLES = sso_settings.roles_list("AIMS_MFA_REQUIRED_ROLES", ["manager", "board"])
ACCOUNT_ADAPTER = "aims.sso.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "aims.sso.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False  # the provider's tokens are not needed after sign-in: not kept
SOCIALACCOUNT_LOGIN_ON_GET = False  # a page of ours asks before leaving for the provider (CSRF-safe POST)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env("AIMS_MFA_ISSUER", "AIMS")
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("DEBUG", False)  # http://127.0.0.1 in development only
MFA_ADAPTER = "aims.mfa.MFAAdapter"
# Authenticator apps' secrets are encrypted with this key (aims.mfa.MFAAdapter); derived from SECRET_KEY
# when unset. Changing either makes every authenticator app's codes fail: set it once, keep it.
MFA_SECRET_KEY = env("AIMS_MFA_KEY", "")
MFA_TRUST_ENABLED = False  # every sign-in asks for the second factor: no "trust this browser"
# A sign-in lasts a working day at most; the governance board and AIMS managers are also signed out
# after SESSION_IDLE_SECONDS without a request (0: never). See aims.sessions.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 9 * 3600)
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
# Their last activity is written to the session at most this often: not one session write per request.
SESSION_TOUCH_SECONDS = 60

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
# Uploaded evidence and generated reports: outside STATIC_ROOT and never served by URL; downloads go
# through views that check permissions.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 5_000)  # rows below the header of one imported file
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES

# Dashboard panels, list tables, the SoA's judgements and API pages are kept per person until anything is
# written (aims.freshness); off, every page is drawn afresh.
AIMS_KEEP_PAGES = env_bool("AIMS_KEEP_PAGES", True)
# Queries compiled once per role set (aims.prepared) are checked against each person's own build: on in
# the test suite, where that costs nothing that matters.
AIMS_PREPARED_CHECK = env_bool("AIMS_PREPARED_CHECK", False)
# SQL the process sends again and again is prepared once per database connection (aims.statements); off
# behind a pooler that moves one client between server connections (PgBouncer in transaction mode).
AIMS_PREPARED_STATEMENTS = env_bool("AIMS_PREPARED_STATEMENTS", True)
# A list page's COUNT(*) asked on a worker thread's own connection while the page is read and written
# (aims.api.counting); threads per web process, as many as it serves requests at once.
AIMS_PARALLEL_COUNT = env_bool("AIMS_PARALLEL_COUNT", True)
AIMS_PARALLEL_COUNT_THREADS = env_int("AIMS_PARALLEL_COUNT_THREADS", 4)

REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions are read from Redis and written to both Redis and the database (cached_db): every request
    # reads its session, and Redis answers that without a database query; the row stays the record.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Without Redis (make run), web, worker and beat still share what one stores for the others (the
    # board's readiness snapshot): a file cache under var/, not memory private to one process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/, so that
# a real worker and beat run on a laptop with no broker server.
CELERY_BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A job is acknowledged only when it ends (aims.tasks.run_job); Redis hands an unacknowledged one to
    # another worker once this many seconds passed since delivery. Above the jobs' hard time limit
    # (16 minutes), or a job still running would be started a second time.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("BROKER_VISIBILITY_TIMEOUT", 18 * 60)}
else:
    for sub in ("in", "processed", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Every file the broker keeps lives under var/: its exchange tables too (kombu's default
        # control folder is "control" in the working directory, which would land in the source tree).
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "data_folder_in": str(CELERY_BROKER_DIR / "in"),
        "data_folder_out": str(CELERY_BROKER_DIR / "in"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
    }
# One message reserved per pool process: with late acknowledgement, a worker that dies holds back no
# queued job beyond those it was running.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker stopped with SIGQUIT (docker-compose.yml's stop_signal) lets its jobs run this many seconds more,
# then hands back those still running, at once, to the next worker, instead of being killed with them.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env_int("WORKER_SOFT_SHUTDOWN_SECONDS", 20)
CELERY_TASK_IGNORE_RESULT = True  # progress and results live on the Job row, not a result backend
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The daily reminder sweep (HH:MM, server time zone); records due within REMINDER_DUE_WITHIN_DAYS
# notify their owners, and those overdue by more than REMINDER_ESCALATE_AFTER_DAYS go to the board.
_sweep_at = env("REMINDER_SWEEP_TIME", "06:00")
try:
    REMINDER_SWEEP_TIME = time.fromisoformat(_sweep_at)
except ValueError as exc:
    raise ImproperlyConfigured(f"REMINDER_SWEEP_TIME must be HH:MM, got {_sweep_at!r}.") from exc
REMINDER_DUE_WITHIN_DAYS = env_int("REMINDER_DUE_WITHIN_DAYS", 14)
CELERY_BEAT_SCHEDULE = {
    "daily-reminder-sweep": {
        "task": "aims.tasks.reminder_sweep",
        "schedule": crontab(hour=REMINDER_SWEEP_TIME.hour, minute=REMINDER_SWEEP_TIME.minute),
    },
    # Jobs nothing moves any more (their worker stopped) fail with the reason (aims.jobs.sweep_stale_jobs).
    "stale-job-sweep": {"task": "aims.tasks.sweep_jobs", "schedule": crontab(minute="*/5")},
    # The board dashboard's readiness panel reads this snapshot (aims.certification.refresh_snapshot).
    "certification-readiness-snapshot": {
        "task": "aims.tasks.readiness_snapshot",
        "schedule": crontab(minute="*/15"),
    },
}
REMINDER_ESCALATE_AFTER_DAYS = env_int("REMINDER_ESCALATE_AFTER_DAYS", 30)
# A queued job no worker took up within this many minutes fails (its message was lost), so it can be retried.
JOB_QUEUE_LIMIT_MINUTES = env_int("JOB_QUEUE_LIMIT_MINUTES", 120)
# A report button waits this long for the worker and answers with the file; a longer job sends the person
# to its page (aims.views.job_answers).
REPORT_WAIT_SECONDS = env_int("REPORT_WAIT_SECONDS", 6)

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "AIMS <aims@localhost>")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

# Evidence packs are signed with Ed25519 (audits.pack.signing). The private key, as PEM: in the
# environment, or in a file; when neither holds one, the file is made on first use (mode 0600) unless
# AIMS_PACK_SIGNING_KEY_GENERATE is false. Its public key is published at /.well-known/aims-pack-signing-keys.
PACK_SIGNING_KEY = env("AIMS_PACK_SIGNING_KEY", "")
PACK_SIGNING_KEY_FILE = Path(
    env("AIMS_PACK_SIGNING_KEY_FILE", str(VAR_DIR / "keys" / "evidence-pack-signing-key.pem"))
)
PACK_SIGNING_KEY_GENERATE = env_bool("AIMS_PACK_SIGNING_KEY_GENERATE", True)
# Processes that lay out a pack's PDFs while it is written (audits.pack.pipeline): one a core, at most 4;
# 0 lays them out in the building process itself.
PACK_PDF_WORKERS = env_int("AIMS_PACK_PDF_WORKERS", min(os.cpu_count() or 1, 4))
# Outgoing webhooks (aims.webhooks): the hosts that may be reached although private or loopback (an
# intranet ticketing system), the waits before each retry (seconds; under the broker's visibility
# timeout), failed deliveries in a row before a subscription is turned off, and each attempt's timeout.
WEBHOOK_ALLOWED_HOSTS = env_list("AIMS_WEBHOOK_ALLOWED_HOSTS", [])
WEBHOOK_RETRY_DELAYS = [
    float(s) for s in env_list("AIMS_WEBHOOK_RETRY_DELAYS", ["10", "60", "300", "600", "600"])
]
WEBHOOK_DISABLE_AFTER = env_int("AIMS_WEBHOOK_DISABLE_AFTER", 5)
WEBHOOK_TIMEOUT = float(env("AIMS_WEBHOOK_TIMEOUT", "10"))
# History entries are sealed with this key (aims.history_chain): without it, nobody who can write to the
# database can make an edited entry look untouched. Set AIMS_HISTORY_KEY of its own in production, kept
# apart from the database's backups: derived from SECRET_KEY otherwise, a new SECRET_KEY would make every
# entry written before it fail `manage.py verify_history`.
HISTORY_KEY = (
    env("AIMS_HISTORY_KEY", "") or hashlib.sha256(f"aims.history-chain:{SECRET_KEY}".encode()).hexdigest()
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "aims.api.auth.PersonalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # A personal token may be read-only or limited to some registers (aims.api.auth.TokenScope).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "aims.api.auth.TokenScope",
    ],
    "DEFAULT_PAGINATION_CLASS": "aims.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON in, JSON out: one request body per write, so generated clients send what the API reads.
    # A view that takes an uploaded file adds multipart itself.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # DRF's JSON, written by orjson (aims/api/renderers.py); the browsable API as DRF gives it.
    "DEFAULT_RENDERER_CLASSES": [
        "aims.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "aims.api.openapi.RecordAutoSchema",
    "EXCEPTION_HANDLER": "aims.api.errors.exception_handler",
}
# The OpenAPI document and its interactive docs describe every endpoint and field: for signed-in people
# and API tokens only, unless the organisation chooses to publish them.
API_DOCS_PUBLIC = env_bool("AIMS_API_DOCS_PUBLIC", False)
SPECTACULAR_SETTINGS = {
    "TITLE": "AIMS API",
    "DESCRIPTION": (
        "Registers of an ISO/IEC 42001 AI management system, grouped by register in the order of the "
        "app's menu (Plan, Do, Check, Act).\n\n"
        "- **People** are named by username everywhere: `owner`, `created_by`, `accepted_by`, "
        "`requested_by` ... in answers, and the same username in what you send. `GET /api/v1/me/` "
        "gives yours.\n"
        "- **Links** (`url`, `download`, the API root's) are absolute URLs.\n"
        "- **Records** are named by reference (`RSK-0042`), clauses and controls by code (`6.1.2`).\n"
        "- **Requests** are JSON; only a file upload is multipart.\n"
        "- **Updates** send back the `version` you read: a newer one gives 409 Conflict."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # The docs open on the list of registers, folded, with a box that narrows it by name: 450 operations
    # unfolded are a scroll nobody finds their register in.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "docExpansion": "none", "filter": True},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operation ids without the version ("risks_list", not "v1_risks_list"): a generated client's names.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Groups in the menu's order, each register's with what it is for (aims.api.openapi).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "aims.api.openapi.describe_tags",
    ],
    # Choice sets that several registers share need one name of their own in the schema; otherwise
    # drf-spectacular names them by hash and warns. The apps name theirs (aims.api.schema).
    "ENUM_NAME_OVERRIDES": {"LifecycleEnum": "aims.models.versions.Lifecycle"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
