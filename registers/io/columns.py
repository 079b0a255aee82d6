"""The one layout of the AI risk register's spreadsheets, export and import alike: an export edited in a
spreadsheet can be uploaded again."""

from ..models import Risk

CHUNK_SIZE = 2000
SHEET_TITLE = "AI risks"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _attr(name):
    return lambda risk, criteria: getattr(risk, name)


def _yes_no(value) -> str:
    return "yes" if value else "no"


def _level(score, criteria) -> str:
    band = criteria.level(score)
    return band.name if band else ""


# (header, reader): the header is the model's field name; reader(risk, criteria) gives the cell's value.
# Criteria are passed in, loaded once per export, so that levels cost no query per row.
EXPORT_COLUMNS = [
    ("reference", _attr("reference")),
    ("version", _attr("version")),
    ("title", _attr("title")),
    ("description", _attr("description")),
    ("ai_systems", lambda r, c: "; ".join(s.reference for s in r.systems.all())),  # by reference
    ("system_note", _attr("system_note")),
    ("category", lambda r, c: r.category.name),
    ("risk_source", _attr("risk_source")),
    *[(name, lambda r, c, name=name: _yes_no(getattr(r, name))) for name in Risk.AFFECTED],
    ("inherent_likelihood", _attr("inherent_likelihood")),
    ("inherent_impact", _attr("inherent_impact")),
    ("inherent_score", _attr("inherent_score")),
    ("inherent_level", lambda r, c: _level(r.inherent_score, c)),
    ("existing_controls", _attr("existing_controls")),
    ("treatment", _attr("treatment")),
    ("treatment_plan", _attr("treatment_plan")),
    ("treatment_due_on", _attr("treatment_due_on")),
    ("treatment_done_on", _attr("treatment_done_on")),
    ("residual_likelihood", _attr("residual_likelihood")),
    ("residual_impact", _attr("residual_impact")),
    ("residual_score", _attr("residual_score")),
    ("residual_level", lambda r, c: _level(r.residual_score, c)),
    ("target_likelihood", _attr("target_likelihood")),
    ("target_impact", _attr("target_impact")),
    ("owner", lambda r, c: r.owner.username),
    ("status", _attr("status")),
    ("review_cadence", _attr("review_cadence")),
    ("next_review_on", _attr("next_review_on")),
    ("requirements", lambda r, c: " ".join(req.code for req in r.requirements.all())),
    ("accepted_by", lambda r, c: r.accepted_by.username if r.accepted_by else ""),
    ("accepted_on", _attr("accepted_on")),
    ("archived", lambda r, c: _yes_no(r.archived_at)),
]
HEADERS = [header for header, _ in EXPORT_COLUMNS]
READ_ONLY = {"inherent_score", "inherent_level", "residual_score", "residual_level", "accepted_by",
             "accepted_on", "archived"}  # fmt: skip
REQUIRED = ["title", "category", "risk_source", *Risk.AFFECTED, "inherent_likelihood", "inherent_impact",
            "residual_likelihood", "residual_impact"]  # fmt: skip
