"""What the life-cycle registers plug into the core: navigation, API routes, reminders."""

from aims.plugins import install

from . import standard

install(standard, cycle="Do")

from . import dashboard  # noqa: E402,F401  the AI systems panel
from .gate_views import gates_panel  # noqa: E402,F401  stage gates: the dashboard panel
