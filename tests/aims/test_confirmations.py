"""Every button that archives, removes, revokes, cancels, rejects ... asks before it acts (data-confirm,
answered in static/js/aims.js); without JavaScript the form still posts."""

import re
from pathlib import Path

from django.conf import settings

from aims.registry import registry
from tests.base import client_for

DESTRUCTIVE = re.compile(
    r"\b(archive|remove|delete|revoke|cancel|withdraw|withdrawal|detach|reject|retire|refuse|close|"
    r"sign off|suspend|suspension|discard|publish)\b",
    re.IGNORECASE,
)
BUTTON = re.compile(r"<button\b([^>]*)>(.*?)</button>", re.DOTALL)


def _visible(text: str) -> str:
    """A button's words, template tags and variables taken out ("{% if c.active %}Retire{% else %}...")."""
    return re.sub(r"\{[{%#].*?[}%#]\}", " ", text)


def test_every_destructive_button_in_the_templates_asks_first():
    unasked = []
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        for attrs, label in BUTTON.findall(path.read_text()):
            if DESTRUCTIVE.search(_visible(label)) and "data-confirm" not in attrs:
                unasked.append(f"{path.name}: {label.strip()}")
    assert unasked == []


def test_the_record_action_button_carries_the_actions_question():
    partial = (Path(settings.BASE_DIR) / "templates/partials/record_action.html").read_text()
    buttons = [attrs for attrs, label in BUTTON.findall(partial) if "action.label" in label]
    assert len(buttons) == 2
    assert all('data-confirm="{{ action.confirm }}"' in attrs for attrs in buttons)


def test_every_destructive_record_action_asks_a_question():
    actions = {a for info in registry.registers for a in info.register.all_actions()}
    assert len(actions) > 20
    unasked = [
        f"{a.name}: {a.label}"
        for a in actions
        if (a.style == "danger" or DESTRUCTIVE.search(a.label) or DESTRUCTIVE.search(a.name))
        and not a.confirm
    ]
    assert unasked == []


def test_the_archive_button_asks_before_archiving(make_risk, owner):
    risk = make_risk()
    page = client_for(owner).get(risk.get_absolute_url()).content.decode()
    assert f'data-confirm="Archive {risk.reference}?' in page


def test_without_javascript_the_archive_still_posts(make_risk, owner):
    """The question is the browser's; the form itself is unchanged."""
    risk = make_risk()
    answer = client_for(owner).post(f"/risks/{risk.reference}/archive/", {"version": risk.version})
    assert answer.status_code == 302
    risk.refresh_from_db()
    assert risk.is_archived


def test_aims_js_answers_data_confirm():
    script = (Path(settings.BASE_DIR) / "static/js/aims.js").read_text()
    assert "data-confirm" in script and "window.confirm" in script
