"""Which current evidence serves a requirement or a record, for pages of earlier layers that may not import
the evidence library (the Statement of Applicability shows the evidence serving each control): plugged
into the core as registry.evidence_serving.

The same rule as the requirement page's evidence section (audits.selectors.evidence_for): evidence serves
a requirement it is mapped to, or one a crosswalk links to it, and the records it is attached to. What
counts is every current piece, whoever asks, so a judgement built on it (a control's readiness) does not
change with the viewer; `user` only marks which pieces that person may see. Five queries at most."""

import datetime as dt
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.registry import EvidenceRef

from .models import Evidence, EvidenceLink
from .selectors import crosswalk_partners


def evidence_serving(targets: dict, *, today: dt.date | None = None, user=None) -> dict:
    """targets: {key: (requirement id or None, record or None)} -> {key: [EvidenceRef]}, by title."""
    today = today or timezone.localdate()
    requirement_ids = {r for r, _ in targets.values() if r}
    records = [record for _, record in targets.values() if record is not None]
    partners = crosswalk_partners(requirement_ids) if requirement_ids else {}
    reachable = requirement_ids | {p for ps in partners.values() for p in ps}

    attached: dict[tuple, set[int]] = defaultdict(set)  # (content type id, record pk) -> evidence ids
    if records:
        by_model = defaultdict(list)
        for record in records:
            by_model[type(record)].append(record.pk)
        condition = Q(pk__in=[])
        for model, pks in by_model.items():
            condition |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=pks)
        for evidence_id, content_type_id, object_id in EvidenceLink.objects.filter(condition).values_list(
            "evidence_id", "content_type_id", "object_id"
        ):
            attached[(content_type_id, object_id)].add(evidence_id)
    linked = {e for ids in attached.values() for e in ids}
    if not reachable and not linked:
        return {key: [] for key in targets}

    found = {
        row["pk"]: row
        for row in Evidence.objects.current(today)
        .filter(Q(requirements__in=reachable) | Q(pk__in=linked))
        .distinct()
        .values("pk", "reference", "title")
    }
    mapped: dict[int, set[int]] = defaultdict(set)  # requirement id -> evidence ids mapped to it
    for evidence_id, requirement_id in Evidence.requirements.through.objects.filter(
        evidence_id__in=list(found), requirement_id__in=reachable
    ).values_list("evidence_id", "requirement_id"):
        mapped[requirement_id].add(evidence_id)
    visible = (
        set(Evidence.objects.restrict(user, "view").filter(pk__in=list(found)).values_list("pk", flat=True))
        if user is not None
        else set(found)
    )

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
