"""Reading the figures of a page: the markup every count and percentage on a dashboard carries, so a test
can follow each one to the list behind it (tests/test_dashboard_numbers.py).

The markup (templates write it; the heat map's cells too):

- a count:       <a class="figure" data-count="N" href="LIST">   LIST shows [data-total="N"]
- a percentage:  <a class="figure" data-percent="P" data-key="K" href="PAGE">
                                                                 PAGE shows [data-key="K"][data-percent="P"]
- a list of records on a dashboard names the figure that counts all of it: <ul data-figure="ID">, where ID
  is the id of a figure in the same panel; when the list is cut short, that figure is its "all N" link.

A list page states its total as data-total on its count line, and the query parameters it did not apply
(not one of its filters, or refused) as data-unapplied."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# A record's page: /risks/RSK-0001/, /soa-entries/SOAE-0003/ ...
RECORD_URL = re.compile(r"^/[a-z0-9-]+/[A-Z]{2,6}-\d{4,}/")


@dataclass
class Node:
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def text(self, skip=lambda node: False) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif not skip(child):
                parts.append(child.text(skip))
        return " ".join(parts)


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: (v if v is not None else "") for k, v in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def figures(root: Node) -> list[Node]:
    return [n for n in root.walk() if "figure" in n.classes]


def malformed_figures(root: Node) -> list[str]:
    """Figures that are not links, or links that say neither what they count nor which percentage."""
    problems = []
    for node in figures(root):
        label = " ".join(node.text().split())[:80]
        if node.tag != "a" or not node.attrs.get("href"):
            problems.append(f"figure without a link: {label!r}")
        elif "data-count" not in node.attrs and not (
            "data-percent" in node.attrs and "data-key" in node.attrs
        ):
            problems.append(f"figure saying neither data-count nor data-percent with data-key: {label!r}")
        elif "data-count" in node.attrs and not node.attrs["data-count"].isdigit():
            problems.append(f"figure whose data-count is not a count: {label!r}")
    return problems


def record_lists_without_figure(root: Node) -> list[str]:
    """Lists of records that name no figure counting all of them, or a figure smaller than the list."""
    by_id = {n.attrs["id"]: n for n in root.walk() if n.attrs.get("id")}
    problems = []
    for node in root.walk():
        if node.tag not in ("ul", "ol"):
            continue
        items = [li for li in node.children if isinstance(li, Node) and li.tag == "li"]
        if not any(
            RECORD_URL.match(a.attrs.get("href", "")) for li in items for a in li.walk() if a.tag == "a"
        ):
            continue
        label = " ".join(node.text().split())[:80]
        target = by_id.get(node.attrs.get("data-figure", ""))
        if target is None or "figure" not in target.classes or "data-count" not in target.attrs:
            problems.append(f"a list of records names no figure counting it: {label!r}")
        elif int(target.attrs["data-count"]) < len(items):
            problems.append(
                f"a list of {len(items)} records counted as {target.attrs['data-count']}: {label!r}"
            )
    return problems


# Numbers that are not counts: dates and times, clause and control codes, and the fixed words of the
# standard and the law ("ISO/IEC 42001", "Art. 73", "at least yearly: the last 12 months").
NOT_COUNTS = [
    r"\d{4}-\d{2}-\d{2}",
    r"\b\d{1,2}:\d{2}\b",
    r"\bISO/IEC \d+\b",
    r"\bArt\. \d+\b",
    r"\b(?:[A-Z]\.)?\d+(?:\.\d+)+\b",
    r"\blast 12 months\b",
]
SKIPPED = {"nav", "a", "small", "svg", "script", "noscript", "style", "form", "select", "option", "time"}


def unlinked_numbers(root: Node) -> list[str]:
    """Numbers shown outside any link: a count must be a figure (a link to its list). Links, small print
    (dates, owners), charts, forms and lists of records (each item a link) are left out."""
    problems = []

    def visit(node: Node, hidden: bool):
        hidden = hidden or node.tag in SKIPPED or "lead" in node.classes or "data-figure" in node.attrs
        if not hidden:
            own = " ".join(c for c in node.children if isinstance(c, str))  # each text is seen once
            for pattern in NOT_COUNTS:
                own = re.sub(pattern, " ", own)
            if re.search(r"\d", own):
                problems.append(f"a number outside a figure link: {' '.join(own.split())[:80]!r}")
        for child in node.children:
            if isinstance(child, Node):
                visit(child, hidden)

    visit(root, False)
    return problems


def list_total(html: str) -> tuple[int | None, str]:
    """(the list page's total, the query parameters it did not apply)."""
    for node in parse(html).walk():
        if "data-total" in node.attrs:
            return int(node.attrs["data-total"]), node.attrs.get("data-unapplied", "")
    return None, ""


def percent_on(html: str, key: str) -> str | None:
    for node in parse(html).walk():
        if (
            node.attrs.get("data-key") == key
            and "data-percent" in node.attrs
            and "figure" not in node.classes
        ):
            return node.attrs["data-percent"]
    return None
