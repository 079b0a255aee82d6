"""What the Act registers plug into the core: navigation, API routes, reminders, dashboard panels and reports."""

from aims.plugins import install

from . import standard

install(standard, cycle="Act")

# The management review panel, its reminders and PDF report; the improvement panel; overdue and check reminders.
from . import dashboard, improvement_dashboard, reminders, report  # noqa: E402,F401
from .input_sections_improvement import audit_results, feedback, nonconformities  # noqa: E402
from .inputs import add_input_source  # noqa: E402

# The Check and Act registers fill the review's inputs that wait for them (the same keys, in place).
add_input_source("nonconformities", "Nonconformities and corrective actions", nonconformities)
add_input_source("audit_results", "Audit results", audit_results)
add_input_source("feedback", "Feedback from interested parties", feedback)

from .certification_checks import register as register_readiness  # noqa: E402

register_readiness()  # 9.3.3 and 10.2 from the Act registers; the stakeholder report's latest review
