"""What the Act registers plug into the core: navigation, API routes, reminders, dashboard panels and reports."""

from aims.plugins import install

from . import standard

install(standard, cycle="Act")

from . import dashboard, report  # noqa: E402,F401  the management review panel, reminders and PDF report
from . import improvement_dashboard, reminders  # noqa: E402,F401  the improvement panel; overdue and check reminders
