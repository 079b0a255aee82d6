"""Links to related records, as the person looking may see them: `{% linked record.systems.all %}`."""

from django import template

from aims.permissions import restrict

register = template.Library()


@register.inclusion_tag("partials/linked.html", takes_context=True)
def linked(context, related, empty="—"):
    """Each related record the viewer may see as a link (reference and title); those they may not see
    are counted, never named. `related` is a queryset or a related manager."""
    queryset = related.all() if hasattr(related, "all") else related
    user = context["request"].user
    visible = list(restrict(queryset, user, "view").order_by("reference"))
    hidden = queryset.count() - len(visible)
    return {"records": visible, "hidden": hidden, "empty": empty}
