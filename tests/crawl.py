"""A crawler of the site as one person sees it: from a start page it follows every link (and every panel
htmx loads), tries the choices of every GET form on the way (a list's filters), and notes every answer of
500 or above with the page that linked to it and the error (tests/test_crawl.py).

Only GET, never a link that changes something (signing out, a job's cancel or retry: POST-only anyway).
URLs are grouped by shape -- record references, numbers and dates stand for any -- so a route is opened
a couple of times per person rather than once per record, and a list's filter a few choices at a time:
declared_filter_failures below runs every choice of every filter of every list, as the list's own query
without drawing the page, in seconds (tests/test_crawl.py on PostgreSQL, tests/test_crawl_sqlite.py on
make run's SQLite)."""

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.test import Client

PER_SHAPE = 2  # pages of one shape a person opens (two records of a register, two pages of a list)
PER_FILTER = 3  # choices of one filter on one list (its SQL takes every choice: declared_filter_failures)
PER_COMBINATION = 1  # filters combined: a heat map cell, a dashboard figure, a filtered list sorted
PER_LIST = 1  # query strings per list a person opens after someone opened them (the list as they see it)
MAX_PAGES = 1500  # per person: a runaway crawl fails loudly instead of running for minutes

# The query keys every list shares (aims.filters.RecordFilterSet, RecordListView.PAGE_PARAMS): a choice
# of these is opened on one list only; declared_filter_failures tries each on every list, and faster.
SHARED = {"search", "owner", "mine", "review", "requirement", "archived", "awaiting_decision", "ordering"}
SHARED |= {"export", "page", "page_size"}
NEVER = re.compile(
    r"^/(static|media)/|^/accounts/logout/|^/admin/|/(cancel|retry|revoke|read|delete|archive|restore)/$"
)
REFERENCE = re.compile(r"\b[A-Z]{2,6}-\d{3,}\b")
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(T[\d:.]+)?\b")
NUMBER = re.compile(r"\d+(?:\.\d+)*")  # ids, pages, clause numbers (iso42001:6.1.2)
TOKEN = re.compile(r"\b[0-9a-f]{16,}\b|\b[\w-]{32,}\b")


def shape(value: str) -> str:
    """A path or a query value with what varies per record replaced: /risks/RSK-0042/ -> /risks/{ref}/."""
    value = REFERENCE.sub("{ref}", value)
    value = DATE.sub("{date}", value)
    value = TOKEN.sub("{token}", value)
    return NUMBER.sub("{n}", value)


