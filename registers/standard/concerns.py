"""Concerns about AI systems (ISO/IEC 42001 A.3.3): anyone signed in raises one; the AIMS manager triages
it into a risk, an incident, or no action, and the person who raised it is told.

Withholding a name is a promise: when a concern is raised anonymously, nobody but the raiser may learn
who raised it -- not from the pages, the list, the export, the API or the history. So an anonymous
concern is created in the name of the AIMS manager who receives it (history actor and `created_by`),
with a history note saying it was raised anonymously; only `raised_by` (never shown to others, never in
history) keeps the link, so the raiser still sees their own concern and hears of its triage."""

import django_filters as filters
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework import serializers

from aims import permissions, roles
from aims.actions import Input, RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import RecordLinkField, RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.models import Notification, Requirement, User
from aims.policies import allows, policy_of, require
from aims.records import Action, create_record, update_record
from aims.register import Register
from aims.views.records import RecordDetailView
from registers.models import Concern, Risk, RiskCategory
from registers.services import risk_create

RAISER_FIELDS = ["title", "systems", "system_note", "description", "anonymous"]
# What the handling manager may change later. Not `anonymous`: a name once withheld stays withheld.
HANDLER_FIELDS = [
    "title", "systems", "system_note", "description", "owner", "review_cadence", "next_review_on",
]  # fmt: skip
Outcome = Concern.Outcome
ANONYMOUS_NOTE = "Raised anonymously: the name of the person who raised it is withheld."


def receiving_manager():
    """The AIMS manager who receives new concerns: the first active one by username."""
    return User.objects.filter(is_active=True, groups__name=roles.MANAGER).order_by("username").first()


# -- Services ----------------------------------------------------------------------------------------


class ConcernServices:
    """Raise, edit, archive and triage concerns; every view and the API go through these."""

    model = Concern

    @transaction.atomic
    def create(self, *, actor, fields: dict, requirements=None, action: str = Action.CREATED):
        """Anyone with a role raises a concern; it goes to the AIMS manager, or to the handler the AIMS
        manager names as they record it."""
        permissions.require_add(actor, Concern)
        data = {k: v for k, v in fields.items() if k in RAISER_FIELDS}
        _require_a_system(data)
        manager = receiving_manager()
        handler = fields.get("owner") if policy_of(Concern).names_handler(actor) else None
        if data.get("anonymous") and manager is None:
            # Without a manager the raiser would own it, and so be named on it.
            raise ValidationError(
                {"anonymous": "Nobody can receive an anonymous concern yet: there is no AIMS manager. "
                 "Raise it under your name, or ask for an AIMS manager to be appointed."}
            )  # fmt: skip
        data.update(raised_by=actor, owner=handler or manager or actor)
        in_the_name_of = manager if data.get("anonymous") else actor
        return create_record(
            Concern, actor=in_the_name_of, fields=data, requirements=requirements, action=action,
            note=ANONYMOUS_NOTE if data.get("anonymous") else "",
        )  # fmt: skip

    @transaction.atomic
    def update(self, record, *, actor, expected_version: int, fields: dict, requirements=None):
        require(policy_of(record), "edit", actor, record)  # who may change it, and not while archived
        data = {k: v for k, v in fields.items() if k in HANDLER_FIELDS}
        _require_a_system(data, record)
        return update_record(
            record, actor=actor, expected_version=expected_version, fields=data, requirements=requirements
        )

    def archive(self, record, *, actor, expected_version: int):
        from aims.records import archive_record

        permissions.require(actor, "archive", record)
        return archive_record(record, actor=actor, expected_version=expected_version)

    def restore(self, record, *, actor, expected_version: int):
        from aims.records import restore_record

        permissions.require(actor, "archive", record)
        return restore_record(record, actor=actor, expected_version=expected_version)

    def mark_reviewed(self, record, *, actor, expected_version: int):
        from aims.records import mark_reviewed

        permissions.require(actor, "change", record)
        return mark_reviewed(record, actor=actor, expected_version=expected_version)


services = ConcernServices()


def _require_a_system(fields: dict, record=None) -> None:
    """A concern is about an AI system: one chosen from the inventory, or one named in text."""
    systems = fields["systems"] if "systems" in fields else (record.systems.all() if record else [])
    note = fields.get("system_note", record.system_note if record else "")
    if not systems and not (note or "").strip():
        raise ValidationError(
            {"systems": "Choose the AI system it is about, or name it in 'AI system not in the list'."}
        )


