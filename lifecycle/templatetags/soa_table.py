"""{% soa_rows rows page_links %}: the rows of the Statement of Applicability's table.

A statement has a row per control -- 38 Annex A controls and the organisation's own -- and ten cells a
row, each with links, counts and texts; drawn by nested template loops and includes, the table cost more
than every query of the page together. Here each row is built in Python, every value escaped as the
template escaped it (aims.html.escaped; the texts with references go through the page's links, which
escape them), so the HTML is the one the template drew. What the viewer may not see is counted, never
named."""

from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.safestring import mark_safe

from aims.html import escaped

register = template.Library()


def _s(n: int) -> str:  # |pluralize
    return "" if n == 1 else "s"


def _text(value, page_links):
    """`value|as_links:page_links`: the text, escaped, with the references the viewer may open linked."""
    return value if page_links is None else page_links.draw(value)


def _lines(value) -> str:
    """`value|linebreaksbr` with autoescape on: escaped unless already safe, newlines as <br>."""
    return linebreaksbr(value, autoescape=True)


def _link(url, text) -> str:
    return f'<a href="{escaped(url)}">{escaped(text)}</a>'


def _systems(row) -> str:
    systems, more, hidden = row["systems"], row["more_systems"], row["hidden_systems"]
    drawn = "; ".join(f"{_link(s.get_absolute_url(), s.reference)} {escaped(s.title)}" for s in systems)
    if more:
        drawn += f' <a href="{escaped(row["entry"].get_absolute_url())}#systems">and {escaped(more)} more</a>'
    if hidden:
        drawn += ("; " if systems else "") + f"{escaped(hidden)} system{_s(hidden)} you may not see"
    if not systems and not hidden:
        drawn += "The whole AIMS" if row["entry"].applicable else "—"
    return drawn


def _evidence(row, page_links) -> str:
    judgement, entry = row["judgement"], row["entry"]
    visible, hidden = judgement.visible_evidence, judgement.hidden_evidence
    drawn = "; ".join(f"{_link(e.url, e.reference)} {escaped(e.title)}" for e in visible)
    if hidden:
        drawn += ("; " if visible else "") + f"{escaped(hidden)} evidence item{_s(hidden)} you may not see"
    if not judgement.evidence:
        records = judgement.records
        drawn += "The records show it" if records and records.status == "met" else "—"
    if entry.evidence_note:
        note = _lines(_text(entry.evidence_note, page_links))
        drawn += f'<br><small class="muted">Not yet in the library: {note}</small>'
    return drawn


def _risks(row, risk_list: str) -> str:
    drawn = ", ".join(_link(r.get_absolute_url(), r.reference) for r in row["risks"]) or "—"
    entry = row["entry"]
    if row["more_risks"] and entry.control_id and entry.control:
        url = f"{risk_list}?requirement={entry.control.code}"
        drawn += f' <a href="{escaped(url)}">and more: all risks calling for it</a>'
    return drawn


def _issues(row) -> str:
    badges = [f'<span class="badge badge-warn">{escaped(text)}</span>' for _, text in row["issues"]]
    return "<br>".join(badges) or "none"


def _row(row, page_links, risk_list: str) -> str:
    entry, judgement = row["entry"], row["judgement"]
    return "".join(
        [
            "\n    <tr",
            ' class="has-issue"' if row["issues"] else "",
            f' data-control="{escaped(judgement.code)}" data-status="{escaped(judgement.status)}">',
            f'\n      <th scope="row">{_link(entry.get_absolute_url(), row["label"])}</th>',
            f"\n      <td>{'yes' if entry.applicable else 'no'}</td>",
            f"\n      <td>{_lines(entry.justification or '—')}</td>",
            f"\n      <td>{escaped(entry.get_implementation_display())}</td>",
            f'\n      <td><span class="badge {escaped(judgement.badge)}">{escaped(judgement.status_label)}</span> ',
            f"<small>{escaped(_text(judgement.reason, page_links))}</small></td>",
            f"\n      <td>{_risks(row, risk_list)}</td>",
            f"\n      <td>\n{_systems(row)}\n\n</td>",  # as templates/lifecycle/_soa_cells.html drew it
            f"\n      <td>\n{_evidence(row, page_links)}\n</td>",
            f"\n      <td>{escaped(entry.owner)}</td>",
            f"\n      <td>{_issues(row)}</td>",
            "\n    </tr>\n    ",
        ]
    )


@register.simple_tag
def soa_rows(rows, page_links):
    """Every row of the statement's table (templates/lifecycle/statement_detail.html)."""
    risk_list = reverse("risk-list")
    return mark_safe("".join(_row(row, page_links, risk_list) for row in rows))  # every value is escaped
