"""A real Celery worker over Redis builds an evidence pack end to end, reporting progress on the way."""

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from audits.pack.build import start_pack
from audits.pack.scope import Scope
from audits.pack.verify import verify_pack
from tests.aims.test_worker import worker  # noqa: F401  the in-process worker fixture
from tests.audits.pack_helpers import make_evidence, names

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("worker")]


def test_a_worker_builds_a_whole_aims_pack_with_progress(owner, auditor):
    make_evidence(owner, ["6.1.2"], b"minutes\n", "minutes.txt")
    pack = start_pack(user=auditor, scope=Scope(whole=True), as_of=None, title="Whole AIMS")

    seen, deadline = set(), time.monotonic() + 120
    while time.monotonic() < deadline:
        pack.job.refresh_from_db()
        seen.add(pack.job.progress)
        if pack.job.is_finished:
            break
        time.sleep(0.05)

    job = pack.job
    assert job.status == "done", job.error
    assert job.progress == 100 and any(0 < p < 100 for p in seen), seen
    pack.refresh_from_db()
    assert pack.finished_at <= timezone.now() and pack.size > 0 and len(pack.sha256) == 64
    assert pack.file_count > 70 and pack.manifest_sha256
    path = Path(settings.PRIVATE_MEDIA_ROOT) / job.result_path
    assert verify_pack(path).ok
    assert "clauses/6.1.2 AI risk assessment/evidence/EVD-0001 minutes.txt" in names(path)
    assert not list(path.parent.glob(".*.part")), "no half-written file is left behind"
