"""{% if user|may_see_overview:"board_pack" %}: whether a page offers an overview (a report over every
register) to the person looking, asked of the one rule the view itself enforces (aims.permissions)."""

from django import template

from aims import permissions

register = template.Library()


@register.filter
def may_see_overview(user, overview: str) -> bool:
    return permissions.may_see_overview(user, overview)
