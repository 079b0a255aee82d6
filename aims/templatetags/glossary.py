from django import template
from django.urls import reverse

from aims.glossary import term_for_field

register = template.Library()


@register.simple_tag
def glossary_term(field_name: str):
    """(term, url) for a form field that has a glossary entry, else None."""
    term = term_for_field(field_name)
    return (term.term, f"{reverse('glossary')}#{term.slug}") if term else None
