"""Where a page may send the browser next. Every `next` parameter (or Referer) a view honours passes
through here: only a place on this site is followed, so a link or form crafted elsewhere cannot turn
AIMS into a springboard to a phishing page or run a `javascript:` URL."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

MAX_LENGTH = 2000


def is_same_site(url: str | None, request) -> bool:
    """True if `url` is a path on this site, or an absolute http(s) URL of this host (https only when
    the request came over https)."""
    if not url or len(url) > MAX_LENGTH:
        return False
    # Browsers drop tabs and newlines inside a URL, read "\" as "/" and map look-alike Unicode in host
    # names, so "/\t/evil.example" or "/\evil.example" would leave the site though a parser sees a path.
    # Our own paths and queries are percent-encoded ASCII: anything else is refused outright.
    if not all(0x21 <= ord(ch) < 0x7F for ch in url) or "\\" in url:
        return False
    # A bare "risks" would be read relative to the page that posted it: only whole paths and URLs.
    if not url.startswith("/") and not url.lower().startswith(("http://", "https://")):
        return False
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request, url: str | None, fallback: str = "dashboard") -> str:
    """`url` if it stays on this site, otherwise `fallback` (a URL name or a path of ours)."""
    return url if is_same_site(url, request) else resolve_url(fallback)


class SafeNextMixin:
    """For Django's sign-in and sign-out views: their `next` is judged by the same rule."""

    def get_redirect_url(self):
        name = self.redirect_field_name
        wanted = self.request.POST.get(name, self.request.GET.get(name))
        return wanted if is_same_site(wanted, self.request) else ""
