"""Which current evidence serves a requirement or a record, for pages of earlier layers that may not import
the evidence library (the Statement of Applicability shows the evidence serving each control): plugged
into the core as registry.evidence_serving.

The same rule as the requirement page's evidence section (audits.selectors.evidence_for): evidence serves
a requirement it is mapped to, or one a crosswalk links to it, and the records it is attached to. What
counts is every current piece, whoever asks, so a judgement built on it (a control's readiness) does not
change with the viewer; `user` only marks which pieces that person may see. One query."""

import datetime as dt
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.models import Crosswalk
from aims.registry import EvidenceRef
from aims.together import together

from .models import Evidence, EvidenceLink
from .selectors import _records_q


def evidence_serving(targets: dict, *, today: dt.date | None = None, user=None) -> dict:
    """targets: {key: (requirement id or None, record or None)} -> {key: [EvidenceRef]}, by title."""
    today = today or timezone.localdate()
    requirement_ids = {r for r, _ in targets.values() if r}
    records = [record for _, record in targets.values() if record is not None]
    # Every read is a subquery of what the targets name, so the five go in one query (aims.together).
    partners = Crosswalk.objects.filter(Q(source_id__in=requirement_ids) | Q(target_id__in=requirement_ids))
    reached = (  # a requirement the targets name, or one a crosswalk links to one of them
        Q(requirement_id__in=requirement_ids)
        | Q(requirement_id__in=partners.values("target_id"))
        | Q(requirement_id__in=partners.values("source_id"))
    )
    links = EvidenceLink.objects.filter(_records_q(records)) if records else EvidenceLink.objects.none()
    current = Evidence.objects.current(today)
    serving = current.filter(
        Q(pk__in=Evidence.requirements.through.objects.filter(reached).values("evidence_id"))
        | Q(pk__in=links.values("evidence_id"))
    )
    crosswalks, attached_rows, rows, mapped_rows, visible_rows = together(
        partners.values_list("source_id", "target_id"),
        links.values_list("evidence_id", "content_type_id", "object_id"),
        serving.values("pk", "reference", "title"),
        Evidence.requirements.through.objects.filter(
            reached, evidence_id__in=serving.values("pk")
        ).values_list("evidence_id", "requirement_id"),
        (
            Evidence.objects.restrict(user, "view").filter(pk__in=serving.values("pk"))
            if user is not None
            else serving
        ).values_list("pk", flat=True),
    )
    partners = defaultdict(set)  # requirement id -> the requirements a crosswalk links it to, either way
    for source, target in crosswalks:
        if source in requirement_ids:
            partners[source].add(target)
        if target in requirement_ids:
            partners[target].add(source)
    attached: dict[tuple, set[int]] = defaultdict(set)  # (content type id, record pk) -> evidence ids
    for evidence_id, content_type_id, object_id in attached_rows:
        attached[(content_type_id, object_id)].add(evidence_id)
    found = {row["pk"]: row for row in rows}
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
                url=reverse("evidence-detail", args=[r["reference"]]),
                visible=r["pk"] in visible,
            )
            for r in rows
        ]
    return answer
