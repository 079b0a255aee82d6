"""`make run`: a developer's or evaluator's laptop, everything embedded."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F403
