"""The EU AI Act's application dates (Art. 113) for one AI system, as its page shows them."""

from django import template

from lifecycle.standard.obligations.position import eu_position
from lifecycle.standard.obligations.timeline import dates_for

register = template.Library()


@register.inclusion_tag("lifecycle/ai_act_dates.html")
def ai_act_dates(system):
    return {"subject": system, "timeline": dates_for(eu_position(system))}