def _draft_risk(concern, *, actor, reason: str) -> Risk:
    """A risk to assess, from the concern (6.1.2). What only an assessment can say is a placeholder. The
    risk is read by everyone and the concern only by its raiser, handler, the board and auditors, so the
    risk does not name the concern: the concern links to it, and the risk's page shows that link to
    those who may open the concern."""
    category = (
        RiskCategory.objects.filter(active=True, slug="accountability").first()
        or RiskCategory.objects.filter(active=True).first()
    )
    return risk_create(
        actor=actor,
        fields={
            "title": concern.title[:200],
            "systems": list(concern.systems.all()),
            "system_note": concern.system_note,
            "description": f"{concern.description}\n\nTriage: {reason}\n\nCategory, risk source, who "
            "it affects, scores and treatment are placeholders until the risk is assessed.",
            "category": category,
            "risk_source": Risk.RiskSource.choices[0][0],
            "inherent_likelihood": 3,
            "inherent_impact": 3,
            "residual_likelihood": 3,
            "residual_impact": 3,
            "affects_organisation": True,
            "treatment_plan": "To be planned once the risk is assessed.",
            "status": Risk.Status.IDENTIFIED,
            "owner": actor,
        },
        # Identified through concern reporting (A.3.3), to be assessed under 6.1.2.
        requirements=Requirement.objects.filter(standard__key="iso42001", code__in=["6.1.2", "A.3.3"]),
    )


def _incident(reference: str, actor):
    """The incident a concern became, by its reference, among those the manager may see."""
    reference = (reference or "").strip()
    if not reference:
        return None
    incidents = Concern._meta.get_field("incident").related_model.objects.restrict(actor, "view")
    found = incidents.filter(reference__iexact=reference).first()
    if found is None:
        raise ValidationError({"incident": f"No incident {reference!r} in the incident register."})
    return found


@transaction.atomic
def triage(record, *, actor, expected_version: int, outcome: str, reason: str, incident: str = ""):
    """The AIMS manager decides what the concern becomes (A.3.3); the raiser is notified."""
    policy = policy_of(record)
    require(policy, "triage", actor, record)  # who triages: a 403
    state = policy.triage_state(record)  # whether it still can be: a 400
    if state:
        raise ValidationError(state)
    choices = [o for o in Outcome.values if o != Outcome.PENDING]
    if outcome not in choices:
        raise ValidationError({"outcome": f"Choose one of: {', '.join(choices)}."})
    linked = _incident(incident, actor) if outcome == Outcome.INCIDENT else None
    risk = _draft_risk(record, actor=actor, reason=reason) if outcome == Outcome.RISK else None

    def decide(locked, before):
        locked.outcome = outcome
        locked.outcome_reason = reason
        locked.triaged_by = actor
        locked.triaged_at = timezone.now()
        if risk is not None:
            locked.risk = risk
        if linked is not None:
            locked.incident = linked

    concern = update_record(
        record,
        actor=actor,
        expected_version=expected_version,
        fields={},
        action=Action.TRIAGED,
        note=reason,
        prepare=decide,
    )
    if concern.raised_by_id != actor.pk:
        Notification.objects.get_or_create(
            user_id=concern.raised_by_id,
            key=f"concern-triaged:{concern.pk}",
            defaults={
                "kind": Notification.Kind.CONCERN_TRIAGED,
                "message": f"Your concern {concern.reference} {concern.title} was triaged: "
                f"{concern.get_outcome_display().lower()}.",
                "url": concern.get_absolute_url(),
            },
        )
    return concern


TRIAGE = RecordAction(
    "triage",
    "Triage",
    triage,
    lambda user, record: not policy_of(record).triage_state(record) and allows("triage", user, record),
    done="{reference} triaged; the person who raised it has been told.",
    inputs=(
        Input(
            "outcome", "Outcome", choices=tuple((o.value, o.label) for o in Outcome if o != Outcome.PENDING)
        ),
        Input(
            "reason",
            "Reason",
            help_text="For a risk this goes into its description.",
        ),
        Input(
            "incident",
            "Incident",
            required=False,
            help_text="For an incident: its reference in the incident register.",
        ),
    ),  # fmt: skip
    style="primary",
    description="The AIMS manager triages a concern: outcome risk, incident (naming it) or no_action, with a "
    "reason.",
)


# -- Pages -------------------------------------------------------------------------------------------


