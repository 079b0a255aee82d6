"""Bias assessments (A.7.4, A.6.2.4): roles, the checklist, fairlearn's metrics on a CSV whose rates are
worked out by hand, verdicts on exact values at the thresholds, the favourable outcome, every kind of bad
file refused with nothing saved, and one risk opened on failure."""

import hashlib

import pytest

from aims import records
from aims.models import Requirement
from aims.records import history
from lifecycle.models import AISystem, BiasAssessment
from lifecycle.standard.bias import services as bias
from lifecycle.standard.bias.checklist import CHECKLIST
from registers.models import Risk
from tests.base import client_for, form_data_for

HEADER = "y_true,y_pred,gender\n"


def group_rows(group: str, tp: int, fn: int, fp: int, tn: int) -> str:
    """Rows for one group: true positives, false negatives, false positives, true negatives."""
    rows = ["1,1"] * tp + ["1,0"] * fn + ["0,1"] * fp + ["0,0"] * tn
    return "".join(f"{r},{group}\n" for r in rows)


# Worked by hand. F: 5 positives, 3 predicted (TPR 0.6); 5 negatives, 1 predicted (FPR 0.2); 4 of 10
# selected (0.4). M: TPR 4/5 = 0.8, FPR 2/5 = 0.4, 6 of 10 selected (0.6). Parity difference 0.2, ratio
# 0.4 / 0.6 = 0.6667 (below 0.8: fails); equalized odds difference max(0.2, 0.2) = 0.2.
FAILING = HEADER + group_rows("F", 3, 2, 1, 4) + group_rows("M", 4, 1, 2, 3)
# Both groups: TPR 0.8, FPR 0.2, selection 0.5 -> ratio 1, differences 0: passes.
PASSING = HEADER + group_rows("F", 4, 1, 1, 4) + group_rows("M", 4, 1, 1, 4)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def system(other_owner):
    return records.create_record(
        AISystem,
        actor=other_owner,
        fields={"title": "CV screening (hiring)", "purpose": "Ranks job applications.", "kind": "ml",
                "automation": "advisory", "owner": other_owner},
    )  # fmt: skip


@pytest.fixture
def csv_file(tmp_path):
    def write(content: str | bytes, name: str = "predictions.csv"):
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return write


def new_form(system, owner, **more):
    return {"title": "Hiring model fairness 2026", "system": system.pk, "owner": owner.pk,
            "favourable_outcome": "1", "ratio_threshold": "0.80", "difference_threshold": "0.20",
            "review_cadence": 91, **more}  # fmt: skip


def upload(client, path, system, owner, **more):
    with open(path, "rb") as handle:
        return client.post("/bias/new/", new_form(system, owner, file=handle, **more))


# -- measured fairness -------------------------------------------------------------------------------
def test_rates_and_gaps_match_the_hand_worked_values(owner, system, csv_file, private_media):
    response = upload(client_for(owner), csv_file(FAILING), system, owner)
    assert response.status_code == 302, response.content.decode()[:3000]
    assessment = BiasAssessment.objects.get()
    results = assessment.results
    [gender] = results["analyses"]
    groups = {g["group"]: g for g in gender["groups"]}
    assert groups["F"] == {"group": "F", "count": 10, "positives": 5, "selected": 4, "true_positives": 3,
                           "false_positives": 1, "selection_rate": 0.4, "tpr": 0.6, "fpr": 0.2}  # fmt: skip
    assert groups["M"] == {"group": "M", "count": 10, "positives": 5, "selected": 6, "true_positives": 4,
                           "false_positives": 2, "selection_rate": 0.6, "tpr": 0.8, "fpr": 0.4}  # fmt: skip
    # Kept at full precision (2/3), not rounded to 0.6667; the difference 4/5 - 3/5 is 0.2 exactly.
    assert (gender["dp_difference"], gender["dp_ratio"], gender["eo_difference"]) == (0.2, 2 / 3, 0.2)
    assert (results["rows"], results["worst_ratio"], results["worst_difference"]) == (20, 2 / 3, 0.2)
    assert results["sensitive_columns"] == ["gender"] and assessment.passed is False
    assert results["favourable"] == 1 and assessment.favourable_outcome == 1
    assert assessment.file_name == "predictions.csv"
    assert assessment.file_sha256 == hashlib.sha256(FAILING.encode()).hexdigest()
    assert (private_media / assessment.file.name).read_bytes() == FAILING.encode()


