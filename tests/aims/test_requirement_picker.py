"""Every form that chooses clauses or Annex A controls draws the requirement picker: a select grouped by
clause and control objective (<optgroup>) that static/js/picker.js makes searchable, and that still
posts as a plain select without JavaScript."""

import re

from django import forms

from aims.forms import RequirementChoiceField, RequirementField
from aims.models import Requirement
from aims.registry import registry
from aims.widgets import RequirementPicker
from registers.forms import RiskForm
from tests.base import client_for, defined_in_our_apps, form_data_for


def _our_forms():
    return defined_in_our_apps(forms.BaseForm)


def _chooses_requirements(field) -> bool:
    return isinstance(field, forms.ModelChoiceField) and field.queryset.model is Requirement


def test_every_field_choosing_requirements_draws_the_picker():
    choosing = {
        f"{form.__module__}.{form.__name__}.{name}": field
        for form in _our_forms()
        for name, field in form.base_fields.items()
        if _chooses_requirements(field) or (name == "requirements" and isinstance(field, forms.ChoiceField))
    }
    assert len(choosing) >= 10  # the registers' links, an audit's scope, a checklist question, a pack ...
    plain = [name for name, field in choosing.items() if not isinstance(field.widget, RequirementPicker)]
    assert plain == []
    assert all(
        isinstance(field, RequirementChoiceField | RequirementField)
        for field in choosing.values()
        if _chooses_requirements(field)
    )


def test_every_registers_form_with_requirements_uses_the_one_field():
    forms_with_links = [info.register.form for info in registry.registers if info.register.form is not None]
    fields = [f.base_fields["requirements"] for f in forms_with_links if "requirements" in f.base_fields]
    assert len(fields) > 20
    assert all(isinstance(field, RequirementChoiceField) for field in fields)


def test_the_options_are_grouped_by_clause_and_control_objective(owner):
    page = client_for(owner).get("/risks/new/").content.decode()
    select = re.search(r'<select name="requirements"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert select and "data-picker" in select.group(0) and "multiple" in select.group(0)
    groups = re.findall(r'<optgroup label="([^"]+)"', select.group(1))
    assert groups[0] == "4 Context of the organization" and "10 Improvement" in groups
    assert "A.6 AI system life cycle" in groups and "A.2 Policies related to AI" in groups
    assert "Hold Ctrl" not in page


def test_without_javascript_the_select_still_saves_the_choice(make_risk, owner):
    risk = make_risk()
    assert not risk.requirements.filter(code="A.6.2.4").exists()
    control = Requirement.objects.mappable().get(code="A.6.2.4")
    data = {**form_data_for(risk, RiskForm), "requirements": [control.pk]}
    answer = client_for(owner).post(f"/risks/{risk.reference}/edit/", data)
    assert answer.status_code == 302
    assert risk.requirements.filter(code="A.6.2.4").exists()


def test_a_single_choice_is_a_picker_of_one_with_an_empty_choice(db):
    field = RequirementField(required=False)
    html = field.widget.render("requirement", None)
    assert "multiple" not in html and 'data-picker="requirements"' in html
    assert '<option value="" selected>---------</option>' in html
    assert '<optgroup label="A.6 AI system life cycle">' in html
    assert field.widget.value_from_datadict({"requirement": "7"}, {}, "requirement") == "7"
    assert field.widget.value_omitted_from_data({}, {}, "requirement")


def test_every_action_asking_for_requirements_draws_the_picker():
    """Raising a nonconformity (from a finding, an incident, a KPI) and triaging feedback ask for clauses
    and controls: the picker, as in every form, not a text box for codes."""
    from aims.actions import RecordAction

    asking = {
        f"{module}.{name}": spec
        for module in ("reviews.raising", "reviews.standard.feedback")
        for name, action in vars(__import__(module, fromlist=["_"])).items()
        if isinstance(action, RecordAction)
        for spec in action.inputs
        if spec.name == "requirements"
    }
    assert len(asking) == 4, asking
    assert [name for name, spec in asking.items() if not spec.requirements] == []
