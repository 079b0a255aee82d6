"""AI system impact assessments (ISO/IEC 42001 6.1.4, 8.4, A.5): what a system could do to people, groups
and society, the harms scored by likelihood, severity and reversibility, the measures, and what remains.
High-risk deployers add the EU AI Act Art. 27 fundamental-rights fields.

An assessment follows the shared approval lifecycle (aims.publishing): the board approves, every
approved version is kept and comparable, harms included. A harm can be turned into a linked AI risk in
one step, so the risk register treats it (6.1.3). A new model version or a changed dataset marks the
assessment "reassessment due" (lifecycle.standard.model_versions); approving a new version clears it.

register.py declares the register; services.py (approval, the frozen content with its harms) and
harms.py (the harm services and their API actions), forms.py, views.py (the harm forms on the record's
page) and api.py sit beside it."""

from .register import ImpactAssessmentRegister  # noqa: F401
