"""The test suite: PostgreSQL and Redis from DATABASE_URL and REDIS_URL (CI sets both)."""

import os
import tempfile

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("AIMS_VAR_DIR", tempfile.mkdtemp(prefix="aims-test-"))

# Parallel test workers (pytest-xdist: gw0, gw1 ...) share one Redis server; each takes its own database
# number, so one worker's Celery test never consumes another's queued jobs.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    if _db.isdigit():
        os.environ["REDIS_URL"] = f"{_base}/{(int(_db) + int(_worker[2:])) % 16}"

# Most tests sign people in without a second factor; tests/aims/test_mfa.py sets the roles it tests.
os.environ.setdefault("AIMS_MFA_REQUIRED_ROLES", "none")

from .base import *  # noqa: E402,F403

ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test users
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# A test that happens to take over a minute must not pay one more query (the session's activity stamp)
# than the same test run fast: query counts are pinned. tests/aims/test_session_limits.py sets it back.
SESSION_TOUCH_SECONDS = 10**9
# No worker runs in most tests: a report button answers with the job page at once. The tests of the
# direct download run a worker and set their own wait.
REPORT_WAIT_SECONDS = 0
# Every person's query is checked against the one kept for their roles (aims.prepared); `make bench`,
# which times pages under these settings, turns it off.
AIMS_PREPARED_CHECK = env_bool("AIMS_PREPARED_CHECK", True)  # noqa: F405
