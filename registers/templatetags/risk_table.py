"""{% risk_rows rows appetite_max today %}: the rows of the risk list's table.

A page of the register shows up to 200 risks, nine cells a row with links, badges and the AI systems each
risk concerns; drawn by the template's loop, the rows cost a third of the page drawn afresh, more than
every query of it together (each `{{ }}` is a lookup through the context, a conditional escape and a
localisation). Here each row is built in Python, every value escaped as the template escaped it, so the
HTML is the one the loop drew: tests/registers/test_risk_table.py holds the two to the same text."""

from django import template
from django.utils.safestring import mark_safe

from aims.html import escaped

from .risk_levels import level

LISTED_SYSTEMS = "listed_systems"  # where the list page keeps each risk's systems

register = template.Library()

ARCHIVED_ROW = ' class="archived"'
ARCHIVED_BADGE = ' <span class="badge badge-archived">Archived</span>'
ABOVE_APPETITE = (
    ' <span class="badge badge-appetite" title="Residual level above appetite">Above appetite</span>'
)


@register.simple_tag
def risk_rows(rows, appetite_max, today):
    """Each (risk, inherent band, residual band) of `rows` as the table's <tr>, laid out as the loop did."""
    return mark_safe("".join(_row(*row, appetite_max, today) for row in rows))  # noqa: S308 - escaped above


def _row(risk, inherent, residual, appetite_max, today) -> str:
    url = escaped(risk.get_absolute_url())
    archived = risk.is_archived
    overdue = bool(risk.next_review_on and risk.next_review_on < today)
    reviewed = risk.next_review_on.isoformat() if risk.next_review_on else "—"  # |date:"Y-m-d" of a date
    above = ABOVE_APPETITE if risk.residual_score > appetite_max else ""
    cells = [
        f'<td class="nowrap card-ref"><a href="{url}">{escaped(risk.reference)}</a></td>',
        f'<td class="card-title"><a href="{url}">{escaped(risk.title)}</a>{_reassess(risk)}{_systems(risk)}</td>',
        f'<td data-label="Category" class="card-later">{escaped(risk.category)}</td>',
        f'<td data-label="Inherent" class="card-later">{level(inherent, risk.inherent_score)}</td>',
        f'<td data-label="Residual">{level(residual, risk.residual_score)}{above}</td>',
        f'<td data-label="Treatment" class="card-later">{escaped(risk.get_treatment_display())}</td>',
        f'<td data-label="Status">{escaped(risk.get_status_display())}{ARCHIVED_BADGE if archived else ""}</td>',
        f'<td data-label="Owner">{escaped(risk.owner)}</td>',
        f'<td data-label="Next review" class="nowrap{" overdue" if overdue else ""}">{escaped(reviewed)}'
        f"{'<br><small>overdue</small>' if overdue else ''}</td>",
    ]
    opened = f"<tr{ARCHIVED_ROW if archived else ''}>"
    return "\n    " + opened + "".join(f"\n      {cell}" for cell in cells) + "\n    </tr>\n  "


def _reassess(risk) -> str:
    if not risk.reassessment_due:
        return ""
    return f' <span class="badge badge-warn" title="{escaped(risk.reassessment_due)}">reassess</span>'


def _systems(risk) -> str:
    # The list page's systems, fetched for all its rows at once (RiskListView.rows_read); else asked here.
    systems = getattr(risk, LISTED_SYSTEMS, None)
    if systems is None:
        systems = list(risk.systems.all())
    if not systems and not risk.system_note:
        return ""
    drawn = "; ".join(escaped(system.title) for system in systems)
    if risk.system_note:
        drawn += ("; " if systems else "") + escaped(risk.system_note)
    return f'<br><small class="muted">{drawn}</small>'