def test_the_page_shows_the_table_the_chart_and_the_verdict(owner, auditor, system, csv_file):
    upload(client_for(owner), csv_file(FAILING), system, owner)
    assessment = BiasAssessment.objects.get()
    page = client_for(auditor).get(f"/bias/{assessment.reference}/").content.decode()
    assert 'badge-bad">Failed' in page and "<strong>0.6667</strong>" in page
    assert '<th scope="row">F</th><td>10</td><td>5</td><td>0.4</td><td>0.6</td><td>0.2</td>' in page
    assert "<svg" in page and "Selection rate by gender" in page and "0.8 × highest rate" in page
    assert assessment.risk.reference in page


def test_a_passing_file_opens_no_risk(owner, system, csv_file):
    upload(client_for(owner), csv_file(PASSING), system, owner)
    assessment = BiasAssessment.objects.get()
    assert assessment.passed is True and assessment.risk is None and Risk.objects.count() == 0
    assert assessment.results["worst_ratio"] == 1.0 and assessment.results["worst_difference"] == 0.0


def test_a_failure_opens_exactly_one_risk_for_the_systems_owner(owner, other_owner, system, csv_file):
    client = client_for(owner)
    upload(client, csv_file(FAILING), system, owner)
    assessment = BiasAssessment.objects.get()
    risk = Risk.objects.get()
    assert assessment.risk == risk and risk.owner == other_owner and list(risk.systems.all()) == [system]
    assert risk.category.slug == "bias-and-fairness" and assessment.reference in risk.description
    # The controls the bias check serves, and the clauses every risk serves (Risk.serves).
    assert set(risk.requirements.values_list("code", flat=True)) == {
        "A.6.2.4",
        "A.7.4",
        "6.1.2",
        "6.1.3",
        "8.2",
        "8.3",
    }
    # Uploading a failing file again does not open a second one.
    with open(csv_file(FAILING, "again.csv"), "rb") as handle:
        data = {**form_data_for(assessment), "file": handle}
        response = client.post(f"/bias/{assessment.reference}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assessment.refresh_from_db()
    assert assessment.file_name == "again.csv" and assessment.passed is False
    assert Risk.objects.count() == 1 and assessment.risk == risk


def test_thresholds_are_per_assessment_and_change_the_verdict(owner, system, csv_file):
    upload(client_for(owner), csv_file(FAILING), system, owner, ratio_threshold="0.60")
    assessment = BiasAssessment.objects.get()
    assert assessment.passed is True and Risk.objects.count() == 0
    assessment = bias.services.update(
        assessment, actor=owner, expected_version=assessment.version, fields={"difference_threshold": "0.10"}
    )
    assert assessment.passed is False and Risk.objects.count() == 1  # 0.2 > 0.1, measured before


def test_two_sensitive_columns_and_their_intersection(owner, system, csv_file):
    rows = ["y_true,y_pred,gender,age_band"]
    for gender in "FM":
        for age in ("under 40", "40 plus"):
            rows += [
                f"1,1,{gender},{age}",
                f"1,0,{gender},{age}",
                f"0,0,{gender},{age}",
                f"0,1,{gender},{age}",
            ]
    upload(client_for(owner), csv_file("\n".join(rows) + "\n"), system, owner)
    results = BiasAssessment.objects.get().results
    assert [a["attribute"] for a in results["analyses"]] == ["gender", "age_band", "gender × age_band"]
    assert [a["decides"] for a in results["analyses"]] == [True, True, False]
    assert len(results["analyses"][2]["groups"]) == 4 and results["worst_ratio"] == 1.0


def test_the_sensitive_columns_can_be_named(owner, system, csv_file):
    content = "y_true,y_pred,gender,branch\n" + "".join(
        f"{t},{p},{g},B{i % 2}\n"
        for i, (t, p, g) in enumerate([(1, 1, "F"), (0, 0, "F"), (1, 1, "M"), (0, 0, "M")])
    )
    upload(client_for(owner), csv_file(content), system, owner, sensitive_columns="gender")
    assert BiasAssessment.objects.get().results["sensitive_columns"] == ["gender"]


# -- verdicts on exact values -------------------------------------------------------------------------
# Each worked by hand from the counts; fairlearn's definitions (fairlearn.metrics): demographic parity
# ratio = smallest selection rate / largest, difference = largest - smallest; equalized odds difference =
# the larger of the spreads of true and false positive rates ("worst_case"). `fairlearn_figures` checks
# each against fairlearn itself.
#
# A: 7 of 200 selected (0.035); B: 125 of 2857 (0.0437522...): ratio 7 x 2857 / (200 x 125) = 19999/25000
# = 0.79996, which rounds to 0.8 at 4 places but is below it. Error rates close (odds difference 0.0141).
RATIO_JUST_BELOW = (
    HEADER.replace("gender", "group") + group_rows("A", 4, 96, 3, 97) + group_rows("B", 62, 1366, 63, 1366)
)
# A: 1 of 3 selected, B: 5 of 12: ratio (1/3) / (5/12) = 4/5 exactly (in floating point 0.7999999999999999);
# true positive rates 1/2 and 5/10, no false positives: odds difference 0. At the line passes.
RATIO_AT_THE_LINE = (
    HEADER.replace("gender", "group") + group_rows("A", 1, 1, 0, 1) + group_rows("B", 5, 5, 0, 2)
)
# True positive rates 1328/3125 = 0.42496 and 5/8 = 0.625: odds difference 0.20004, above 0.2 though it
# rounds to 0.2; selection 2728/6250 = 0.43648 and 8/16 = 0.5: ratio 0.87296 passes.
DIFFERENCE_JUST_ABOVE = (
    HEADER.replace("gender", "group") + group_rows("A", 1328, 1797, 1400, 1725) + group_rows("B", 5, 3, 3, 5)
)


def fairlearn_figures(content: str, favourable: int = 1) -> dict:
    """fairlearn's own figures for a CSV with one sensitive column, the favourable outcome as pos_label."""
    from functools import partial

    from fairlearn import metrics as fm

    rows = [line.split(",") for line in content.strip().splitlines()[1:]]
    y_true, y_pred, groups = ([int(r[0]) for r in rows], [int(r[1]) for r in rows], [r[2] for r in rows])
    rate = {name: partial(metric, pos_label=favourable) for name, metric in (
        ("selection", fm.selection_rate), ("tpr", fm.true_positive_rate), ("fpr", fm.false_positive_rate))}  # fmt: skip
    frame = fm.MetricFrame(metrics=rate, y_true=y_true, y_pred=y_pred, sensitive_features=groups)
    difference = frame.difference()
    figures = {"dp_ratio": frame.ratio()["selection"], "dp_difference": difference["selection"],
               "eo_difference": max(difference["tpr"], difference["fpr"])}  # fmt: skip
    if favourable == 1:  # the named functions the module's definitions come from
        assert figures["dp_ratio"] == pytest.approx(
            fm.demographic_parity_ratio(y_true, y_pred, sensitive_features=groups)
        )
        assert figures["eo_difference"] == pytest.approx(
            fm.equalized_odds_difference(y_true, y_pred, sensitive_features=groups)
        )
    return figures


def measured_by(path: str, client, content, system, owner, csv_file, **more) -> BiasAssessment:
    """The CSV through the form ("form") or the API as multipart ("api"): the same services measure it."""
    if path == "form":
        response = upload(client, csv_file(content), system, owner, **more)
        assert response.status_code == 302, response.content.decode()[:3000]
    else:
        with open(csv_file(content), "rb") as handle:
            data = {"title": "Measured through the API", "system": system.reference, "file": handle,
                    "ratio_threshold": "0.80", "difference_threshold": "0.20", **more}  # fmt: skip
            response = client.post("/api/v1/bias/", data)
        assert response.status_code == 201, response.content.decode()[:3000]
        assert response.json()["passed"] == BiasAssessment.objects.get().passed
    return BiasAssessment.objects.get()


@pytest.mark.parametrize("path", ["form", "api"])
def test_a_ratio_of_0_79996_fails_a_0_8_threshold_and_is_shown_unrounded(
    path, owner, auditor, system, csv_file
):
    """The four-fifths rule: a selection-rate ratio below 0.8 fails, however close; compared before rounding."""
    assessment = measured_by(path, client_for(owner), RATIO_JUST_BELOW, system, owner, csv_file)
    [group] = assessment.results["analyses"]
    assert assessment.results["worst_ratio"] == 0.79996 and group["dp_ratio"] == 0.79996
    assert assessment.results["worst_ratio"] == pytest.approx(fairlearn_figures(RATIO_JUST_BELOW)["dp_ratio"])
    assert assessment.results["worst_difference"] == pytest.approx(
        fairlearn_figures(RATIO_JUST_BELOW)["eo_difference"]
    )
    assert assessment.passed is False and assessment.risk is not None
    assert "lowest demographic parity ratio 0.79996 (must be at least 0.80)" in assessment.risk.description
    page = client_for(auditor).get(f"/bias/{assessment.reference}/").content.decode()
    assert (
        'badge-bad">Failed' in page
        and "<strong>0.79996</strong>" in page
        and "<strong>0.8</strong>" not in page
    )
    assert "<dt>Demographic parity ratio</dt><dd>0.79996</dd>" in page
    listed = client_for(auditor).get("/bias/").content.decode()
    assert "0.79996" in listed


@pytest.mark.parametrize("path", ["form", "api"])
def test_a_ratio_exactly_at_the_threshold_passes(path, owner, system, csv_file):
    """4/5 is not below four-fifths, although floating point makes (1/3) / (5/12) 0.7999999999999999."""
    assert (1 / 3) / (5 / 12) < 0.8  # what a float comparison would have failed
    assessment = measured_by(path, client_for(owner), RATIO_AT_THE_LINE, system, owner, csv_file)
    assert fairlearn_figures(RATIO_AT_THE_LINE)["dp_ratio"] == pytest.approx(0.8)
    assert assessment.passed is True and assessment.shown()["worst_ratio"] == "0.8"


@pytest.mark.parametrize("path", ["form", "api"])
def test_an_odds_difference_of_0_20004_fails_a_0_2_threshold(path, owner, auditor, system, csv_file):
    assessment = measured_by(path, client_for(owner), DIFFERENCE_JUST_ABOVE, system, owner, csv_file)
    expected = fairlearn_figures(DIFFERENCE_JUST_ABOVE)
    assert assessment.results["worst_difference"] == pytest.approx(0.20004) == expected["eo_difference"]
    assert assessment.results["worst_ratio"] == pytest.approx(0.87296) == expected["dp_ratio"]
    assert assessment.passed is False
    page = client_for(auditor).get(f"/bias/{assessment.reference}/").content.decode()
    assert "<strong>0.20004</strong>" in page and "<strong>0.873</strong>" in page


def test_an_odds_difference_exactly_at_the_threshold_passes(owner, system, csv_file):
    """FAILING's true positive rates 3/5 and 4/5 differ by 1/5 exactly (0.20000000000000007 in floats)."""
    assessment = measured_by(
        "form", client_for(owner), FAILING, system, owner, csv_file, ratio_threshold="0.66"
    )
    assert 0.8 - 0.6 > 0.2 and assessment.passed is True
    assert fairlearn_figures(FAILING)["eo_difference"] == pytest.approx(
        assessment.results["worst_difference"]
    )


def test_thresholds_changed_through_the_api_are_judged_exactly(owner, system, csv_file):
    assessment = measured_by("form", client_for(owner), RATIO_JUST_BELOW, system, owner, csv_file,
                             ratio_threshold="0.79")  # fmt: skip
    assert assessment.passed is True
    api = client_for(owner)
    response = api.patch(f"/api/v1/bias/{assessment.reference}/", {"ratio_threshold": "0.80", "version": assessment.version},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["passed"] is False and Risk.objects.count() == 1


def test_shown_never_rounds_across_the_threshold():
    from fractions import Fraction

    from lifecycle.fairness import shown

    assert shown(Fraction(19999, 25000), "0.80") == "0.79996"  # 4 places would say 0.8
    assert shown(Fraction(19999, 25000)) == "0.8"  # no threshold: 4 places
    assert shown(Fraction(4, 5), "0.80") == "0.8" and shown(Fraction(2, 3), "0.80") == "0.6667"
    assert shown(Fraction(5001, 25000), "0.20", at_least=False) == "0.20004"
    assert shown(Fraction(1, 5), "0.20", at_least=False) == "0.2"
    assert shown(Fraction(8000001, 10000000), "0.80") == "0.8"  # above and shown at the line: still passes
    assert shown(Fraction(7999999, 10000000), "0.80") == "0.7999999" and shown(None) == "n/a"


# -- the favourable outcome ----------------------------------------------------------------------------
# A fraud flag: y_pred 1 flags a transaction, 0 lets it through (favourable). A: 9 of 10 flagged, B: 8 of
# 10. Counting predicted 1 (wrongly) gives 0.8 / 0.9 = 0.889, which passes; counting the favourable
# outcome, 0, gives rates 0.1 and 0.2 and a ratio of 0.5, which fails. Odds difference 0.2 either way:
# A TPR 1, FPR 4/5; B TPR 1, FPR 3/5 (with 0 favourable: TPR 1/5 and 2/5, FPR 0 and 0).
FLAGS = HEADER + group_rows("A", 5, 0, 4, 1) + group_rows("B", 5, 0, 3, 2)


def test_rates_count_the_favourable_outcome(owner, auditor, system, csv_file):
    one = measured_by("form", client_for(owner), FLAGS, system, owner, csv_file)
    assert one.favourable_outcome == 1 and one.passed is True
    assert one.results["worst_ratio"] == pytest.approx(8 / 9) == fairlearn_figures(FLAGS)["dp_ratio"]
    one.delete()
    zero = measured_by("form", client_for(owner), FLAGS, system, owner, csv_file, favourable_outcome="0")
    assert zero.favourable_outcome == 0 and zero.results["favourable"] == 0 and zero.passed is False
    [gender] = zero.results["analyses"]
    rates = {g["group"]: (g["selection_rate"], g["tpr"], g["fpr"]) for g in gender["groups"]}
    assert rates == {"A": (0.1, 0.2, 0.0), "B": (0.2, 0.4, 0.0)}
    assert (zero.results["worst_ratio"], zero.results["worst_difference"]) == (0.5, 0.2)
    fairlearn_zero = fairlearn_figures(FLAGS, favourable=0)
    assert (fairlearn_zero["dp_ratio"], fairlearn_zero["eo_difference"]) == pytest.approx((0.5, 0.2))
    page = client_for(auditor).get(f"/bias/{zero.reference}/").content.decode()
    assert "Rates count the favourable outcome: predicted 0 (not flagged, not rejected)." in page
    assert "favourable outcome y_pred = 0" in zero.risk.description


def test_naming_another_favourable_outcome_measures_the_kept_file_again(owner, system, csv_file):
    assessment = measured_by("api", client_for(owner), FLAGS, system, owner, csv_file)
    assert assessment.passed is True
    response = client_for(owner).patch(
        f"/api/v1/bias/{assessment.reference}/", {"favourable_outcome": 0, "version": assessment.version},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert (
        body["favourable_outcome"] == 0 and body["passed"] is False and body["results"]["worst_ratio"] == 0.5
    )
    [linked, changed] = history(BiasAssessment.objects.get())[:2]  # the newest first: the risk it opened
    assert {c["field"] for c in changed.changes} >= {"favourable_outcome", "passed"}
    assert linked.changes[0]["field"] == "risk"


@pytest.mark.parametrize("value", [2, "yes", ""])
def test_a_favourable_outcome_that_is_not_a_label_is_refused_by_name(value, owner, system):
    response = client_for(owner).post(
        "/api/v1/bias/", {"title": "x", "system": system.reference, "favourable_outcome": value},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "0 or 1" in " ".join(response.json()["favourable_outcome"])
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="0 or 1") as refused:
        bias.services.create(
            actor=owner, fields={"title": "x", "system": system, "favourable_outcome": value}
        )
    assert list(refused.value.message_dict) == ["favourable_outcome"] and not BiasAssessment.objects.exists()


def test_a_file_that_never_predicts_the_favourable_outcome_is_refused(owner, system, csv_file):
    everyone_flagged = HEADER + group_rows("A", 3, 0, 2, 0) + group_rows("B", 2, 0, 3, 0)
    response = upload(client_for(owner), csv_file(everyone_flagged), system, owner, favourable_outcome="0")
    assert response.status_code == 400
    assert "No row of the file predicts 0, the favourable outcome" in response.content.decode()
    assert not BiasAssessment.objects.exists()


def test_assessments_measured_before_the_question_assume_1_in_their_history(owner, system):
    """The data migration: existing assessments counted predicted 1; each history says it was assumed."""
    import importlib

    from django.apps import apps

    assessment = bias.services.create(actor=owner, fields={"title": "Before", "system": system})
    migration = importlib.import_module("lifecycle.migrations.0006_bias_favourable_outcome")
    migration.assume_one(apps, None)
    fresh = BiasAssessment.objects.get()
    assert fresh.favourable_outcome == 1 and fresh.version == assessment.version + 1
    entry = history(fresh).first()
    assert "assumed" in entry.note and entry.changes[0]["new"] == "predicted 1 (assumed)"


# -- bad files: a clear message, nothing saved ---------------------------------------------------------
BAD = [
    ("empty.csv", "", "The file is empty"),
    ("header.csv", HEADER, "header but no rows"),
    ("missing.csv", "y_true,gender\n1,F\n0,M\n", "Missing column: y_pred"),
    ("nosensitive.csv", "y_true,y_pred\n1,1\n0,0\n", "at least one sensitive attribute column"),
    ("onegroup.csv", HEADER + group_rows("F", 2, 1, 1, 2), "Column gender has one group only ('F')"),
    ("binary.csv", HEADER + "1,1,F\n2,0,M\n", "Line 3: y_true is 2; labels must be binary, 0 or 1"),
    ("numeric.csv", HEADER + "1,yes,F\n0,0,M\n", "Line 2: y_pred is 'yes', not a number"),
    ("short.csv", HEADER + "1,1,F\n0,0\n", "Line 3 has 2 values; the header names 3 columns"),
    ("semicolons.csv", "y_true;y_pred;gender\n1;1;F\n", "separated by semicolons"),
    ("nopositives.csv", HEADER + group_rows("F", 0, 0, 1, 3) + group_rows("M", 2, 1, 1, 2),
     "group 'F' has no actual positives"),
    ("latin1.csv", HEADER.encode() + "1,1,Zoë\n".encode("latin-1"), "not UTF-8 text"),
    ("predictions.xlsx", b"PK\x03\x04 not really", "reads a CSV file; 'predictions.xlsx' is a .xlsx"),
    ("predictions.txt", PASSING, "reads a CSV file"),
    ("binary-content.csv", b"\x00\x01\x02y_true", "not text"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_saved(
    name, content, message, owner, system, csv_file, private_media
):
    response = upload(client_for(owner), csv_file(content, name), system, owner)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert message.replace("'", "&#x27;") in page, page[page.find("has-error") :][:800]
    assert BiasAssessment.objects.count() == 0 and Risk.objects.count() == 0
    assert not private_media.exists() or not any(private_media.rglob("*.*"))


def test_too_many_rows_are_refused(owner, system, csv_file, monkeypatch):
    from lifecycle import fairness

    monkeypatch.setattr(fairness, "MAX_ROWS", 10)
    response = upload(client_for(owner), csv_file(HEADER + group_rows("F", 3, 3, 3, 3)), system, owner)
    assert response.status_code == 400 and "more than 10 rows" in response.content.decode()
    assert BiasAssessment.objects.count() == 0


def test_a_bad_file_on_edit_keeps_the_measured_one(owner, system, csv_file):
    client = client_for(owner)
    upload(client, csv_file(PASSING), system, owner)
    assessment = BiasAssessment.objects.get()
    with open(csv_file("y_true,gender\n1,F\n", "bad.csv"), "rb") as handle:
        response = client.post(
            f"/bias/{assessment.reference}/edit/", {**form_data_for(assessment), "file": handle}
        )
    assert response.status_code == 400 and "Missing column: y_pred" in response.content.decode()
    fresh = BiasAssessment.objects.get()
    assert (fresh.version, fresh.file_name, fresh.results) == (
        assessment.version,
        "predictions.csv",
        assessment.results,
    )


def test_the_service_measures_what_the_api_or_a_script_sends(owner, system, tmp_path):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError, match="Missing column"):
        bias.services.create(
            actor=owner,
            fields={"title": "x", "system": system, "file": SimpleUploadedFile("a.csv", b"a,b\n1,2\n")},
        )
    assert BiasAssessment.objects.count() == 0


def test_the_file_is_downloaded_only_by_those_who_see_the_record(owner, auditor, outsider, system, csv_file):
    upload(client_for(owner), csv_file(PASSING), system, owner)
    assessment = BiasAssessment.objects.get()
    response = client_for(auditor).get(f"/bias/{assessment.reference}/file/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PASSING.encode()
    assert 'attachment; filename="predictions.csv"' in response["Content-Disposition"]
    assert client_for(outsider).get(f"/bias/{assessment.reference}/file/").status_code == 404


# -- the checklist -----------------------------------------------------------------------------------------
def test_checklist_answers_are_saved_from_the_form_and_shown(owner, auditor, system):
    data = new_form(system, owner, check_representativeness="yes", note_representativeness="Census-weighted.",
                    check_proxies="partly", check_monitoring="no")  # fmt: skip
    response = client_for(owner).post("/bias/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assessment = BiasAssessment.objects.get()
    assert assessment.checklist == {
        "representativeness": {"answer": "yes", "note": "Census-weighted."},
        "proxies": {"answer": "partly", "note": ""},
        "monitoring": {"answer": "no", "note": ""},
    }
    assert assessment.passed is None
    page = client_for(auditor).get(f"/bias/{assessment.reference}/").content.decode()
    assert "1 yes · 1 partly · 1 no · 9 not answered" in page and "Census-weighted." in page
    assert "Nothing measured yet." in page
    assert len(CHECKLIST) == 12


def test_api_checklist_is_validated(owner, system):
    client = client_for(owner)
    bad = client.post("/api/v1/bias/", {"title": "x", "system": system.reference, "checklist": {"proxies": "maybe"}},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and "answer yes, partly or no" in bad.content.decode()
    unknown = client.post("/api/v1/bias/", {"title": "x", "system": system.reference, "checklist": {"vibes": "yes"}},
                          content_type="application/json")  # fmt: skip
    assert unknown.status_code == 400 and "not a checklist item" in unknown.content.decode()
    good = client.post("/api/v1/bias/", {"title": "x", "system": system.reference, "checklist": {"proxies": "yes"}},
                       content_type="application/json")  # fmt: skip
    assert good.status_code == 201 and good.json()["checklist"] == {"proxies": {"answer": "yes", "note": ""}}
    assert good.json()["passed"] is None and "results" in good.json()


def test_result_filter(owner, system, csv_file, auditor):
    upload(client_for(owner), csv_file(FAILING), system, owner)
    failed = BiasAssessment.objects.get()
    page = client_for(auditor).get("/bias/?result=failed").content.decode()
    assert failed.reference in page
    assert failed.reference not in client_for(auditor).get("/bias/?result=passed").content.decode()


def test_catalogue_has_the_controls_the_risk_links_to(db):
    assert Requirement.objects.filter(code__in=("A.6.2.4", "A.7.4"), kind="control").count() == 2
