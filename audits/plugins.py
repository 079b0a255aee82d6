"""What the Check registers plug into the core: navigation, API routes, reminders, report jobs."""

from aims.plugins import install
from aims.registry import registry

from . import standard

install(standard, cycle="Check")

from .reminders import audit_reminders  # noqa: E402
from .report import KIND, audit_report_pdf  # noqa: E402

registry.add_reminder_source(audit_reminders)
registry.add_job_runner(KIND, audit_report_pdf)

from .dashboard import audits_panel  # noqa: E402

registry.add_dashboard_panel(audits_panel)
