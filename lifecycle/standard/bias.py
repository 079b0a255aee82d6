"""Bias and fairness assessments (ISO/IEC 42001 A.7.4 data quality, A.6.2.4 verification and validation,
A.5.4 impact on individuals and groups): a checklist answered per AI system, and measured fairness from a
CSV of predictions -- per-group selection rate, true and false positive rates, demographic parity and
equalized odds, computed with fairlearn. A failed check opens one AI risk for the system's owner."""

from decimal import Decimal

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import path, reverse

from aims import records
from aims.api.base import make_api
from aims.charts import hbar_chart_svg
from aims.files import stored_file_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.models import Requirement
from aims.records import Action
from aims.services import RecordServices
from aims.views.files import PrivateFileInput, PrivateFileView
from aims.views.records import make_views
from lifecycle.fairness import EMPTY, MAX_ROWS, check_csv_type, measure, verdict
from lifecycle.models import AISystem, BiasAssessment

MENU = ("Bias assessments", "bias", 50)

FIELDS = [
    "title", "system", "checklist", "ratio_threshold", "difference_threshold", "file",
    "owner", "review_cadence", "next_review_on",
]  # fmt: skip
FILE = ("file", "file_name", "file_sha256")  # the CSV, its original name, its SHA-256
COMPUTED = ("results", "passed", "risk")  # set here only, never taken from a form or the API

# -- the checklist ------------------------------------------------------------------------------------
# Our own wording of the guide's bias assessment checklist: (key, item, what "yes" means, control).
CHECKLIST = [
    ("representativeness", "Data representativeness",
     "Training and test data represent the people the system is used on; known gaps are recorded.", "A.7.4"),
    ("protected_attributes", "Protected attributes identified",
     "The protected characteristics that matter here (sex, age, ethnicity, disability ...) are listed.", "A.5.4"),
    ("proxies", "Proxies checked",
     "Features that can stand in for a protected attribute (postcode, first name, school) were looked for "
     "and handled.", "A.7.4"),
    ("labels", "Labels reviewed for bias",
     "Past decisions used as labels were reviewed for the unfairness they may carry forward.", "A.7.4"),
    ("metrics", "Fairness metrics chosen and justified",
     "The measures fit the decision and its harms, and why they were chosen is written down.", "A.6.2.4"),
    ("thresholds", "Thresholds set",
     "Pass and fail levels were agreed before testing (for example the four-fifths ratio).", "A.6.2.4"),
    ("per_subgroup", "Tested per subgroup",
     "Rates and errors were measured for each group, not only overall.", "A.6.2.4"),
    ("intersectional", "Intersectional checks",
     "Combinations of attributes (for example older women) were checked where the data allows.", "A.6.2.4"),
    ("mitigation", "Mitigation applied",
     "Where a gap was found it was mitigated (reweighting, thresholds, features removed) and re-tested.",
     "6.1.3"),
    ("human_review", "Human review of edge cases",
     "People review cases near the decision boundary and those the system is least sure of.", "A.9.2"),
    ("documentation", "Documentation",
     "Method, data, results and decisions are recorded so someone else could repeat the assessment.",
     "A.6.2.7"),
    ("monitoring", "Monitoring in production",
     "Group rates are measured in operation; drift triggers a new assessment.", "A.6.2.6"),
]  # fmt: skip
ANSWERS = (("yes", "Yes"), ("partly", "Partly"), ("no", "No"))


