"""The risk list's rows drawn in Python ({% risk_rows %}, registers/templatetags/risk_table.py) are the
HTML the template's loop drew, character for character, for every shape a row takes: archived, due for
reassessment, with systems and a note or neither, overdue or not yet reviewed, above appetite, and
values that must be escaped."""

import datetime as dt

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifecycle.standard.ai_systems import services as systems
from registers.models import Risk, RiskCriteria
from tests.base import client_for

pytestmark = pytest.mark.django_db

# The loop risk_list.html drew its rows with before the tag, kept here as the reference.
LOOP = (
    "{% load risk_levels %}"
    + """  {% for risk, inherent, residual in rows %}
    <tr{% if risk.is_archived %} class="archived"{% endif %}>
      <td class="nowrap card-ref"><a href="{{ risk.get_absolute_url }}">{{ risk.reference }}</a></td>
      <td class="card-title"><a href="{{ risk.get_absolute_url }}">{{ risk.title }}</a>{% if risk.reassessment_due %} <span class="badge badge-warn" title="{{ risk.reassessment_due }}">reassess</span>{% endif %}{% with systems=risk.systems.all %}{% if systems or risk.system_note %}<br><small class="muted">{% for s in systems %}{{ s.title }}{% if not forloop.last %}; {% endif %}{% endfor %}{% if risk.system_note %}{% if systems %}; {% endif %}{{ risk.system_note }}{% endif %}</small>{% endif %}{% endwith %}</td>
      <td data-label="Category" class="card-later">{{ risk.category }}</td>
      <td data-label="Inherent" class="card-later">{% level inherent risk.inherent_score %}</td>
      <td data-label="Residual">{% level residual risk.residual_score %}{% if risk.residual_score > appetite_max %} <span class="badge badge-appetite" title="Residual level above appetite">Above appetite</span>{% endif %}</td>
      <td data-label="Treatment" class="card-later">{{ risk.get_treatment_display }}</td>
      <td data-label="Status">{{ risk.get_status_display }}{% if risk.is_archived %} <span class="badge badge-archived">Archived</span>{% endif %}</td>
      <td data-label="Owner">{{ risk.owner }}</td>
      <td data-label="Next review" class="nowrap{% if risk.next_review_on and risk.next_review_on < today %} overdue{% endif %}">{{ risk.next_review_on|date:"Y-m-d"|default:"—" }}{% if risk.next_review_on and risk.next_review_on < today %}<br><small>overdue</small>{% endif %}</td>
    </tr>
  {% endfor %}
"""
)


def system(owner, title):
    return systems.create(actor=owner, fields={
        "title": title, "purpose": "Scores applicants.", "kind": "ml", "ai_role": "producer",
        "automation": "in_loop"})  # fmt: skip


@pytest.fixture
def shapes(owner, make_risk):
    today = timezone.localdate()
    make_risk(title="Plain", system_note="")
    both = make_risk(title="Quotes \"and\" <tags> & 'apostrophes'", system_note="Note & <more>")
    both.systems.add(system(owner, "Credit <scoring>"), system(owner, "Fraud & abuse"))
    only_systems = make_risk(title="Only systems", system_note="")
    only_systems.systems.add(system(owner, "Chat assistant"))
    high = make_risk(
        title="Above appetite",
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=5,
        residual_impact=5,
    )
    risks = list(Risk.objects.prefetch_related("systems").select_related("owner", "category").order_by("pk"))
    shaped = {risk.title: risk for risk in risks}
    shaped["Plain"].next_review_on = None
    shaped["Only systems"].next_review_on = today - dt.timedelta(days=1)
    shaped["Only systems"].archived_at = timezone.now()
    shaped[both.title].reassessment_due = 'Control "A.6" changed <today> & more'
    shaped[high.title].next_review_on = today + dt.timedelta(days=30)
    criteria = RiskCriteria.current()
    rows = [(r, criteria.level(r.inherent_score), criteria.level(r.residual_score)) for r in risks]
    return rows, criteria.appetite_max, today


def test_the_rows_are_the_html_the_loop_drew(shapes):
    rows, appetite_max, today = shapes
    context = {"rows": rows, "appetite_max": appetite_max, "today": today}
    by_loop = Template(LOOP).render(Context(context))
    by_tag = Template("{% load risk_table %}  {% risk_rows rows appetite_max today %}\n").render(
        Context(context)
    )
    assert by_tag == by_loop
    for shown in (
        "Above appetite</span>",
        "reassess</span>",
        "overdue</small>",
        'class="archived"',
        "—",
        "Credit &lt;scoring&gt;; Fraud &amp; abuse; Note &amp; &lt;more&gt;",
        "&#x27;apostrophes&#x27;",
    ):
        assert shown in by_tag, shown  # every shape of row was drawn


def test_the_risk_list_page_draws_its_rows_with_the_tag(owner, make_risk):
    linked = make_risk(title="Drawn <here>")
    linked.systems.add(system(owner, "Loan triage"))
    with CaptureQueriesContext(connection) as seen:
        page = client_for(owner).get("/risks/").content.decode()
    assert 'Drawn &lt;here&gt;</a><br><small class="muted">Loan triage; Credit scoring</small>' in page
    assert page.count('<td class="nowrap card-ref">') == 1
    # Of the AI systems, only what the rows show is read (RiskListView.rows_read), not their texts.
    (read,) = [q["sql"] for q in seen.captured_queries if 'FROM "lifecycle_aisystem"' in q["sql"]]
    assert '"lifecycle_aisystem"."title"' in read and '"lifecycle_aisystem"."purpose"' not in read
