"""What the Act registers plug into the core: navigation, API routes, reminders, dashboard panels and reports."""

from aims.plugins import install

from . import standard

install(standard, cycle="Act")

# The management review panel, its reminders and PDF report; the improvement panel; overdue and check reminders.
from . import dashboard, improvement_dashboard, reminders, report  # noqa: E402,F401
