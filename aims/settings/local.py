"""`make run`: a developer's or evaluator's laptop, everything embedded."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F403

WHITENOISE_USE_FINDERS = True  # serve static/ straight from the source tree while developing
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
