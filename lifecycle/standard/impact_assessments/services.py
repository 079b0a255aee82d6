"""The impact assessment's services: the approved content includes the harms, and approving a new
version clears "reassessment due"."""

import dataclasses

from django.db import transaction
from django.utils.text import capfirst

from aims import publishing, records
from aims.services import RecordServices
from lifecycle.models import AISystem, ImpactAssessment

from .uses import apply_thresholds

FRIA = ["fria_needed", "fria_process", "fria_period", "fria_persons", "fria_risks", "fria_oversight",
        "fria_remedies"]  # fmt: skip
USES = ["unintended_uses", "foreseeable_misuse", "failures"]  # ISO/IEC 42005, beyond the intended use
CONCLUSION = ["use_conclusion", "use_conclusion_reason"]  # against the organisation's thresholds
FIELDS = [
    "title", "system", "trigger", "scope", "system_information", "data_information", "model_information",
    "deployment_information", "interested_parties", "vulnerable_groups", *USES, "benefits", "measures",
    "residual_impact", *CONCLUSION, *FRIA, "owner", "review_cadence", "next_review_on",
]  # fmt: skip
THRESHOLDS = ["sensitive_from", "restricted_from"]  # the organisation's, copied by the services
FRIA_NOTE = "Applies to deployers of high-risk AI systems (EU AI Act Art. 27); leave it empty otherwise."


class ImpactAssessmentServices(RecordServices):
    """The shared services, plus: a new assessment starts from the misuse its AI system's record names,
    and a draft keeps the organisation's thresholds for sensitive and restricted uses as they stand when
    it is saved, its conclusion checked against them. Once approved, all of it is frozen with the rest."""

    def derive(self, fields: dict, record) -> dict:
        system = fields.get("system")
        if record is None and system is not None and not (fields.get("foreseeable_misuse") or "").strip():
            # As the system's record says now (the instance handed in may have been read before a change).
            found = AISystem.objects.filter(pk=system.pk).values_list("foreseeable_misuse", flat=True)
            fields["foreseeable_misuse"] = found.first() or ""
        return apply_thresholds(fields, record)


services = ImpactAssessmentServices(ImpactAssessment, [*FIELDS, *THRESHOLDS])


# -- Frozen versions include the harms ------------------------------------------------------------------
def harm_line(harm) -> str:
    return (
        f"{harm.description} (affects {harm.get_affected_display().lower()}; likelihood {harm.likelihood}, "
        f"severity {harm.severity}; {harm.get_reversibility_display().lower()})"
    )


def frozen_content(record) -> list[dict]:
    """The approved content: the fields as usual, then the harms, one per line, so comparing versions
    shows a harm added or rescored. `reassessment_due` is bookkeeping, not content."""
    fields = [f for f in publishing.content_fields(ImpactAssessment) if f.name != "reassessment_due"]
    content = [
        {"field": f.name, "label": capfirst(str(f.verbose_name)), "value": records.display_value(record, f)}
        for f in fields
    ]
    harms = "\n".join(harm_line(h) for h in record.harms.all())
    return [*content, {"field": "harms", "label": "Harms", "value": harms}]


# aims.publishing.freeze looks for the model's frozen_content; the model cannot import this module.
publishing.freeze_content_with("lifecycle.ImpactAssessment", frozen_content)


# -- Approval clears "reassessment due" -----------------------------------------------------------------
@transaction.atomic
def approve(record, *, actor, expected_version, change_summary=""):
    """The board approves as usual (publishing.approve); a newly approved version is the reassessment
    the flag asked for, so it is cleared in the same transaction, with its own history entry."""
    record = publishing.approve(
        record, actor=actor, expected_version=expected_version, change_summary=change_summary
    )
    if not record.reassessment_due:
        return record
    return records.update_record(
        record,
        actor=actor,
        expected_version=record.version,
        fields={},
        note=f"Reassessment done: v{record.version_number} approved.",
        prepare=lambda locked, before: setattr(locked, "reassessment_due", False),
    )


ACTIONS = [
    dataclasses.replace(a, service=approve) if a.name == "approve" else a
    for a in publishing.lifecycle_actions()
]
