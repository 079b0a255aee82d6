"""The fairness check's uploads (issue 12, points 4 and 6): a bounded number of groups, flat memory, and
a clear message -- never a 500 -- for a CSV the reader cannot parse."""

import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aims import records
from lifecycle import fairness
from lifecycle.models import AISystem, BiasAssessment
from tests.base import client_for
from tests.lifecycle.test_bias import new_form

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def system(other_owner):
    return records.create_record(
        AISystem,
        actor=other_owner,
        fields={"title": "CV screening (hiring)", "purpose": "Ranks job applications.", "kind": "ml",
                "automation": "advisory", "owner": other_owner},
    )  # fmt: skip


def post(client, system, owner, content: bytes, name: str = "predictions.csv"):
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post("/bias/new/", new_form(system, owner, file=upload))


def test_a_field_longer_than_the_csv_limit_is_a_clear_message_not_a_500(owner, system):
    content = b"y_true,y_pred,gender\n1,1,F\n0,0,M\n1,0," + b"x" * 140_000 + b"\n"
    response = post(client_for(owner), system, owner, content)
    assert response.status_code == 400
    assert (
        "Line 4 cannot be read: a value is longer than 131,072 characters. Each value is a label (0 or 1) "
        "or a group&#x27;s name." in response.content.decode()
    )
    assert not BiasAssessment.objects.exists()


def test_a_column_of_too_many_groups_is_refused_by_name_and_line(owner, system):
    """The probe's 237 KB file of 10,000 groups took 159 s and made a 10.7 MB page."""
    rows = "".join(f"{i % 2},{(i // 2) % 2},person-{i}\n" for i in range(10_000))
    response = post(client_for(owner), system, owner, ("y_true,y_pred,gender\n" + rows).encode())
    assert response.status_code == 400 and len(response.content) < 100_000
    assert (
        f"Line {fairness.MAX_GROUPS + 2}: column gender has more than {fairness.MAX_GROUPS} groups"
        in response.content.decode()
    )
    assert not BiasAssessment.objects.exists()


def test_a_combination_of_too_many_groups_is_left_out_with_a_note(owner, system):
    rows = "".join(
        f"{actual},{predicted},g{a},b{b}\n"
        for a in range(12) for b in range(12) for actual in (0, 1) for predicted in (0, 1)
    )  # fmt: skip
    response = post(client_for(owner), system, owner, ("y_true,y_pred,gender,band\n" + rows).encode())
    assert response.status_code == 302, response.content.decode()[:2000]
    assessment = BiasAssessment.objects.get()
    assert [a["attribute"] for a in assessment.results["analyses"]] == ["gender", "band"]
    note = "The combination of gender and band is not shown: it makes more than 100 groups"
    assert assessment.results["note"].startswith(note)
    assert note in client_for(owner).get(f"/bias/{assessment.reference}/").content.decode()


def test_measuring_keeps_flat_memory_however_many_rows(owner):
    def csv_of(rows: int) -> SimpleUploadedFile:
        body = "".join(f"{i % 2},{(i // 3) % 2},{'FM'[(i // 2) % 2]}\n" for i in range(rows))
        return SimpleUploadedFile("p.csv", ("y_true,y_pred,gender\n" + body).encode())

    def peak(upload) -> tuple[int, dict]:
        tracemalloc.start()
        try:
            results = fairness.measure(upload, "gender", 1)
            return tracemalloc.get_traced_memory()[1], results
        finally:
            tracemalloc.stop()

    small_peak, _ = peak(csv_of(1_000))
    large_peak, results = peak(csv_of(100_000))
    assert results["rows"] == 100_000
    assert large_peak < small_peak + 500_000  # the counts grow, not the memory: no list of rows
