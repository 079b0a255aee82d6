"""Every record a page names is a working link, and a record the viewer may not see is never named
(DESIGN.md "How the records connect": every related record shown on a page is a link, both ways).

The walk signs in to the demo organisation as the AIMS manager, opens every register's list and a
bounded sample of each register's record pages, and checks that each reference of another record in the
main content sits inside a link that answers 200."""

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aims.links import HIDDEN, PageLinks
from aims.models import User
from aims.registry import registry
from tests.base import client_for

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"\b([A-Z]{2,6})-(\d{4,})\b")
PER_REGISTER = 12  # record pages per register (the walk stays well under a minute)
LINKS_TAB = 3  # of which the Links tab is opened too

SKIPPED_TAGS = {"script", "style", "title", "option", "textarea", "select"}


class MainContent(HTMLParser):
    """References written in <main>, each with the href of the link it sits in (None outside links)."""

    def __init__(self):
        super().__init__()
        self.in_main = self.skip = 0
        self.anchors: list[str | None] = []
        self.found: list[tuple[str, str | None, str]] = []  # (reference, href, text around it)

    def handle_starttag(self, tag, attrs):
        self.in_main += tag == "main"
        self.skip += tag in SKIPPED_TAGS
        if tag == "a":
            self.anchors.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        self.in_main -= tag == "main"
        self.skip -= tag in SKIPPED_TAGS
        if tag == "a" and self.anchors:
            self.anchors.pop()

    def handle_data(self, data):
        if self.in_main and not self.skip:
            for match in REFERENCE.finditer(data):
                self.found.append(
                    (match.group(0), self.anchors[-1] if self.anchors else None, data.strip()[:90])
                )


def _sample(model):
    """Up to PER_REGISTER records spread over the register, by reference."""
    references = list(model.objects.order_by("reference").values_list("reference", flat=True))
    step = max(1, len(references) // PER_REGISTER)
    return references[::step][:PER_REGISTER]


def test_every_record_named_on_a_demo_page_is_a_working_link():
    call_command("seed_demo")
    client = client_for(User.objects.get(username="manager"))
    known = {info.model.reference_prefix: info.model for info in registry.registers}
    existing = {
        prefix: set(model.objects.values_list("reference", flat=True)) for prefix, model in known.items()
    }
    answers: dict[str, int] = {}
    unlinked, broken, walked = [], [], 0
    for info in registry.registers:
        model = info.model
        pages = [(f"/{info.register.url_prefix}/", None)]
        for n, reference in enumerate(_sample(model)):
            url = model(reference=reference).get_absolute_url()
            pages.append((url, reference))
            if n < LINKS_TAB:
                pages.append((f"{url}?tab=links", reference))
        for url, own in pages:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            walked += 1
            parser = MainContent()
            parser.feed(response.content.decode())
            for reference, href, text in parser.found:
                prefix = reference.split("-")[0]
                if reference == own or reference not in existing.get(prefix, ()):
                    continue  # its own page, or not a record of ours (a supplier's contract number)
                if href is None:
                    unlinked.append((url, reference, text))
                    continue
                if href not in answers:
                    answers[href] = client.get(href).status_code
                if answers[href] != 200:
                    broken.append((url, reference, href, answers[href]))
    assert walked > 2 * len(registry.registers)
    assert not unlinked, "references shown as plain text:\n" + "\n".join(map(str, unlinked))
    assert not broken, "links that do not answer 200:\n" + "\n".join(map(str, broken))


# -- records the viewer may not see ------------------------------------------------------------------------


def _confidential_evidence(other_owner):
    from aims.records import create_record
    from audits.models import Evidence

    return create_record(
        Evidence, actor=other_owner,
        fields={"title": "Salary bands of the model team", "kind": "link", "url": "https://intranet.example/hr",
                "owner": other_owner, "confidentiality": Evidence.Confidentiality.CONFIDENTIAL},
    )  # fmt: skip


def test_a_record_the_viewer_may_not_see_shows_neither_reference_nor_title(people):
    """An auditor sampled confidential evidence on an audit's checklist: an owner reading the audit sees
    that a record was sampled, not which; the AIMS manager sees the link."""
    from audits import checklist
    from audits.models import Audit

    secret = _confidential_evidence(people["other_owner"])
    audit = registry.register_for(Audit).register.sample(people)
    auditor = people["auditor"]
    checklist.generate(audit, actor=auditor)
    item = audit.checklist.first()
    checklist.save_item(item, actor=auditor, expected_version=item.version, question=item.question,
                        result="conforming", notes="Pay data reviewed.", evidence=[secret])  # fmt: skip
    as_owner = client_for(people["owner"]).get(audit.get_absolute_url()).content.decode()
    assert f'Evidence <span class="muted">{HIDDEN}</span>' in as_owner
    assert secret.reference not in as_owner and secret.title not in as_owner
    as_manager = client_for(people["manager"]).get(audit.get_absolute_url()).content.decode()
    assert f'<a href="{secret.get_absolute_url()}">{secret.reference}</a> {secret.title}' in as_manager


def test_a_reference_in_text_is_a_link_only_for_who_may_open_it(people):
    secret = _confidential_evidence(people["other_owner"])
    text = f"Compare with {secret.reference} & the pay policy."
    seen_by_owner = PageLinks(people["owner"]).learn(texts=[text])
    assert seen_by_owner.text(text) == f"Compare with {secret.reference} &amp; the pay policy."
    assert seen_by_owner.record(secret) == f'<span class="muted">{HIDDEN}</span>'
    seen_by_manager = PageLinks(people["manager"]).learn([secret], texts=[text])
    assert seen_by_manager.text(text) == (
        f'Compare with <a href="{secret.get_absolute_url()}">{secret.reference}</a> &amp; the pay policy.'
    )
    assert seen_by_manager.record(secret).startswith(f'<a href="{secret.get_absolute_url()}">')


def test_related_records_cost_the_same_queries_however_many(people):
    """A nonconformity's page lists the lessons drawn from it: ten cost what one does."""
    from aims.models import Requirement
    from reviews.improvement import nc_services
    from reviews.models import Lesson
    from reviews.standard.lessons import services as lessons

    owner = people["owner"]
    nc = nc_services.create(
        actor=owner,
        fields={"title": "Stale data", "source": "other", "description": "Old files used.", "grade": "minor"},
        requirements=list(Requirement.objects.mappable().filter(code="8.1")),
    )
    client = client_for(people["manager"])

    def lesson(n):
        fields = {"title": f"Lesson {n}", "what_happened": "x", "learned": "y", "nonconformities": [nc]}
        return lessons.create(actor=owner, fields=fields)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(nc.get_absolute_url())
        assert page.status_code == 200
        return len(captured.captured_queries), page.content.decode()

    lesson(0)
    queries()  # warm per-process caches
    one, _ = queries()
    for n in range(1, 10):
        lesson(n)
    ten, page = queries()
    assert ten == one
    assert all(
        f'<a href="{x.get_absolute_url()}">{x.reference}</a> {x.title}' in page for x in Lesson.objects.all()
    )
