"""The bias assessment's services: the CSV measured on the way in, the verdict against the thresholds,
and one AI risk opened the first time it fails."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from aims import records
from aims.files import stored_file_fields
from aims.models import Requirement
from aims.records import Action
from aims.services import RecordServices
from lifecycle.fairness import check_csv_type, clean_favourable, measure, verdict
from lifecycle.models import BiasAssessment

from .checklist import clean_checklist

FIELDS = [
    "title", "system", "checklist", "favourable_outcome", "ratio_threshold", "difference_threshold", "file",
    "owner", "review_cadence", "next_review_on",
]  # fmt: skip
FILE = ("file", "file_name", "file_sha256")  # the CSV, its original name, its SHA-256
COMPUTED = ("results", "passed", "risk")  # set here only, never taken from a form or the API


def _threshold(current, name: str) -> Decimal:
    value = current(name)
    value = BiasAssessment._meta.get_field(name).default if value is None else value
    return Decimal(str(value)).quantize(Decimal("0.01"))


class BiasServices(RecordServices):
    """The shared services, plus: the CSV measured on the way in (refused whole if bad), its name and
    SHA-256, the verdict against the thresholds, and one AI risk opened the first time it fails."""

    def derive(self, fields: dict, record) -> dict:
        fields = {k: v for k, v in fields.items() if k not in COMPUTED}
        if record is None:
            # The model's defaults are floats (0.80), which full_clean reads as 0.8000000000000000444...
            # and refuses for a 2-place DecimalField: pass them as Decimals.
            for name in ("ratio_threshold", "difference_threshold"):
                if fields.get(name) is None:
                    fields[name] = _threshold(lambda n: None, name)
        named = fields.pop("sensitive_columns", "") or ""
        if "checklist" in fields:
            fields["checklist"] = clean_checklist(fields["checklist"])
        if fields.get("favourable_outcome") is not None:
            fields["favourable_outcome"] = clean_favourable(fields["favourable_outcome"])
        else:
            fields.pop("favourable_outcome", None)  # not sent: as it is (1 on a new assessment)
        favourable = fields.get("favourable_outcome", getattr(record, "favourable_outcome", 1))
        upload = fields.get("file")
        if isinstance(upload, UploadedFile):
            try:
                check_csv_type(upload)
            except ValidationError as exc:
                raise ValidationError({"file": exc.messages}) from exc
            fields["results"] = measure(upload, named, favourable)
        elif "file" in fields and not upload:
            fields["results"] = {}  # the file was cleared: nothing measured any more
        elif record is not None and record.file and favourable != record.favourable_outcome:
            # The rates count the favourable outcome: naming another one measures the kept file again.
            columns = named or ", ".join((record.results or {}).get("sensitive_columns", []))
            with record.file.open("rb") as stored:
                fields["results"] = measure(stored, columns, favourable)
        fields = stored_file_fields(fields, *FILE)
        current = lambda name: fields.get(name, getattr(record, name, None))  # noqa: E731
        fields["passed"] = verdict(current("results") or {}, _threshold(current, "ratio_threshold"),
                                   _threshold(current, "difference_threshold"))  # fmt: skip
        return fields

    @transaction.atomic
    def create(self, *, actor, fields, requirements=None, action=Action.CREATED):
        record = super().create(actor=actor, fields=fields, requirements=requirements, action=action)
        return open_risk_once(record, actor=actor)

    @transaction.atomic
    def update(self, record, *, actor, expected_version, fields, requirements=None, prepare=None):
        record = super().update(
            record, actor=actor, expected_version=expected_version, fields=fields,
            requirements=requirements, prepare=prepare,
        )  # fmt: skip
        return open_risk_once(record, actor=actor)


services = BiasServices(BiasAssessment, [*FIELDS, *FILE[1:], *COMPUTED])


def open_risk_once(assessment, *, actor):
    """A failed check opens one AI risk (6.1.2) for the system's owner, linked from the assessment;
    later failures of the same assessment add to that risk rather than opening more."""
    from registers.models import RiskCategory
    from registers.services import risk_create

    if assessment.passed is not False or assessment.risk_id:
        return assessment
    system, results = assessment.system, assessment.results
    shown = assessment.shown()
    risk = risk_create(
        actor=actor,
        fields={
            "title": f"Unequal outcomes across groups in {system.title}"[:200],
            "description": (
                f"Bias assessment {assessment.reference} failed its fairness check on "
                f"{assessment.file_name or 'the uploaded predictions'} ({results['rows']} rows, favourable "
                f"outcome y_pred = {assessment.favourable_outcome}): lowest demographic parity ratio "
                f"{shown['worst_ratio']} (must be at least {assessment.ratio_threshold}), largest equalized "
                f"odds difference {shown['worst_difference']} (must be at most {assessment.difference_threshold})."
            ),
            "systems": [system],
            "category": RiskCategory.objects.get(slug="bias-and-fairness"),
            "risk_source": "C.3.4",  # machine-learning risk sources: data and model behaviour
            "affects_individuals": True,
            "affects_groups": True,
            "inherent_likelihood": 4,
            "inherent_impact": 4,
            "residual_likelihood": 4,  # untreated yet: the owner lowers it once mitigation works
            "residual_impact": 4,
            "treatment": "mitigate",
            "treatment_plan": f"Find the cause (data, labels, proxies), mitigate and re-run {assessment.reference}.",
            "owner": system.owner,
        },
        requirements=Requirement.objects.filter(
            standard__key="iso42001", code__in=("A.6.2.4", "A.7.4"), kind=Requirement.Kind.CONTROL
        ),
    )
    return records.update_record(
        assessment,
        actor=actor,
        expected_version=assessment.version,
        fields={},
        note=f"Fairness check failed: risk {risk.reference} opened for {system.owner}.",
        prepare=lambda locked, before: setattr(locked, "risk", risk),
        extra_changes=[{"field": "risk", "label": "Linked risk", "old": "", "new": str(risk)}],
    )
