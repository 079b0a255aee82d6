"""KPIs and their measurements (ISO/IEC 42001 9.1 monitoring and measurement, A.6.2.6 operation and
monitoring of AI systems): what is measured, its target, warning and breach thresholds, how often, and
every measurement -- entered on the page, imported from CSV or pushed by a pipeline through the API.

A measurement moves the KPI's state (on target, warning, breach). Moving into breach notifies the owner
and drafts an AI incident; a late measurement reminds the owner through the daily sweep.

register.py declares the register; services.py records measurements, selectors.py finds late ones,
forms.py, views.py (the measurement and import pages), imports.py (CSV import, read by
aims.spreadsheets), api.py,
reminders.py and panels.py (the overdue reminder and the dashboard panel, plugged in by
lifecycle/plugins.py) sit beside it."""

from .register import KPIRegister  # noqa: F401
