"""index.pdf: the first thing an auditor opens. Cover (scope, as-of date, who exported, what the pack
holds, the key that signed it), the Statement of Applicability as it stood then, the index of every folder
with its record and evidence counts and the empty folders, and certification readiness with its gaps.

Every figure comes from the pack's one `Figures` (audits.pack.figures), which manifest.json states too.
`index_sections(ctx)` is the hook for what else the index shows: each section is a heading and HTML."""

import functools
from collections import Counter
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from aims.models import Standard
from aims.pdf import html_parts_to_pdf, html_to_pdf, pdf_processes

from .as_of import records_as_of
from .figures import Figures

INDEX_TEMPLATE = "audits/pack/index.html"


@dataclass
class IndexSection:
    title: str
    html: SafeString


@dataclass
class IndexContext:
    """What an index section may draw on: the pack row, its scope, its figures (folders with their
    counts, system folders, registers, readiness), the moment, the person it was made for and the
    signing key (audits.pack.signing.SigningKey)."""

    pack: object
    scope: object
    figures: Figures
    moment: object
    user: object
    key: object


def soa_summary(ctx: IndexContext) -> IndexSection | None:
    """The SoA at the moment: each statement's approval state and its controls by implementation."""
    try:
        from lifecycle.models import SoAEntry, Statement
    except ImportError:
        return None
    statements = [
        item.values
        for item in records_as_of(
            Statement.objects.restrict(ctx.user, "view").order_by("reference"), ctx.moment
        )
    ]
    applicable, implementation = Counter(), Counter()
    for item in records_as_of(SoAEntry.objects.restrict(ctx.user, "view"), ctx.moment):
        applicable[item.values.get("applicable", "")] += 1
        implementation[item.values.get("implementation", "")] += 1
    html = render_to_string(
        "audits/pack/index_soa.html",
        {"statements": statements, "applicable": dict(applicable), "implementation": sorted(implementation.items()),
         "entries": sum(applicable.values())},
    )  # fmt: skip
    return IndexSection("Statement of Applicability", mark_safe(html))


def requirement_index(ctx: IndexContext) -> IndexSection:
    html = render_to_string("audits/pack/index_requirements.html", {"figures": ctx.figures})
    return IndexSection("Index by clause and control", mark_safe(html))


def readiness_section(ctx: IndexContext) -> IndexSection:
    """Certification readiness per clause and applicable control, with the gaps (aims.certification),
    judged on the pack's date. Computed from the records as they are now: said so for a past date."""
    result = ctx.figures.readiness
    html = render_to_string(
        "audits/pack/index_readiness.html",
        {"result": result, "past": result.get("as_of", "") < timezone.localdate().isoformat()},
    )
    return IndexSection("Certification readiness", mark_safe(html))


def index_sections(ctx: IndexContext) -> list[IndexSection]:
    """The sections of index.pdf after the cover, in order."""
    sections = [soa_summary(ctx), requirement_index(ctx), readiness_section(ctx)]
    return [s for s in sections if s is not None]


def index_pdf(ctx: IndexContext) -> bytes:
    """index.pdf: the cover, then each section on pages of its own. It is laid out last, once every
    folder's PDF is done and their worker processes idle, so its sections are laid out at once, in as
    many parts as there are CPUs to lay them out (aims.pdf.html_parts_to_pdf: page numbers and outline run
    on as in one document); each part is rendered to HTML here first, since a part may not query the
    database."""
    context = {
        "pack": ctx.pack,
        "scope": ctx.scope,
        "standard": Standard.objects.filter(key=ctx.scope.standard).first() or ctx.scope.standard,
        "moment": ctx.moment,
        "figures": ctx.figures,
        "key": ctx.key,
        "sections": index_sections(ctx),
        "generated": timezone.localtime(),
        "org": "AIMS",
        "title": f"Evidence pack: {ctx.pack.title}",
        "requested_by": ctx.user,
        "cover": True,
    }
    groups = in_parts(context["sections"], pdf_processes())
    if len(groups) < 2:
        return html_to_pdf(render_to_string(INDEX_TEMPLATE, context))
    html = [
        render_to_string(INDEX_TEMPLATE, {**context, "cover": n == 0, "sections": group})
        for n, group in enumerate(groups)
    ]
    return html_parts_to_pdf([functools.partial(str, text) for text in html])


def in_parts(sections: list[IndexSection], parts: int) -> list[list[IndexSection]]:
    """The sections in order, in at most `parts` runs of about the same length of HTML (what a section
    costs to lay out); the first run goes with the cover. [sections] for one part."""
    if parts < 2 or len(sections) < 2:
        return [sections]
    sizes = [len(section.html) for section in sections]
    total = sum(sizes) or 1
    groups, current, done = [], [], 0
    for section, size in zip(sections, sizes, strict=True):
        if current and len(groups) < parts - 1 and done >= total * (len(groups) + 1) / parts:
            groups.append(current)
            current = []
        current.append(section)
        done += size
    return [*groups, current]