def clean_checklist(value) -> dict:
    """{key: {"answer": yes|partly|no|"", "note": str}} with known keys only; a bad value is named."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValidationError({"checklist": "Send the checklist as an object: item key -> answer and note."})
    known, allowed, clean = dict((k, label) for k, label, *_ in CHECKLIST), dict(ANSWERS), {}
    for key, item in value.items():
        if key not in known:
            raise ValidationError(
                {"checklist": f"'{key}' is not a checklist item. Items: {', '.join(known)}."}
            )
        item = item if isinstance(item, dict) else {"answer": item}
        answer, note = str(item.get("answer") or "").strip(), str(item.get("note") or "").strip()
        if answer and answer not in allowed:
            raise ValidationError({"checklist": f"{known[key]}: answer yes, partly or no (not '{answer}')."})
        if answer or note:
            clean[key] = {"answer": answer, "note": note[:2000]}
    return clean


def checklist_rows(assessment) -> list[dict]:
    given = assessment.checklist or {}
    return [
        {"key": key, "label": label, "help": help_text, "control": control,
         "answer": dict(ANSWERS).get(given.get(key, {}).get("answer", ""), ""),
         "note": given.get(key, {}).get("note", "")}
        for key, label, help_text, control in CHECKLIST
    ]  # fmt: skip


# -- services ----------------------------------------------------------------------------------------
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
        upload = fields.get("file")
        if isinstance(upload, UploadedFile):
            try:
                check_csv_type(upload)
            except ValidationError as exc:
                raise ValidationError({"file": exc.messages}) from exc
            fields["results"] = measure(upload, named)
        elif "file" in fields and not upload:
            fields["results"] = {}  # the file was cleared: nothing measured any more
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
    risk = risk_create(
        actor=actor,
        fields={
            "title": f"Unequal outcomes across groups in {system.title}"[:200],
            "description": (
                f"Bias assessment {assessment.reference} failed its fairness check on "
                f"{assessment.file_name or 'the uploaded predictions'} ({results['rows']} rows): lowest "
                f"demographic parity ratio {results['worst_ratio']} (must be at least "
                f"{assessment.ratio_threshold}), largest equalized odds difference "
                f"{results['worst_difference']} (must be at most {assessment.difference_threshold})."
            ),
            "ai_system": system.title,
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


# -- pages -------------------------------------------------------------------------------------------
class BiasForm(RecordForm):
    file = forms.FileField(
        label="Predictions (CSV)",
        required=False,
        validators=[check_csv_type],
        widget=PrivateFileInput("biasassessment-file", "file_name"),
        error_messages={"empty": EMPTY},
        help_text="Columns y_true and y_pred (0 or 1) and one or more sensitive attribute columns; "
        f"at most {MAX_ROWS:,} rows. Uploading a file measures it again.",
    )
    sensitive_columns = forms.CharField(
        required=False,
        max_length=500,
        help_text="Comma-separated, e.g. gender, age_band. Empty: every column besides y_true and y_pred.",
    )

    class Meta:
        model = BiasAssessment
        fields = [f for f in FIELDS if f not in ("checklist", "file")] + ["requirements"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = AISystem.objects.live().order_by("title")
        self.fields["system"].label = "AI system"
        given = self.instance.checklist or {}
        for key, label, help_text, control in CHECKLIST:
            self.fields[f"check_{key}"] = forms.ChoiceField(
                label=label, choices=[("", "Not answered"), *ANSWERS], required=False,
                help_text=f"{help_text} ({control})", initial=given.get(key, {}).get("answer", ""),
            )  # fmt: skip
            self.fields[f"note_{key}"] = forms.CharField(
                label=f"Note on {label.lower()}", required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}), initial=given.get(key, {}).get("note", ""),
            )  # fmt: skip

    def service_fields(self) -> dict:
        data = super().service_fields()
        checklist = {}
        for key, *_ in CHECKLIST:
            answer, note = data.pop(f"check_{key}", ""), data.pop(f"note_{key}", "").strip()
            if answer or note:
                checklist[key] = {"answer": answer, "note": note}
        data["checklist"] = checklist
        return data


class BiasFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "system__title", "file_name")
    system = filters.ModelChoiceFilter(
        queryset=AISystem.objects.all(), to_field_name="reference", empty_label="Any", label="AI system"
    )
    result = filters.ChoiceFilter(
        choices=[("passed", "Passed"), ("failed", "Failed"), ("none", "Not measured")],
        method="filter_result",
        empty_label="Any",
    )
    ordering = filters.OrderingFilter(fields=(("reference", "reference"), ("system__title", "system")))

    class Meta:
        model = BiasAssessment
        fields = []

    def filter_result(self, queryset, name, value):
        return queryset.filter(passed={"passed": True, "failed": False, "none": None}.get(value))


def result_cell(record):
    return {True: "Passed", False: "Failed", None: "Not measured"}[record.passed]


def detail_context(request, assessment, tab):
    if tab != "details":
        return {}
    rows = checklist_rows(assessment)
    results = assessment.results or {}
    charts = []
    for analysis in results.get("analyses", []):
        rates = [(g["group"], g["selection_rate"]) for g in analysis["groups"]]
        highest = max((v for _, v in rates if v is not None), default=None)
        marker = None
        if highest is not None and analysis["decides"]:
            threshold = assessment.ratio_threshold
            marker = (highest * float(threshold), f"{float(threshold):g} × highest rate")
        charts.append(
            hbar_chart_svg(rates, title=f"Selection rate by {analysis['attribute']}", marker=marker)
        )
    answered = [r for r in rows if r["answer"]]
    return {
        "checklist": rows,
        "checklist_counts": {label: sum(1 for r in answered if r["answer"] == label) for _, label in ANSWERS},
        "unanswered": len(rows) - len(answered),
        "results": results,
        "analyses": list(zip(results.get("analyses", []), charts, strict=True)),
        "download_url": reverse("biasassessment-file", args=[assessment.reference])
        if assessment.file
        else "",
        "risk_visible": assessment.risk if assessment.risk_id and not assessment.risk.is_archived else None,
    }


views = make_views(
    BiasAssessment,
    services=services,
    form_class=BiasForm,
    filterset_class=BiasFilterSet,
    select_related=("owner", "system", "risk"),
    columns=[
        ("Assessment", "title", None),
        ("AI system", "system.title", "system"),
        ("Result", result_cell, None),
        ("Lowest parity ratio", lambda r: (r.results or {}).get("worst_ratio", "—"), None),
        ("Largest odds difference", lambda r: (r.results or {}).get("worst_difference", "—"), None),
        ("Owner", "owner", None),
    ],
    fieldsets=[("The assessment", ["system", "ratio_threshold", "difference_threshold"])],
    form_fieldsets=[
        ("The assessment", ["title", "system"]),
        ("Checklist", [f"{part}_{key}" for key, *_ in CHECKLIST for part in ("check", "note")]),
        ("Measured fairness", ["file", "sensitive_columns", "ratio_threshold", "difference_threshold"]),
        ("Links", ["requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ],
    lead="ISO/IEC 42001 A.7.4 and A.6.2.4: is the system fair to the groups it affects? Answer the checklist "
    "and upload predictions as CSV to measure selection rates, demographic parity and equalized odds.",
    empty_text="No bias assessments yet. Start one for an AI system that decides about people: answer the "
    "checklist, then upload a CSV of its predictions with y_true, y_pred and a sensitive column.",
    detail_template="lifecycle/bias_detail.html",
    detail_context=detail_context,
)


class BiasFileView(PrivateFileView):
    model = BiasAssessment
    field_name, name_field = FILE[:2]


EXTRA_URLS = [
    path(f"{MENU[1]}/<str:reference>/file/", BiasFileView.as_view(), name="biasassessment-file"),
]

ViewSet = make_api(
    BiasAssessment,
    services=services,
    fields=[*[f for f in FIELDS if f != "file"], "file_name", "file_sha256", "results", "passed"],
    filterset_class=BiasFilterSet,
    doc="Bias assessments (A.7.4, A.6.2.4): `system` by reference, `checklist` as {item: {answer, note}}. "
    "The predictions CSV is uploaded in the app; the API shows its name, SHA-256, the measured results and "
    "whether they passed. DELETE archives.",
)
