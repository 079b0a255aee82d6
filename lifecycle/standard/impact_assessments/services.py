"""The impact assessment's services: the approved content includes the harms, and approving a new
version clears "reassessment due"."""

import dataclasses

from django.db import transaction
from django.utils.text import capfirst

from aims import publishing, records
from aims.services import RecordServices
from lifecycle.models import ImpactAssessment

FRIA = ["fria_needed", "fria_process", "fria_period", "fria_persons", "fria_risks", "fria_oversight",
        "fria_remedies"]  # fmt: skip
FIELDS = [
    "title", "system", "trigger", "scope", "system_information", "data_information", "model_information",
    "deployment_information", "interested_parties", "vulnerable_groups", "benefits", "measures",
    "residual_impact", *FRIA, "owner", "review_cadence", "next_review_on",
]  # fmt: skip
FRIA_NOTE = "Applies to deployers of high-risk AI systems (EU AI Act Art. 27); leave it empty otherwise."

services = RecordServices(ImpactAssessment, FIELDS)


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
