"""Each evidence pack's signed manifest records the root of the sealed history at its export, and
`manage.py verify_history --pack` checks the history against it (issue 15, part 5)."""

import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from aims import history_chain
from aims.models import Change
from registers.services import risk_update
from tests.audits.pack_helpers import build, read_json


def check(path) -> str:
    out = StringIO()
    call_command("verify_history", "--pack", str(path), stdout=out)
    return out.getvalue()


@pytest.fixture
def exported(make_risk, owner, auditor, tmp_path):
    make_risk(title="Scores drift for thin-file applicants")
    path, _ = build(auditor, {"requirements": ["iso42001:6.1.2"]}, tmp_path=tmp_path)
    return path


def test_the_manifest_records_the_root_of_the_history_at_export(exported):
    recorded = read_json(exported, "manifest.json")["pack"]["history"]
    assert recorded == history_chain.root(Change)
    assert recorded["chains"] >= 1 and len(recorded["root"]) == 64


def test_history_written_after_the_export_leaves_the_pack_verifiable(exported, owner):
    from registers.models import Risk

    risk = Risk.objects.get()
    risk_update(
        risk, actor=owner, fields={"title": "Renamed after the export"}, expected_version=risk.version
    )
    assert "is as exported" in check(exported)


def test_history_rewritten_since_the_export_fails_against_the_pack(exported):
    """Even sealed again by someone holding the key, so that the walk alone finds nothing."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE aims_change SET note = 'rewritten' WHERE id = (SELECT min(id) FROM aims_change)"
        )
    importlib.import_module("aims.migrations.0014_history_chain").seal_existing(
        apps, SimpleNamespace(connection=connection)
    )
    out = StringIO()
    with pytest.raises(CommandError, match="1 problem found"):
        call_command("verify_history", "--pack", str(exported), stdout=out)
    assert "is not what the pack recorded at its export" in out.getvalue()
    assert "it was rewritten since" in out.getvalue()


def test_a_file_that_is_no_pack_is_refused_with_the_reason(db, tmp_path):
    other = tmp_path / "notes.json"
    other.write_text('{"pack": {}}')
    with pytest.raises(CommandError, match="no manifest.json with a pack.history"):
        check(other)
    garbled = tmp_path / "garbled.json"
    garbled.write_text("not json")
    with pytest.raises(CommandError, match="not one an AIMS pack writes"):
        check(garbled)
    with pytest.raises(CommandError, match="cannot be read"):
        check(tmp_path / "missing.zip")
