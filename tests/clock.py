"""Today and now, read when a test runs, never when its module is imported.

The suite runs for a quarter of an hour; a date taken at import is stale for every test that runs after
midnight, while the code under test reads the clock afresh. Tests ask here each time instead."""

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    return timezone.localdate()


def now() -> dt.datetime:
    return timezone.now()


def days(n: int) -> dt.date:
    """The date `n` days from today (negative: ago)."""
    return today() + dt.timedelta(days=n)


# A test reads today, then the code under test reads it again: if midnight falls between the two they
# disagree by a day. No test runs this long, so none starts this close to midnight.
MIDNIGHT_MARGIN = dt.timedelta(seconds=60)


def wait_before_midnight(moment: dt.datetime) -> dt.timedelta:
    """How long to wait at `moment` so a test starting then does not run across local midnight."""
    local = timezone.localtime(moment)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=local.tzinfo)
    left = midnight - local
    return left + dt.timedelta(seconds=1) if left <= MIDNIGHT_MARGIN else dt.timedelta(0)
