"""How a record action's input is drawn (templates/partials/record_action.html): the requirement picker
for clause and control codes; a select for choices and a text box otherwise stay in the template."""

from django import template

from aims.forms import RequirementChoiceField

register = template.Library()


@register.simple_tag
def requirement_picker(action, spec):
    """The requirement picker of every form, posting codes (what the action's service parses)."""
    field = RequirementChoiceField(to_field_name="code", required=spec.required)
    attrs = {"id": f"action-{action.name}-{spec.name}", **({"required": True} if spec.required else {})}
    return field.widget.render(spec.name, None, attrs=attrs)
