"""A bias assessment in a real browser (A.7.4, A.6.2.4): the owner uploads a CSV of predictions and sees
the rates per group, the chart and the verdict; a failure links the AI risk it opened."""

import re

import pytest
from playwright.sync_api import expect

from aims import records
from lifecycle.models import AISystem, BiasAssessment
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rows(group: str, tp: int, fn: int, fp: int, tn: int) -> str:
    return "".join(f"{r},{group}\n" for r in ["1,1"] * tp + ["1,0"] * fn + ["0,1"] * fp + ["0,0"] * tn)


def test_owner_uploads_predictions_and_sees_the_groups_and_the_verdict(
    page, live_server, owner, other_owner, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    system = records.create_record(
        AISystem,
        actor=other_owner,
        fields={"title": "CV screening (hiring)", "purpose": "Ranks job applications.", "kind": "ml",
                "automation": "advisory", "owner": other_owner},
    )  # fmt: skip
    predictions = tmp_path / "hiring-predictions.csv"
    # F: selection 0.4, M: 0.6 -> ratio 0.6667, below 0.8: fails.
    predictions.write_text("y_true,y_pred,gender\n" + rows("F", 3, 2, 1, 4) + rows("M", 4, 1, 2, 3))

    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/bias/new/")
    page.get_by_label("Title").fill("Hiring model fairness 2026")
    page.get_by_role("combobox", name="AI system").select_option(label=str(system))
    page.get_by_label("Data representativeness", exact=True).select_option("partly")
    page.get_by_label("Predictions (CSV)").set_input_files(predictions)
    # Measuring fairness loads fairlearn (pandas, scikit-learn) on first use: seconds on a busy machine.
    page.get_by_role("button", name="Create bias assessment").click(timeout=30_000)

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"BIA-\d{4}"))
    expect(page.locator(".verdict .badge")).to_have_text("Failed")
    table = page.locator("table.fairness").first
    female = table.get_by_role("row", name=re.compile(r"^F "))
    expect(female.locator("td")).to_have_text(["10", "5", "0.4", "0.6", "0.2"])
    male = table.get_by_role("row", name=re.compile(r"^M "))
    expect(male.locator("td")).to_have_text(["10", "5", "0.6", "0.8", "0.4"])
    expect(page.get_by_role("img", name="Selection rate by gender")).to_be_visible()
    expect(page.get_by_text("Risk opened for the failure")).to_contain_text("Unequal outcomes across groups")
    assessment = BiasAssessment.objects.get()
    assert assessment.passed is False and assessment.risk.owner == other_owner
    assert assessment.checklist == {"representativeness": {"answer": "partly", "note": ""}}
