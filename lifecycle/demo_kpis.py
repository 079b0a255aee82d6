"""Demo KPIs for Northbank Credit (ISO/IEC 42001 9.1, A.6.2.6): four KPIs with a year of monthly
measurements, recorded through the measurement service so states, history, the breach notification and
the drafted incident are the real thing. Entered in the demo ledger (aims.demo), so a second run creates
nothing and leaves what people did to them alone."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from aims import demo, records
from aims.models import Requirement
from lifecycle.models import KPI, AISystem, Measurement
from lifecycle.standard.kpis.services import record_measurement
from registers.demo_names import CHATBOT, CREDIT, FRAUD, OCR
from registers.models import Objective

# title, owner, metric, unit, direction, (target, warning, breach), AI system title, objective title,
# source of the measurements, twelve monthly values (oldest first)
KPIS = [
    ("Approval-rate ratio across applicant groups", "owner",
     "Lowest group's approval rate divided by the highest group's (four-fifths rule), monthly",
     "ratio", "higher", ("0.9", "0.85", "0.8"), CREDIT, "Fair credit outcomes across groups", Measurement.Source.UI,
     ["0.93", "0.92", "0.92", "0.91", "0.90", "0.89", "0.88", "0.88", "0.87", "0.86", "0.86", "0.84"]),
    ("Chatbot grounded-answer rate", "owner2",
     "Share of 200 sampled chatbot answers whose source is in the product catalogue", "%", "higher",
     ("98", "96", "94"), CHATBOT, "Chatbot answers grounded in the product catalogue", Measurement.Source.API,
     ["98.5", "98.0", "98.5", "99.0", "98.5", "97.5", "98.0", "97.0", "96.5", "95.5", "95.0", "93.5"]),
    ("Fraud model precision", "owner2",
     "Share of transactions flagged as fraud that investigators confirm, monthly", "ratio", "higher",
     ("0.9", "0.85", "0.8"), FRAUD, "", Measurement.Source.API,
     ["0.91", "0.92", "0.90", "0.91", "0.93", "0.92", "0.94", "0.93", "0.92", "0.93", "0.94", "0.95"]),
    ("OCR field error rate", "owner",
     "Share of extracted payslip fields that differ from a manual check of 300 documents", "%", "lower",
     ("1", "2", "3"), OCR, "", Measurement.Source.API,
     ["2.4", "2.2", "2.1", "1.9", "1.8", "1.6", "1.5", "1.3", "1.2", "1.1", "1.0", "0.9"]),
]  # fmt: skip


def _system(title: str):
    """The demo AI system of that title, if the inventory has been seeded (else the KPI names none)."""
    return demo.find(AISystem, title)


@transaction.atomic
def seed_kpis(users: dict) -> int:
    """Create the demo KPIs not there yet, each with twelve monthly measurements; returns how many."""
    # The latest 09:00 that has passed: a measurement may not be in the future, and before 09:00 (UTC) today's
    # is still to come.
    now = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    if now > timezone.now():
        now -= dt.timedelta(days=1)
    requirements = list(Requirement.objects.mappable().filter(code__in=["9.1", "A.6.2.6"]))
    created = 0
    for title, who, metric, unit, direction, levels, system, objective, source, values in KPIS:
        if demo.seeded(KPI, title):
            continue
        owner = users[who]
        target, warning, breach = (Decimal(v) for v in levels)
        kpi = records.create_record(
            KPI,
            actor=owner,
            fields={
                "title": title,
                "metric": metric,
                "unit": unit,
                "direction": direction,
                "target": target,
                "warning": warning,
                "breach": breach,
                "frequency_days": 30,
                "system": _system(system),
                "objective": demo.find(Objective, objective) if objective else None,
                "owner": owner,
                "review_cadence": 91,
            },
            requirements=requirements,
        )
        demo.remember(kpi, title)
        for months_ago, value in zip(range(len(values) - 1, -1, -1), values, strict=True):
            record_measurement(
                kpi,
                actor=owner,
                value=Decimal(value),
                measured_at=now - dt.timedelta(days=30 * months_ago),
                source=source,
                note="Monthly sample." if source == Measurement.Source.UI else "",
            )
        created += 1
    return created
