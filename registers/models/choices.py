"""Lists several registers share: the AIMS processes (RACI, resources) and the organisation's AI roles."""

from django.db import models


class AimsProcess(models.TextChoices):
    """The processes an AIMS runs; RACI rows (5.3) and resource lines (7.1) name one."""

    CONTEXT = "context", "Context and scope (4)"
    POLICY = "policy", "AI policy (5.2)"
    RISK = "risk", "AI risk assessment and treatment (6.1, 8.2, 8.3)"
    IMPACT = "impact", "AI system impact assessment (6.1.4, 8.4)"
    OBJECTIVES = "objectives", "AI objectives (6.2)"
    CHANGE = "change", "Planning of changes (6.3)"
    COMPETENCE = "competence", "Competence and awareness (7.2, 7.3)"
    COMMUNICATION = "communication", "Communication (7.4)"
    DOCUMENTS = "documents", "Documented information (7.5)"
    LIFECYCLE = "lifecycle", "AI system life cycle (8.1, A.6)"
    DATA = "data", "Data for AI systems (A.7)"
    SUPPLIERS = "suppliers", "Third parties and suppliers (A.10)"
    MONITORING = "monitoring", "Monitoring and measurement (9.1)"
    AUDIT = "audit", "Internal audit (9.2)"
    REVIEW = "review", "Management review (9.3)"
    INCIDENT = "incident", "Incidents and concerns (A.3.3, A.8.4)"
    IMPROVEMENT = "improvement", "Nonconformity and corrective action (10)"


class AiRole(models.TextChoices):
    """The organisation's roles with respect to AI systems (terms of ISO/IEC 22989, used in 4.1 and 4.3)."""

    PROVIDER = "provider", "AI provider"
    PRODUCER = "producer", "AI producer"
    CUSTOMER = "customer", "AI customer (incl. user)"
    PARTNER = "partner", "AI partner"
    SUBJECT = "subject", "AI subject"
    AUTHORITY = "authority", "Relevant authority"


def check_choice_list(field: str, value, allowed, noun: str) -> None:
    """A JSON list of choices (AI roles, roles asked to acknowledge): a list, of known values only."""
    from django.core.exceptions import ValidationError

    if value in (None, ""):
        return
    if not isinstance(value, list):
        raise ValidationError({field: f'Give a list of {noun}s, e.g. ["{list(allowed)[0]}"].'})
    unknown = [str(v) for v in value if v not in allowed]
    if unknown:
        raise ValidationError({field: f"Unknown {noun}: {', '.join(unknown)}. Known: {', '.join(allowed)}."})