class Page(HTMLParser):
    """The links of one page (a[href], htmx hx-get) and the GET forms with their choices."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []  # {"action": str, "choices": [(name, value)]}
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("href", "hx-get"):
            if a.get(name) and tag != "link":  # <link>: stylesheets and icons
                self.links.append(a[name])
        if tag == "form":
            get = (a.get("method") or "get").lower() == "get"
            self._form = {"action": a.get("action") or "", "choices": []} if get else None
            if self._form is not None:
                self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and a.get("value"):
            self._form["choices"].append((self._select, a["value"]))
        elif tag == "input" and a.get("type") in ("checkbox", "radio") and a.get("name"):
            self._form["choices"].append((a["name"], a.get("value") or "on"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@dataclass
class Crawl:
    """One person's walk. `failures`: (status, url, linked from, what went wrong). `choices`, shared by
    the walks of several people, holds the query strings (by shape) someone opened already: each filter
    choice is opened once in all, then each person opens one more per list to see a filtered list as
    they do."""

    client: Client
    who: str
    choices: set = field(default_factory=set)
    seen: set = field(default_factory=set)
    counts: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)
    opened: list = field(default_factory=list)

    def admit(self, url: str) -> bool:
        """Whether to open `url`: a new shape of URL or filter choice, or one of the first few of its shape."""
        parts = urlsplit(url)
        query = tuple(sorted((k, shape(v)) for k, v in parse_qsl(parts.query) if v != ""))
        path = shape(parts.path)
        exact = (path, query)
        if url in self.seen or not self._count(exact, 1 if query else PER_SHAPE):
            return False
        if len(query) == 1:  # a filter choice: of a filter every list has, or of this list's own
            choice = ("(any list)", query) if query[0][0] in SHARED else exact
            if choice not in self.choices and not self._count((path, query[0][0]), PER_FILTER):
                return False
        else:  # filters combined (and sorted, or paged): a few per combination of keys
            choice = (path, tuple(k for k, _ in query))
            if choice not in self.choices and query and not self._count(choice, PER_COMBINATION):
                return False
        if choice in self.choices and query and not self._count(path, PER_LIST):
            return False
        self.choices.add(choice)
        self.seen.add(url)
        return True

    def _count(self, key, cap: int) -> bool:
        """One more of `key`, if fewer than `cap` were opened."""
        if self.counts.get(key, 0) >= cap:
            return False
        self.counts[key] = self.counts.get(key, 0) + 1
        return True

    def local(self, href: str, base: str) -> str | None:
        """The site-relative URL a link points to, or None (another site, mail, an anchor, never)."""
        href = href.strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
            return None
        parts = urlsplit(urljoin("http://testserver" + base, href))
        if parts.scheme not in ("http", "https") or parts.hostname not in ("testserver", "localhost"):
            return None
        if NEVER.search(parts.path):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def run(self, *start: str, limit: int = MAX_PAGES) -> "Crawl":
        """Open `start`, then everything reached from it, breadth first."""
        queue = deque((url, "(start)") for url in start)
        for url in start:
            self.admit(url)
        while queue:
            url, source = queue.popleft()
            assert len(self.opened) < limit, f"{self.who}: more than {limit} pages; is the shape too fine?"
            response = self.client.get(url)
            self.opened.append(url)
            if response.status_code >= 500:
                exc = getattr(response, "exc_info", None)
                problem = f"{exc[0].__name__}: {exc[1]}"[:300] if exc and exc[0] else ""
                self.failures.append((response.status_code, url, source, problem))
                continue
            for link in self.links_of(url, response):
                if self.admit(link):
                    queue.append((link, url))
        return self

    def links_of(self, url: str, response) -> list[str]:
        if response.status_code in (301, 302, 303, 307, 308):
            target = self.local(response["Location"], url)
            return [target] if target else []
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return []
        page = Page()
        page.feed(response.content.decode())
        links = [self.local(href, url) for href in page.links]
        for form in page.forms:
            action = self.local(form["action"] or url.split("?")[0], url)
            if action:  # each choice on its own: "?overdue=true", "?overdue=false", "?state=breach"...
                links += [f"{action}?{urlencode({name: value})}" for name, value in form["choices"]]
        return [link for link in links if link]

    def report(self) -> str:
        return "\n".join(
            f"{status} as {self.who}: {url} (linked from {source}) {problem}"
            for status, url, source, problem in self.failures
        )


def client_as(user=None) -> Client:
    """A client that answers a failing page as the browser would get it (a 500), instead of raising."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def declared_filter_failures(user) -> tuple[int, list[str]]:
    """Every register's list with each choice of each filter its FilterSet declares, the ones its form
    does not show included (owner, clause, sorting), as `user`: (choices tried, failures). Each is the
    list view's own query (restricted, with its select_related, filtered, sorted), run without drawing the
    page, so hundreds of choices cost a few seconds: a filter that clashes with the list's query (a
    deferred field it traverses, arithmetic the database lacks) fails here. A filter choosing a record
    tries two of them; a text, number or date filter tries a word it must take or refuse."""
    from django.test import RequestFactory
    from django.urls import resolve

    from aims.registry import registry

    tried, failures = 0, []
    for info in registry.registers:
        path = f"/{info.register.url_prefix}/"
        view_class = resolve(path).func.view_class
        initkwargs = resolve(path).func.view_initkwargs
        for query in [""] + _declared_choices(view_class, initkwargs, user):
            request = RequestFactory().get(path, dict([query]) if query else {})
            request.user = user
            view = view_class(**initkwargs)
            view.setup(request)
            tried += 1
            try:
                queryset = view.filtered()
                list(queryset[:5]), queryset.count()
            except Exception as exc:  # noqa: BLE001 -- each failure is reported with its URL
                failures.append(f"{request.get_full_path()}: {type(exc).__name__}: {exc}"[:300])
    return tried, failures


def _declared_choices(view_class, initkwargs, user) -> list[tuple[str, str]]:
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    view = view_class(**initkwargs)
    view.setup(request)
    filterset = view.filterset_class(None, queryset=view.visible(), request=request)
    choices = []
    for name in filterset.filters:
        formfield = filterset.form.fields[name]
        options = getattr(formfield, "choices", None)
        options = list(options if options is not None else getattr(formfield.widget, "choices", None) or [])
        values = [str(getattr(v, "value", v)) for v, _ in options]
        values = [v for v in values if v not in ("", "None")]
        if getattr(formfield, "queryset", None) is not None:
            values = values[:PER_SHAPE]  # records: two of them stand for all
        choices += [(name, v) for v in values or ["a"]]
    return choices
