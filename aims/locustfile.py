"""The people of `manage.py bench --only load`: locust runs this file, aims/loadtest.py writes its plan.

Each simulated person is signed in as a different real user of the volume data (their session cookie comes
from the plan, so no sign-in is measured), waits 0.5-1.5 s between tasks and picks a task by weight: a
task is one screen, and a screen may be several requests (the dashboard is its shell, then its panels).
Requests are named by screen, so the report groups e.g. every risk detail page under one row. This file is
not imported by Django; only locust reads it."""

import json
import os
import random
from itertools import count

from locust import between
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(os.environ["AIMS_LOAD_PLAN"])
_next_person = count()


def _screen(entry):
    def visit(user):
        # One variant of the screen (e.g. one of the top risks), requested in order, as the browser would.
        for path in random.choice(entry["variants"]):
            with user.client.get(
                path, name=entry["name"], headers=user.headers, catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code} for {path}: {response.error or ''}")

    visit.__name__ = entry["name"]
    return visit


class Person(FastHttpUser):
    wait_time = between(0.5, 1.5)
    tasks = {_screen(entry): entry["weight"] for entry in PLAN["mix"]}
    # A browser sends a GET again, once, when the kept-alive connection it reused was closed by the server
    # at that moment (gunicorn closes idle ones after 2 s); so does this person.
    max_retries = 1

    def on_start(self):
        person = next(_next_person) % len(PLAN["sessions"])
        cookie, csrf = PLAN["sessions"][person], PLAN["csrf"][person]
        self.headers = {
            # The session, and the CSRF cookie a browser holds after its first page: the production
            # cookies are Secure, so over this plain HTTP the client would never send one it was given.
            "Cookie": f"{PLAN['cookie_name']}={cookie}; {PLAN['csrf_cookie_name']}={csrf}",
            # Production settings redirect plain HTTP; behind the proxy the header says it was HTTPS.
            "X-Forwarded-Proto": "https",
        }
