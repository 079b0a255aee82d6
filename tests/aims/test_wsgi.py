"""The web process as gunicorn loads it (aims.wsgi): what it loads at start is frozen out of the garbage
collector, whose full passes otherwise walk it on every few requests under load."""

import os
import subprocess
import sys

from django.conf import settings


def test_what_the_web_process_loads_at_start_is_frozen():
    probe = (
        "import gc, aims.wsgi; from django.urls import get_resolver; "
        "print(gc.get_freeze_count(), len(gc.get_objects()), callable(aims.wsgi.application))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "aims.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, tracked, is_app = done.stdout.split()
    assert int(frozen) > 50_000 and int(tracked) < int(frozen) // 10 and is_app == "True", done.stdout
