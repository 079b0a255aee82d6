"""The web process as gunicorn loads it (aims.wsgi): what it loads at start is frozen out of the garbage
collector, whose full passes otherwise walk it on every few requests under load."""

import os
import subprocess
import sys

from django.conf import settings


def in_a_web_process(probe: str) -> subprocess.CompletedProcess:
    """`probe` run by a fresh Python that imports aims.wsgi as gunicorn does."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "aims.settings.test"}
    return subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def test_what_the_web_process_loads_at_start_is_frozen():
    probe = (
        "import gc, aims.wsgi; from django.urls import get_resolver; "
        "print(gc.get_freeze_count(), len(gc.get_objects()), callable(aims.wsgi.application))"
    )
    done = in_a_web_process(probe)
    frozen, tracked, is_app = done.stdout.split()
    assert int(frozen) > 50_000 and int(tracked) < int(frozen) // 10 and is_app == "True", done.stdout


def test_what_the_first_requests_make_is_frozen_in_its_turn():
    """Compiled templates, kept SQL, the ORM's caches: made by the first requests, then kept for the
    process's life; frozen after REFREEZE_AFTER requests, so full collections stop walking them."""
    probe = (
        "import gc, aims.wsgi; from django.core.signals import request_finished; "
        "before = gc.get_freeze_count(); kept = [[n] for n in range(20_000)]; "
        "[request_finished.send(sender=None) for _ in range(aims.wsgi.REFREEZE_AFTER[0] - 1)]; "
        "early = gc.get_freeze_count(); request_finished.send(sender=None); "
        "print(before, early, gc.get_freeze_count())"
    )
    done = in_a_web_process(probe)
    before, early, after = map(int, done.stdout.split())
    assert early == before  # not before the count is reached
    assert after >= before + 20_000, done.stdout  # what the process made since is frozen too
