from django import template

from aims.crosswalks import mapped_to

register = template.Library()


@register.inclusion_tag("aims/_crosswalks.html")
def what_else_this_satisfies(requirement):
    """The requirement page's crosswalk section (its own block, apart from records and evidence)."""
    return {"requirement": requirement, "groups": mapped_to(requirement)}
