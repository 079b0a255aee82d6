"""The bias assessment's record page (the checklist, the measured rates as charts, the linked risk) and
the download of its predictions CSV."""

from django.urls import reverse

from aims.charts import hbar_chart_svg
from aims.views.files import PrivateFileView
from lifecycle.models import BiasAssessment

from .checklist import ANSWERS, checklist_rows
from .services import FILE


def result_cell(record):
    return {True: "Passed", False: "Failed", None: "Not measured"}[record.passed]


def figure_cell(name: str):
    """A list column of one of the two figures the verdict reads, as the record's page shows it."""
    return lambda record: record.shown().get(name, "—")


def assessment_context(request, assessment, tab) -> dict:
    if tab != "details":
        return {}
    rows = checklist_rows(assessment)
    measured = assessment.results or {}
    charts = []
    for analysis in measured.get("analyses", []):
        rates = [(g["group"], g["selection_rate"]) for g in analysis["groups"]]  # numbers, for the bars
        highest = max((v for _, v in rates if v is not None), default=None)
        marker = None
        if highest is not None and analysis["decides"]:
            threshold = assessment.ratio_threshold
            marker = (highest * float(threshold), f"{float(threshold):g} × highest rate")
        charts.append(
            hbar_chart_svg(rates, title=f"Selection rate by {analysis['attribute']}", marker=marker)
        )
    answered = [r for r in rows if r["answer"]]
    results = assessment.shown()
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


class BiasFileView(PrivateFileView):
    model = BiasAssessment
    field_name, name_field = FILE[:2]
