"""Links to related records, as the person looking may see them: `{% linked record.systems.all %}`."""

from django import template
from django.db.models import Exists, OuterRef

from aims.permissions import restrict

register = template.Library()


@register.inclusion_tag("partials/linked.html", takes_context=True)
def linked(context, related, empty="—"):
    """Each related record the viewer may see as a link (reference and title); those they may not see
    are counted, never named. `related` is a queryset or a related manager."""
    queryset = related.all() if hasattr(related, "all") else related
    user = context["request"].user
    # One query: each related record, with whether the viewer may see it.
    seen = restrict(queryset.model.objects.filter(pk=OuterRef("pk")), user, "view")
    rows = list(queryset.annotate(_seen=Exists(seen)).order_by("reference"))
    visible = [row for row in rows if row._seen]
    return {"records": visible, "hidden": len(rows) - len(visible), "empty": empty}
