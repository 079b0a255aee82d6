"""{% kept "name" %}...{% endkept %}: a part of a page drawn once and kept for the person while nothing
is written (aims.freshness), keyed by the page's full path (filters, sort, page) and the CSRF cookie
(forms inside carry the session's token). For the dearest parts of the busiest pages: long tables."""

from django import template
from django.conf import settings

from aims import freshness

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, name, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        request = context.get("request")
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return self.nodelist.render(context)
        csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
        if not csrf:  # a form drawn now sets the cookie its token belongs to; a kept one would not
            return self.nodelist.render(context)
        parts = (self.name.resolve(context), user.pk, request.get_full_path(), csrf)
        return freshness.kept(parts, lambda: self.nodelist.render(context))


@register.tag
def kept(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError('{% kept "name" %} takes one name.')
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(parser.compile_filter(bits[1]), nodelist)
