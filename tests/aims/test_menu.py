"""The main menu: each cycle's pages grouped by the ISO/IEC 42001 clause they serve, in the standard's
order, so the Plan menu is a handful of short groups rather than one list taller than the screen."""

import re

from aims.context_processors import CLAUSES
from aims.registry import registry
from tests.base import client_for


def plan_menu(user) -> list[tuple[str, list[str]]]:
    response = client_for(user).get("/")
    return [(title, [label for label, _ in items]) for title, items in response.context["nav_cycle"]["Plan"]]


def test_every_register_and_menu_page_names_its_group():
    ungrouped = [info.label for info in registry.registers if not info.menu_group]
    ungrouped += [label for _, label, _, group in registry.menu_links if not group]
    assert ungrouped == []


def test_the_plan_menu_is_grouped_by_clause_in_the_standard_s_order(owner):
    menu = dict(plan_menu(owner))
    assert list(menu) == [
        "Readiness and roll-out",
        "4 Context of the organization",
        "5 Leadership",
        "6 Planning",
        "7 Support",
    ]
    assert menu["4 Context of the organization"][:2] == ["Scope", "Context issues"]
    assert "Policies" in menu["5 Leadership"]
    # A register's extra pages follow it in its group.
    assert menu["6 Planning"][:4] == ["AI risks", "Risk heat map", "Risk criteria", "Treatment plan"]
    assert "Competence gaps" in menu["7 Support"]
    assert max(len(items) for items in menu.values()) <= 8


def test_the_other_cycles_are_grouped_too(owner):
    cycles = client_for(owner).get("/").context["nav_cycle"]
    titles = {cycle: [title for title, _ in groups] for cycle, groups in cycles.items()}
    assert titles["Do"] == ["8 Operation"]
    assert titles["Check"] == ["9 Performance evaluation"]
    assert titles["Act"] == ["9 Performance evaluation", "10 Improvement"]
    assert set(CLAUSES) == {"4", "5", "6", "7", "8", "9", "10"}


def test_the_page_draws_the_groups_with_their_links(owner):
    page = client_for(owner).get("/risks/").content.decode()
    group = re.search(r'<span class="menu-group-title">6 Planning</span>\s*<ul>(.*?)</ul>', page, re.S)
    assert group and '<a href="/risks/">AI risks</a>' in group.group(1)
    assert 'class="nav-toggle" href="#nav"' in page  # the phone's toggle, which works without script


def test_the_menu_is_drawn_once_per_process_and_reads_as_its_groups(owner, auditor):
    """Every page carries the menu drawn from nav_cycle once (aims.context_processors._menu_html): each
    cycle's button, and under it each group's title and links, in order."""
    page = client_for(owner).get("/risks/").content.decode()
    cycles = client_for(auditor).get("/").context["nav_cycle"]
    drawn = page[page.index('<ul class="nav">') : page.index("</nav>")]
    expected = [
        text
        for cycle, groups in cycles.items()
        for text in (
            f'aria-expanded="false">{cycle}</button>',
            *(
                piece
                for title, items in groups
                for piece in (
                    f'<span class="menu-group-title">{title}</span>',
                    *(f'<a href="{href}">{label}</a>' for label, href in items),
                )
            ),
        )
    ]
    at = 0
    for text in expected:  # each after the one before: in the menu's order
        found = drawn.find(text, at)
        assert found != -1, f"{text} not after position {at}"
        at = found + len(text)
