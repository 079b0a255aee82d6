"""AI incidents (ISO/IEC 42001 A.8.4, A.3.3): what happened, the harm, who is affected, how it was
contained, and what was communicated to whom. A serious incident under the EU AI Act (Art. 73) has a
reporting deadline counted from when we became aware: the list, the record and the dashboard count it
down, and the owner and every AIMS manager are reminded daily from three days before it until it is
reported.

register.py declares the register; services.py (drafting an incident, the communication log),
selectors.py (the reporting deadline), forms.py, api.py, reminders.py and panels.py (the reporting
reminder and the dashboard panel, plugged in by lifecycle/plugins.py) sit beside it."""

from .register import IncidentRegister  # noqa: F401
