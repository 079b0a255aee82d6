"""The requirement picker and the confirmation of destructive buttons, in a real browser: an owner finds
a control by typing, picks it and the form saves it; archiving asks first, and saying no changes nothing."""

import re

import pytest
from playwright.sync_api import expect

from registers.models import Risk
from tests.browser.conftest import SHOTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_picker_searches_picks_a_control_and_the_form_saves_it(page, live_server, make_risk, owner):
    risk = make_risk(title="Loan chatbot invents terms")
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/risks/{risk.reference}/edit/")

    expect(page.locator("#id_requirements")).to_be_hidden()  # the plain select stays in the form
    search = page.get_by_label("Clauses and Annex A controls")
    expect(search).to_have_attribute("type", "search")
    expect(page.locator(".picker-group legend", has_text="A.6 AI system life cycle")).to_be_visible()

    search.fill("verification")
    visible = page.locator(".picker-option:not([hidden])")
    expect(visible).to_have_count(1)
    expect(visible).to_contain_text("A.6.2.4 AI system verification and validation")
    expect(page.locator(".picker-group:not([hidden]) legend")).to_have_text(["A.6 AI system life cycle"])
    search.press("Enter")  # the one match is picked; the form is not sent
    expect(page).to_have_url(re.compile(r"/edit/$"))
    expect(page.locator(".picker-chip", has_text="A.6.2.4")).to_have_count(1)
    page.screenshot(path=f"{SHOTS}/picker-picked.png", full_page=False)

    search.fill("no such words anywhere")
    expect(page.locator(".picker-none")).to_be_visible()
    search.fill("")
    expect(page.locator(".picker-option:not([hidden])").first).to_be_visible()

    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(f"{live_server.url}/risks/{risk.reference}/")
    assert risk.requirements.filter(code="A.6.2.4").exists()

    # Taking it off again: the chip's remove button.
    page.goto(f"{live_server.url}/risks/{risk.reference}/edit/")
    page.get_by_role("button", name="Remove A.6.2.4 AI system verification and validation").click()
    expect(page.locator(".picker-chip", has_text="A.6.2.4")).to_have_count(0)
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(f"{live_server.url}/risks/{risk.reference}/")
    assert not risk.requirements.filter(code="A.6.2.4").exists()


def test_archive_asks_first_and_no_keeps_the_record(page, live_server, make_risk, owner):
    risk = make_risk(title="Drift in the fraud model")
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/risks/{risk.reference}/")
    questions = []

    def answer(accept):
        def handle(dialog):
            questions.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    page.once("dialog", answer(False))
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("button", name="Archive")).to_be_visible()
    assert questions == [
        f"Archive {risk.reference}? It leaves the lists; it stays in history and can be restored."
    ]
    assert not Risk.objects.get(pk=risk.pk).is_archived

    page.once("dialog", answer(True))
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("button", name="Restore")).to_be_visible()
    assert len(questions) == 2 and Risk.objects.get(pk=risk.pk).is_archived
