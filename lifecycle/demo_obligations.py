"""Demo EU AI Act obligations of Northbank Credit's two high-risk systems: the credit scoring model, which
we provide (Annex III point 5), part documented, declared and registered, with a section overdue; and the
CV screening service, which we deploy (Annex III point 4), its logs kept a year and the duties of public
bodies marked not applicable with the reason. Made through the services, so history is real; a system
whose obligations the demo recorded once is left as it is (aims.demo), so a second run changes nothing
people did since.

Annex IV sections count as done only with evidence attached: the evidence library's demo (a later app)
attaches its pieces, and `complete_documented` then marks those sections done."""

import datetime as dt

from django.utils import timezone

from aims import demo
from registers.demo_names import CREDIT, HIRING

from .models import AISystem, HighRiskObligation
from .standard.obligations.services import (
    complete,
    ensure_obligations,
    evidence_refusal,
    mark_not_applicable,
    services,
    start,
)

PRIVATE = (
    "Northbank is a private company using it as an employer, not a public body or a provider of public "
    "services; Art. 27(1) asks private deployers only for credit scoring and insurance pricing."
)

# system title: {duty: (fields, then: "done", "started" or a reason it does not apply)}
PLAN = {
    CREDIT: {
        "conformity": ({"conformity_route": "annex_vi", "how_met": "Internal control to Annex VI: the quality "
                        "management system and the technical documentation checked by Model Risk."}, "done"),
        "declaration": ({"declared_on": -140, "declaration_reference": "NB-DoC-2026-003"}, "done"),
        "registration": ({"registration_number": "EUDB-HR-0004271", "registered_on": -130}, "done"),
        "documentation_kept": ({"placed_on_market_on": -126, "how_met": "Document management, retention class "
                                "R10: technical file, QMS records and the declaration."}, "done"),
        "provider_logs": ({"log_retention_months": 24, "how_met": "Scoring API logs in the log archive, "
                           "24 months, then deleted."}, "done"),
        "monitoring_plan": ({"how_met": "Draft plan: monthly drift and approval-rate review, quarterly "
                             "fairness re-run."}, "started"),
        "annex_iv_1": ({"how_met": "Model card v3 and the credit officer's guide."}, "started"),
        "annex_iv_6": ({"due_on": -10, "how_met": "Change log since v2 being written up."}, "started"),
    },
    HIRING: {
        "deployer_logs": ({"log_retention_months": 12, "how_met": "TalentRank keeps ranking logs 12 months in "
                           "our tenant; contract clause 9.2."}, "done"),
        "fria": ({}, PRIVATE),
        "fria_notified": ({}, PRIVATE),
        "use_registration": ({"public_body": False}, "Northbank is not a public authority or body (Art. 49(3))."),
    },
}  # fmt: skip


def _dated(fields: dict, today: dt.date) -> dict:
    dates = ("declared_on", "registered_on", "placed_on_market_on", "due_on")
    return {k: today + dt.timedelta(days=v) if k in dates else v for k, v in fields.items()}


def seed_obligations(users) -> int:
    today = timezone.localdate()
    made = 0
    for title, plan in PLAN.items():
        system = demo.find(AISystem, title)
        if system is None or not demo.first_time(f"lifecycle:obligations:{title}"):
            continue
        # Confirming its classification recorded them already; otherwise record them now.
        made += len(ensure_obligations(system, actor=users["manager"]))
        created = {
            o.duty: o
            for o in system.high_risk_obligations.live().filter(state=HighRiskObligation.State.NOT_STARTED)
        }
        actor = system.owner
        for duty, (fields, then) in plan.items():
            record = created.get(duty)
            if record is None:
                continue
            if fields:
                record = services.update(
                    record, actor=actor, expected_version=record.version, fields=_dated(fields, today)
                )
            if then in ("started", "done"):
                record = start(record, actor=actor, expected_version=record.version)
            if then == "done":
                complete(record, actor=actor, expected_version=record.version)
            elif then != "started":
                mark_not_applicable(record, actor=actor, expected_version=record.version, reason=then)
    return made


def complete_documented(users) -> int:
    """Mark done the open documentation obligations of the demo whose evidence is attached now."""
    done = 0
    if not demo.first_time("lifecycle:obligations-documented"):
        return 0  # once: an obligation people reopened since stays open
    systems = [s for title in PLAN if (s := demo.find(AISystem, title))]
    for record in HighRiskObligation.objects.live().filter(
        state__in=HighRiskObligation.OPEN, system__in=systems
    ):
        if not record.spec.evidence or evidence_refusal(record):
            continue
        actor = record.owner
        if record.state == record.State.NOT_STARTED:
            record = start(record, actor=actor, expected_version=record.version)
        complete(record, actor=actor, expected_version=record.version, note="Documented: evidence attached.")
        done += 1
    return done
