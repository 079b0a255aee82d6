"""EU AI Act obligations of high-risk AI systems (Regulation (EU) 2024/1689), as records an owner keeps
current and an auditor samples: per system, the provider's or the deployer's obligations, each with its
state (not started, in progress, done, not applicable with the reason), owner, due date, the details the
article needs, evidence and history. ISO/IEC 42001 links come from the catalogue's crosswalk of the
article (A.6.2.7 for Annex IV, A.6.2.8 for logs ...).

position.py reads the system's classification (the one place that does); timeline.py holds the Art. 113
dates; selectors.py, services.py (the moves between states, and creating a system's obligations, which
the classification may call: ensure_obligations), forms.py, api.py and register.py sit beside them;
links.py puts the obligations on the AI system's and the impact assessment's pages. The serious-incident
reports of Art. 73 are the incident register's (lifecycle/standard/incidents/)."""

from .register import HighRiskObligationRegister  # noqa: F401
