"""Write services of the evidence library (ISO/IEC 42001 7.5.2, 7.5.3; the evidence 9.2 audits sample).

Every upload is validated, hashed and kept: the newest file is on Evidence.file and each one, the first
included, is an EvidenceFile row numbered 1, 2, ..., so an evidence pack "as of" a date and an auditor
can still download the file that was current then. Attaching evidence to a record, and taking it off,
is written in the evidence's history."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max

from aims import permissions
from aims.files import stored_file_fields
from aims.models import Notification
from aims.policies import policy_of
from aims.records import Action, update_record
from aims.services import RecordServices

from .models import Evidence, EvidenceFile, EvidenceLink
from .models.evidence import EXPIRING_WITHIN_DAYS
from .policies import refuse

FIELDS = [
    "title", "kind", "nature", "description", "file", "url", "valid_until", "confidentiality", "origin",
    "owner", "review_cadence", "next_review_on",
]  # fmt: skip
FILE = ("file", "file_name", "file_sha256")  # the file, its original name, its SHA-256


class EvidenceServices(RecordServices):
    """The shared services, plus the file's name, hash and size on the way in and a numbered
    EvidenceFile row for every upload (the version history of the file)."""

    def derive(self, fields: dict, record) -> dict:
        upload = fields.get("file")
        fields = stored_file_fields(fields, *FILE)
        if isinstance(upload, UploadedFile):
            fields["file_size"] = upload.size
        elif "file" in fields:  # cleared
            fields["file_size"] = None
        return fields

    @transaction.atomic
    def create(self, *, actor, fields: dict, requirements=None, action: str = Action.CREATED):
        upload = fields.get("file")
        evidence = super().create(actor=actor, fields=fields, requirements=requirements, action=action)
        if isinstance(upload, UploadedFile):
            _keep_file_version(evidence, actor)
        return evidence

    @transaction.atomic
    def update(self, record, *, actor, expected_version: int, fields: dict, requirements=None, prepare=None):
        upload = fields.get("file")

        def note(evidence) -> str:
            """The replaced file stays downloadable; the history says which version this edit brought."""
            if not isinstance(upload, UploadedFile):
                return ""
            kept = _keep_file_version(evidence, actor)
            return f"File version {kept.number} uploaded: {kept.file_name}"

        return super().update(
            record,
            actor=actor,
            expected_version=expected_version,
            fields=fields,
            requirements=requirements,
            prepare=prepare,
            note=note,
        )


def _keep_file_version(evidence: Evidence, actor) -> EvidenceFile:
    """The file just stored on `evidence`, as the next numbered version (rows locked: two uploads at
    the same moment cannot take the same number)."""
    list(Evidence.objects.select_for_update().filter(pk=evidence.pk).values_list("pk"))
    last = evidence.files.aggregate(n=Max("number"))["n"] or 0
    return EvidenceFile.objects.create(
        evidence=evidence,
        number=last + 1,
        file=evidence.file.name,  # the same stored file: nothing is copied
        file_name=evidence.file_name,
        sha256=evidence.file_sha256,
        size=evidence.file_size or 0,
        uploaded_by=actor,
    )


services = EvidenceServices(Evidence, [*FIELDS, "file_name", "file_sha256", "file_size"])


# -- links to records of any register -------------------------------------------------------------


def _describe(record) -> str:
    return f"{record._meta.verbose_name} {record.reference} {record.title}"[:300]


@transaction.atomic
def evidence_attach(evidence: Evidence, record, *, actor) -> EvidenceLink:
    """Attach `evidence` to `record` (a risk, an AI system, a finding ...). Whoever may change the record
    and see the evidence may attach it. The evidence's history says who attached it where; the record's
    version does not move, so nobody's open form of the record goes stale."""
    refuse(policy_of(evidence).attach_refusal(actor, evidence, record))
    if evidence.is_archived:
        raise ValidationError(
            {"evidence": f"{evidence.reference} is archived; restore it before attaching it."}
        )
    if getattr(record, "is_archived", False):
        raise ValidationError(f"{record.reference} is archived; restore it before attaching evidence.")
    content_type = ContentType.objects.get_for_model(type(record))
    if EvidenceLink.objects.filter(
        evidence=evidence, content_type=content_type, object_id=record.pk
    ).exists():
        raise ValidationError(
            {"evidence": f"{evidence.reference} is already attached to {record.reference}."}
        )
    link = EvidenceLink.objects.create(
        evidence=evidence, content_type=content_type, object_id=record.pk, linked_by=actor
    )
    _note_link(evidence, record, actor=actor, attached=True)
    return link


@transaction.atomic
def evidence_detach(link: EvidenceLink, *, actor) -> None:
    """Take evidence off a record: whoever may change the record or the evidence."""
    record, evidence = link.record, link.evidence
    refuse(policy_of(evidence).detach_refusal(actor, evidence, record))
    link.delete()
    _note_link(evidence, record, actor=actor, attached=False)


def _note_link(evidence, record, *, actor, attached: bool):
    what = _describe(record)
    current = Evidence.objects.only("version").get(pk=evidence.pk).version
    update_record(
        evidence,
        actor=actor,
        expected_version=current,
        fields={},
        extra_changes=[
            {
                "field": "links",
                "label": "Linked records",
                "old": "" if attached else what,
                "new": what if attached else "",
            }
        ],  # fmt: skip
        note=f"{'Attached to' if attached else 'Detached from'} {record.reference}",
    )


@transaction.atomic
def evidence_create_for(record, *, actor, fields: dict, requirements=None) -> Evidence:
    """Upload new evidence for `record` and attach it in one step; it serves the record's clauses and
    controls unless others are given."""
    permissions.require(actor, "change", record)
    if requirements is None:
        requirements = list(record.requirements.all())
    evidence = services.create(actor=actor, fields=fields, requirements=requirements)
    evidence_attach(evidence, record, actor=actor)
    return Evidence.objects.get(pk=evidence.pk)


# -- reminders --------------------------------------------------------------------------------------


def expiry_reminders(today: dt.date):
    """Evidence lapsing within EXPIRING_WITHIN_DAYS reminds its owner once, and once more when it has
    lapsed (the key names the valid-until date and the phase; a renewed date starts a new period)."""
    soon = today + dt.timedelta(days=EXPIRING_WITHIN_DAYS)
    lapsing = (
        Evidence.objects.live()
        .filter(valid_until__isnull=False, valid_until__lte=soon, owner__is_active=True)
        .select_related("owner")
        .only("pk", "reference", "title", "valid_until", "owner")
    )
    for evidence in lapsing.iterator(chunk_size=2000):
        when = evidence.valid_until
        expired = when < today
        phase = "expired" if expired else "expiring"
        state = f"expired on {when:%Y-%m-%d}" if expired else f"expires on {when:%Y-%m-%d}"
        yield (
            evidence.owner,
            Notification.Kind.REVIEW_DUE,
            f"evidence-{phase}:{evidence.pk}:{when.isoformat()}",
            f"Evidence {evidence.reference} {evidence.title} {state}: renew it or replace it, or it stops "
            "counting for the requirements it serves.",
            evidence.get_absolute_url(),
        )
