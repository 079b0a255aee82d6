"""Audit findings (ISO/IEC 42001 9.2, 10.2): every checklist item that is not conforming, graded by the
auditors and answered by its auditee -- the owner of the audited record -- with a response and a
proposed action. The auditee answers but does not grade; auditors grade but do not answer."""

import django_filters as filters

from aims.actions import Input, RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.policies import allows, policy_of
from aims.register import Register
from aims.registry import registry
from audits import checklist
from audits.models import NOT_CONFORMING, Audit, Finding, Result, audited_by
from audits.services import answer_finding, close_finding, finding_services


class FindingForm(RecordForm):
    class Meta:
        model = Finding
        fields = ["title", "description", "owner", "review_cadence", "next_review_on"]
        labels = {"owner": "Auditee"}


class FindingFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description", "response")
    grade = filters.MultipleChoiceFilter(choices=[(g, Result(g).label) for g in NOT_CONFORMING])
    status = filters.MultipleChoiceFilter(choices=Finding.Status.choices)
    audit = filters.ModelChoiceFilter(
        queryset=Audit.objects.all(), to_field_name="reference", empty_label="Any"
    )
    audited_by_me = YesNoFilter(method="filter_audited_by_me", label="In audits I lead or am on")
    ordering = filters.OrderingFilter(
        fields=(("reference", "reference"), ("title", "title"), ("grade", "grade"), ("status", "status"))
    )

    class Meta:
        model = Finding
        fields = []

    def filter_audited_by_me(self, queryset, name, value):
        if value is None or self.user is None:
            return queryset
        mine = audited_by(self.user)
        return queryset.filter(audit__in=mine) if value else queryset.exclude(audit__in=mine)


def _offered(transition: str):
    """A button shown when the finding's state allows the transition and its guard allows the person."""
    return lambda user, r: not getattr(policy_of(r), f"{transition}_state")(r) and allows(transition, user, r)


ANSWER = RecordAction(
    "answer", "Answer the finding", answer_finding, _offered("answer"),
    done="{reference} answered; the auditors have your response.", style="primary",
    inputs=(
        Input("response", "Response", help_text="Do you agree, and what caused it?"),
        Input("proposed_action", "Proposed action", required=False,
              help_text="What you will do about it, and by when."),
    ),
    description="The auditee (the finding's owner) answers with a response and a proposed action.",
)  # fmt: skip
CLOSE = RecordAction(
    "close", "Close the finding", close_finding, _offered("close"),
    done="{reference} closed.", description="The audit's auditors accept the answer and close the finding.",
    confirm="Close the finding? Its answer is accepted as it stands.",
)  # fmt: skip


class FindingSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Finding
        fields = record_fields(
            ["title", "description", "audit", "requirement", "grade", "status", "response", "proposed_action",
             "answered_at"]
        )  # fmt: skip


class FindingViewSet(RecordViewSet):
    """Audit findings (9.2). Created from checklist items, never directly; the auditee answers with POST …/answer/ (response, proposed_action). DELETE archives."""

    serializer_class = FindingSerializer
    filterset_class = FindingFilterSet
    services = finding_services
    record_actions = (ANSWER, CLOSE)


class FindingRegister(Register):
    model = Finding
    label, url_prefix, position = "Audit findings", "findings", 30
    menu_group = "9"
    services = finding_services
    form = FindingForm
    filterset = FindingFilterSet
    viewset = FindingViewSet
    select_related = ("owner", "audit", "requirement")
    columns = [
        ("Finding", "title", "title"),
        ("Grade", "grade", "grade"),
        ("Status", "status", "status"),
        ("Audit", "audit", None),
        ("Requirement", "requirement.code", None),
        ("Auditee", "owner", None),
    ]
    fieldsets = [
        ("The finding", ["audit", "requirement", "grade", "description"]),
        ("The auditee's answer", ["response", "proposed_action", "answered_by", "answered_at"]),
    ]
    form_fieldsets = [("The finding", ["title", "description", "owner", "review_cadence", "next_review_on"])]
    actions = (ANSWER, CLOSE)
    lead = (
        "ISO/IEC 42001 9.2 and 10.2: what the internal audits found. The auditee -- the owner of the "
        "audited record -- answers each finding with a response and a proposed action."
    )
    empty_text = (
        "No audit findings yet. They appear here when an auditor records a checklist item that is not "
        "conforming."
    )

    def review_reminders(self, records):
        """An open finding reminds its auditee to answer it (audits.reminders), not to review it."""
        return records.exclude(status=Finding.Status.OPEN)

    def sample(self, people, n=0):
        """The audit's lead auditor records a checklist item as a minor nonconformity; the finding it
        raises is the owner's to answer."""
        audit = registry.register_for(Audit).register.sample(people, n)
        auditor = people["auditor"]
        item = checklist.add_item(audit, actor=auditor, question="Are AI risks assessed before release?")
        notes = f"Risk assessment {n} was not repeated after the model changed. The register is a year old."
        checklist.save_item(
            item, actor=auditor, expected_version=item.version, question=item.question, result=Result.MINOR,
            notes=notes, auditee=people["owner"],
        )  # fmt: skip
        return Finding.objects.get(checklist_item=item)
