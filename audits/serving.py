"""Which current evidence serves a requirement or a record, for pages of earlier layers that may not import
the evidence library (the Statement of Applicability shows the evidence serving each control): plugged
into the core as registry.evidence_serving.

The same rule as the requirement page's evidence section (audits.selectors.evidence_for): evidence serves
a requirement it is mapped to, or one a crosswalk links to it, and the records it is attached to. What
counts is every current piece, whoever asks, so a judgement built on it (a control's readiness) does not
change with the viewer; `user` only marks which pieces that person may see. One query, or none of its
own: a page may ask the reads (evidence_reads) in its own round trip."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from aims.models import Crosswalk
from aims.models.records import detail_url
from aims.permissions import sees_all
from aims.registry import EvidenceRef
from aims.together import compiled, together

from .models import Evidence, EvidenceLink
from .selectors import _records_q


def evidence_serving(targets: dict, *, today: dt.date | None = None, user=None) -> dict:
    """targets: {key: (requirement id or None, record or None)} -> {key: [EvidenceRef]}, by title."""
    requirement_ids = {r for r, _ in targets.values() if r}
    records = [record for _, record in targets.values() if record is not None]
    reads = evidence_reads(requirement_ids, records, today=today, user=user)
    return reads.answer(together(*reads.querysets), targets)


@dataclass(frozen=True)
class EvidenceReads:
    """What evidence_serving reads, for a page to ask with its own reads in one round trip
    (registry.evidence_reads): `querysets`, then `answer(rows, targets)` with their rows."""

    querysets: list

    def answer(self, rows, targets: dict) -> dict:
        """{key: [EvidenceRef]}, by title, for targets named within what was read."""
        crosswalks, attached_rows, found_rows, mapped_rows, visible_rows = rows
        requirement_ids = {r for r, _ in targets.values() if r}
        partners = defaultdict(set)  # requirement id -> the requirements a crosswalk links it to, either way
        for source, target in crosswalks:
            if source in requirement_ids:
                partners[source].add(target)
            if target in requirement_ids:
                partners[target].add(source)
        attached: dict[tuple, set[int]] = defaultdict(set)  # (content type id, record pk) -> evidence ids
        for evidence_id, content_type_id, object_id in attached_rows:
            attached[(content_type_id, object_id)].add(evidence_id)
        found = {row["pk"]: row for row in found_rows}
        mapped: dict[int, set[int]] = defaultdict(set)  # requirement id -> evidence ids mapped to it
        for evidence_id, requirement_id in mapped_rows:
            mapped[requirement_id].add(evidence_id)
        visible = set(visible_rows)

        answer = {}
        for key, (requirement_id, record) in targets.items():
            ids = set()
            if requirement_id:
                for served in {requirement_id} | partners.get(requirement_id, set()):
                    ids |= mapped.get(served, set())
            if record is not None:
                content_type = ContentType.objects.get_for_model(type(record))
                ids |= attached.get((content_type.pk, record.pk), set())
            rows = sorted((found[i] for i in ids if i in found), key=lambda r: (r["title"], r["pk"]))
            answer[key] = [
                EvidenceRef(
                    pk=r["pk"],
                    reference=r["reference"],
                    title=r["title"],
                    url=detail_url("evidence-detail", r["reference"]),
                    visible=r["pk"] in visible,
                )
                for r in rows
            ]
        return answer


def evidence_reads(
    requirements, records, *, today: dt.date | None = None, user=None, key=None
) -> EvidenceReads:
    """The reads of evidence_serving for `requirements` (their ids, or a queryset of them) and `records`
    (a list, or a queryset of one register's records): every read is a subquery of what they name, so
    they are asked in one query (aims.together), with a page's own reads if it likes. `key`: the two are
    querysets whose SQL depends on nothing else, so the reads' SQL is built once a day per process when
    the person sees every piece (for anyone else it names them, and is built for them)."""
    today = today or timezone.localdate()
    person = None if user is None or sees_all(user, Evidence) else user  # None: they see every piece
    if key is None:
        reads = _reads(requirements, records, today)
        return EvidenceReads([*reads, _visible(reads[2], person)])
    # The records' content type is a number in the SQL: it is part of the key.
    kind = ContentType.objects.get_for_model(records.model).pk if isinstance(records, QuerySet) else None
    reads = compiled(("evidence_reads", key, kind, today), partial(_reads, requirements, records, today))
    serving = reads[2].queryset
    if person is None:
        visible = compiled(("evidence_reads", key, kind, today, "visible"), partial(_visible, serving, None))
    else:  # which pieces they may see is in the SQL: built for them, each time
        visible = _visible(serving, person)
    return EvidenceReads([*reads, visible])


def _visible(serving, user):
    """Which of the pieces serving the targets `user` may see (None: every one)."""
    if user is not None:
        serving = Evidence.objects.restrict(user, "view").filter(pk__in=serving.values("pk"))
    return serving.values_list("pk", flat=True)


def _reads(requirements, records, today) -> list:
    if isinstance(requirements, QuerySet):
        requirements = requirements.values("pk")
    partners = Crosswalk.objects.filter(Q(source_id__in=requirements) | Q(target_id__in=requirements))
    reached = (  # a requirement the targets name, or one a crosswalk links to one of them
        Q(requirement_id__in=requirements)
        | Q(requirement_id__in=partners.values("target_id"))
        | Q(requirement_id__in=partners.values("source_id"))
    )
    if isinstance(records, QuerySet):
        content_type = ContentType.objects.get_for_model(records.model)
        links = EvidenceLink.objects.filter(content_type=content_type, object_id__in=records.values("pk"))
    else:
        links = EvidenceLink.objects.filter(_records_q(records)) if records else EvidenceLink.objects.none()
    current = Evidence.objects.current(today)
    serving = current.filter(
        Q(pk__in=Evidence.requirements.through.objects.filter(reached).values("evidence_id"))
        | Q(pk__in=links.values("evidence_id"))
    )
    return [
        partners.values_list("source_id", "target_id"),
        links.values_list("evidence_id", "content_type_id", "object_id"),
        serving.values("pk", "reference", "title"),
        Evidence.requirements.through.objects.filter(
            reached, evidence_id__in=serving.values("pk")
        ).values_list("evidence_id", "requirement_id"),
    ]
