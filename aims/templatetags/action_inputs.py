"""How a record action's input is drawn (templates/partials/record_action.html): the requirement picker
for clause and control codes; a select for choices and a text box otherwise stay in the template."""

from django import template

from aims.models import Requirement
from aims.widgets import RequirementPicker, grouped

register = template.Library()


@register.simple_tag
def requirement_picker(action, spec):
    """A multiple requirement picker posting codes (what the action's service parses), ISO/IEC 42001's
    clauses and Annex A controls grouped as in every other form."""
    choices = grouped(
        Requirement.objects.mappable().order_by("position"),
        value=lambda r: r.code,
        label=lambda r: f"{r.code} {r.title}",
    )
    attrs = {"id": f"action-{action.name}-{spec.name}"}
    if spec.required:
        attrs["required"] = True
    return RequirementPicker(attrs=attrs, choices=choices).render(spec.name, None)
