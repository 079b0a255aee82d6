"""Bias and fairness assessments (ISO/IEC 42001 A.7.4 data quality, A.6.2.4 verification and validation,
A.5.4 impact on individuals and groups): a checklist answered per AI system, and measured fairness from a
CSV of predictions -- per-group selection rate, true and false positive rates, demographic parity and
equalized odds, computed with fairlearn. A failed check opens one AI risk for the system's owner.

register.py declares the register; checklist.py (the checklist), services.py (measuring the CSV, the
verdict and the risk), forms.py, views.py (the record page's checklist and charts, the CSV download) and
api.py sit beside it."""

from .register import BiasAssessmentRegister  # noqa: F401
