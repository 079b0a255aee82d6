"""What the Act registers plug into the core: navigation, API routes, reminders, the dashboard panel."""

from aims.plugins import install

from . import standard

install(standard, cycle="Act")

from . import dashboard, reminders  # noqa: E402,F401  the improvement panel; overdue and check reminders