class ConcernForm(RecordForm):
    """Raising asks only what the raiser knows; editing is the handler's, and never reveals a name."""

    class Meta:
        model = Concern
        fields = [*RAISER_FIELDS, "owner", "review_cadence", "next_review_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        editing = bool(self.instance.pk)
        for name in ("owner", "review_cadence", "next_review_on") if not editing else ("anonymous",):
            del self.fields[name]
        self.fields["title"].label = "In a few words"


class ConcernFilterSet(RecordFilterSet):
    # Not raised_by: searching by a name must not find anonymous concerns.
    search_fields = ("reference", "title", "systems__title", "system_note", "description")
    outcome = filters.MultipleChoiceFilter(choices=Outcome.choices)
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("created_at", "raised"),
            ("outcome", "outcome"),
        )
    )

    class Meta:
        model = Concern
        fields = []


class ConcernDetailView(RecordDetailView):
    """Who raised it, as the person looking may know it."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = context["record"]
        heading, items = context["sections"][0]
        context["sections"][0] = (heading, [("Raised by", record.raiser_shown_to(self.request.user)), *items])
        return context


# -- API ---------------------------------------------------------------------------------------------


class ConcernSerializer(RecordSerializer):
    raised_by = serializers.SerializerMethodField()
    risk = RecordLinkField(slug_field="reference", read_only=True)
    incident = RecordLinkField(slug_field="reference", read_only=True)

    class Meta(RecordSerializer.Meta):
        model = Concern
        fields = record_fields(
            [
                *RAISER_FIELDS,
                "outcome",
                "outcome_reason",
                "incident",
                "incident_reference",
                "triaged_at",
                "raised_by",
                "risk",
            ]
        )
        read_only_fields = [
            *RecordSerializer.Meta.read_only_fields, "outcome", "outcome_reason", "incident",
            "incident_reference", "triaged_at",
        ]  # fmt: skip

    def get_raised_by(self, obj) -> str | None:
        """The raiser's username, like every person in the API; null to all but the raiser when they
        asked to stay anonymous (`anonymous`)."""
        raiser = obj.raiser_for(self.context["request"].user)
        return raiser.username if raiser is not None else None


class ConcernViewSet(RecordViewSet):
    """Concerns about AI systems (A.3.3). Anyone with a role raises one; `raised_by` is the raiser's username, null to everyone but the raiser when they asked to stay anonymous. POST …/triage/ is the AIMS manager's. DELETE archives."""

    serializer_class = ConcernSerializer
    filterset_class = ConcernFilterSet
    services = services
    record_actions = (TRIAGE,)
    select_related = ("owner", "raised_by", "risk", "incident", "created_by", "updated_by")


# -- The register ------------------------------------------------------------------------------------


def _systems_text(concern) -> str:
    names = [s.title for s in concern.systems.all()]
    return "; ".join([*names, concern.system_note] if concern.system_note else names)


class ConcernRegister(Register):
    model = Concern
    label, url_prefix, position = "Concerns", "concerns", 60
    menu_group = "5"
    services = services
    form = ConcernForm
    filterset = ConcernFilterSet
    viewset = ConcernViewSet
    detail_view = ConcernDetailView
    columns = [
        ("Concern", "title", "title"),
        ("AI systems", _systems_text, None),
        ("Raised", lambda c: timezone.localdate(c.created_at), "raised"),
        ("Outcome", "outcome", "outcome"),
        ("Handled by", "owner", None),
    ]
    fieldsets = [
        ("The concern", ["systems", "system_note", "description", "anonymous"]),
        (
            "Triage",
            [
                "outcome",
                "outcome_reason",
                "risk",
                "incident",
                "incident_reference",
                "triaged_by",
                "triaged_at",
            ],
        ),
    ]
    form_fieldsets = [
        ("The concern", ["title", "systems", "system_note", "description", "anonymous"]),
        ("Handling", ["owner", "review_cadence", "next_review_on"]),
    ]
    select_related = ("owner", "raised_by", "risk", "incident", "triaged_by")
    list_prefetch_related = ("systems",)
    actions = (TRIAGE,)
    lead = (
        "ISO/IEC 42001 A.3.3: anyone can raise a concern about an AI system. The AIMS manager triages "
        "each one into a risk, an incident or no action, and the person who raised it is told. You may "
        "withhold your name."
    )
    empty_text = (
        "No concerns raised. If something about an AI system worries you, raise a concern: "
        "the AIMS manager will look at it."
    )

    def sample(self, people, n=0):
        """Recorded by the AIMS manager, who hands it to the owner to handle."""
        fields = {
            "title": f"Chatbot gives loan advice, {n}",
            "system_note": "Customer chatbot",
            "description": "It told a customer which loan to take.",
            "owner": people["owner"],
        }
        return self.services.create(actor=people["manager"], fields=fields)
