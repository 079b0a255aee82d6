"""Read side of the evidence library, for the pages here and for the evidence-pack builder and the
readiness check: which evidence serves which requirements and records, as a given person may see it.

"Evidence once attached serves every mapped requirement": evidence mapped to a requirement also serves
every requirement linked to it by a Crosswalk row (either direction, one step), e.g. ISO/IEC 27001 7.5
evidence counts for ISO/IEC 42001 7.5. Each answer says whether it serves directly or "via" which.

Audit results are read here too: the management review (9.3.2 d 3) takes them as plain JSON-able data."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils import timezone

from aims.models import Crosswalk, Requirement

from .models import NOT_CONFORMING, Audit, Evidence, EvidenceFile, EvidenceLink, Finding, Result


@dataclass
class ServedEvidence:
    """One piece of evidence and what it serves among what was asked."""

    evidence: Evidence
    # The file current at `as_of` (the newest without it); None for a link.
    file: EvidenceFile | None
    # (asked requirement, None when mapped to it directly, else the crosswalked requirement it is mapped to)
    serves: list[tuple[Requirement, Requirement | None]] = field(default_factory=list)
    # The asked records it is attached to.
    records: list = field(default_factory=list)

    @property
    def is_current(self) -> bool:
        return self.evidence.is_current()


def crosswalk_partners(requirement_ids) -> dict[int, set[int]]:
    """{requirement id: ids of the requirements a Crosswalk row links it to, either direction}."""
    ids = set(requirement_ids)
    partners: dict[int, set[int]] = defaultdict(set)
    rows = Crosswalk.objects.filter(Q(source_id__in=ids) | Q(target_id__in=ids)).values_list(
        "source_id", "target_id"
    )
    for source, target in rows:
        if source in ids:
            partners[source].add(target)
        if target in ids:
            partners[target].add(source)
    return partners


def _moment(as_of) -> dt.datetime | None:
    """A date means the end of that day (local time): what was uploaded that day counts."""
    if as_of is None or isinstance(as_of, dt.datetime):
        return as_of
    return timezone.make_aware(dt.datetime.combine(as_of, dt.time.max))


def _records_q(records) -> Q:
    by_model = defaultdict(list)
    for record in records:
        by_model[type(record)].append(record.pk)
    condition = Q(pk__in=[])
    for model, pks in by_model.items():
        content_type = ContentType.objects.get_for_model(model)
        condition |= Q(content_type=content_type, object_id__in=pks)
    return condition


def evidence_for(*, requirements=(), records=(), user, as_of=None, current_only: bool = True):
    """Evidence that serves any of `requirements` (mapped to one directly, or to a requirement a
    Crosswalk links to one) or is attached to any of `records`, that `user` may see, newest first.

    `as_of` (a date or datetime) answers for that moment: evidence created after it is left out, each
    piece comes with the file that was current then (EvidenceFile.uploaded_at), a file-kind piece
    with no file yet is left out, and validity is judged on that date. `current_only=False` keeps
    expired evidence too (to flag it). Archived evidence is never served.

    Returns a list of ServedEvidence. A fixed number of queries, whatever the number of rows."""
    moment = _moment(as_of)
    on = timezone.localdate(moment) if moment else timezone.localdate()
    asked = {r.pk: r for r in requirements}
    partners = crosswalk_partners(asked) if asked else {}
    reachable = set(asked) | {p for ps in partners.values() for p in ps}
    records = list(records)

    match = Q(pk__in=[])
    if reachable:
        match |= Q(requirements__in=reachable)
    if records:
        match |= Q(pk__in=EvidenceLink.objects.filter(_records_q(records)).values("evidence_id"))
    queryset = Evidence.objects.restrict(user, "view").live().filter(match)
    if current_only:
        queryset = queryset.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    if moment is not None:
        queryset = queryset.filter(created_at__lte=moment)
    found = list(
        queryset.distinct().select_related("owner").prefetch_related("requirements").order_by("title", "pk")
    )
    if not found:
        return []

    files = EvidenceFile.objects.filter(evidence__in=found)
    if moment is not None:
        files = files.filter(uploaded_at__lte=moment)
    current_file = {}
    for stored in files.order_by("evidence_id", "number"):
        current_file[stored.evidence_id] = stored  # the last one wins: the newest at that moment

    linked = defaultdict(list)
    if records:
        by_key = {(ContentType.objects.get_for_model(type(r)).pk, r.pk): r for r in records}
        for evidence_id, ct, pk in (
            EvidenceLink.objects.filter(evidence__in=found)
            .filter(_records_q(records))
            .values_list("evidence_id", "content_type_id", "object_id")
        ):
            linked[evidence_id].append(by_key[(ct, pk)])

    other = Requirement.objects.select_related("standard").in_bulk(
        {p for ps in partners.values() for p in ps}
    )
    served = []
    for evidence in found:
        if evidence.kind == Evidence.Kind.FILE and evidence.pk not in current_file:
            continue  # no file yet at that moment
        mapped = {r.pk for r in evidence.requirements.all()}
        serves = []
        for pk, requirement in asked.items():
            if pk in mapped:
                serves.append((requirement, None))
            else:
                serves.extend((requirement, other[p]) for p in sorted(partners.get(pk, ()) & mapped))
        served.append(
            ServedEvidence(
                evidence=evidence,
                file=current_file.get(evidence.pk),
                serves=serves,
                records=linked.get(evidence.pk, []),
            )
        )
    return served


def evidence_linked_to(record, user):
    """The links of `record` to evidence `user` may see, evidence and owner fetched (one query)."""
    content_type = ContentType.objects.get_for_model(type(record))
    return (
        EvidenceLink.objects.filter(
            content_type=content_type,
            object_id=record.pk,
            evidence__in=Evidence.objects.restrict(user, "view"),
        )
        .select_related("evidence", "evidence__owner", "linked_by")
        .order_by("evidence__title", "evidence_id")
    )


# -- Audit results ---------------------------------------------------------------------------------

DONE = (Audit.Status.REPORTED, Audit.Status.CLOSED)


def audit_results(since: dt.date, until: dt.date) -> dict:
    """Audits completed (reported or closed) that ended between `since` and `until` inclusive, their
    findings per grade, and the findings still open or awaiting closure. Three queries."""
    audits = list(
        Audit.objects.live()
        .filter(status__in=DONE, ends_on__gte=since, ends_on__lte=until)
        .order_by("ends_on", "reference")
        .values("pk", "reference", "title", "ends_on", "status")
    )
    ids = [a["pk"] for a in audits]
    findings = Finding.objects.live().filter(audit_id__in=ids)
    per_grade = dict(findings.order_by().values_list("grade").annotate(n=Count("pk")))
    open_ = list(
        findings.exclude(status=Finding.Status.CLOSED)
        .order_by("reference")
        .values("reference", "title", "grade", "status", "owner__username", "audit__reference")
    )
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "audits_completed": len(audits),
        "audits": [
            {
                "reference": a["reference"],
                "title": a["title"],
                "ended_on": a["ends_on"].isoformat(),
                "status": a["status"],
            }
            for a in audits
        ],  # fmt: skip
        "findings_per_grade": {grade: per_grade.get(grade, 0) for grade in NOT_CONFORMING},
        "grade_labels": {grade: Result(grade).label for grade in NOT_CONFORMING},
        "open_findings": [
            {
                "reference": f["reference"],
                "title": f["title"],
                "grade": f["grade"],
                "status": f["status"],
                "auditee": f["owner__username"],
                "audit": f["audit__reference"],
            }
            for f in open_
        ],  # fmt: skip
        "open_findings_count": len(open_),
    }


def nonconformities_open(queryset=None):
    """Findings graded as a nonconformity and not closed: what the Act registers follow up (10.2)."""
    queryset = queryset if queryset is not None else Finding.objects.live()
    return queryset.filter(Q(grade=Result.MINOR) | Q(grade=Result.MAJOR)).exclude(
        status=Finding.Status.CLOSED
    )
