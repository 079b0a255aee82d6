"""The AIMS scope statement (ISO/IEC 42001 4.3): drafted by its owner, approved by the governance
board, published; every approved version is kept and can be compared with any other."""

import django_filters as filters
from django import forms

from aims import publishing
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.models import Lifecycle
from aims.register import Register
from aims.services import RecordServices
from registers.models import AiRole, ScopeStatement

FIELDS = [
    "title", "boundaries", "systems_in_scope", "systems_out_of_scope", "units_in_scope", "units_out_of_scope",
    "ai_roles", "interfaces", "exclusions", "owner", "review_cadence", "next_review_on",
]  # fmt: skip

services = RecordServices(ScopeStatement, FIELDS)


class ScopeStatementForm(RecordForm):
    ai_roles = forms.MultipleChoiceField(
        label="The organisation's AI roles",
        choices=AiRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=ScopeStatement._meta.get_field("ai_roles").help_text,
    )

    class Meta:
        model = ScopeStatement
        fields = [*FIELDS, "requirements"]


class ScopeStatementFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "boundaries", "systems_in_scope", "exclusions")
    status = filters.MultipleChoiceFilter(choices=Lifecycle.choices)
    ordering = filters.OrderingFilter(fields=(("reference", "reference"), ("title", "title")))

    class Meta:
        model = ScopeStatement
        fields = []


ACTIONS = publishing.lifecycle_actions()


class ScopeStatementSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = ScopeStatement
        fields = record_fields(FIELDS)


class ScopeStatementViewSet(RecordViewSet):
    """The AIMS scope statement (4.3), with its approval lifecycle and versions. DELETE archives."""

    serializer_class = ScopeStatementSerializer
    filterset_class = ScopeStatementFilterSet
    services = services
    record_actions = ACTIONS


class ScopeStatementRegister(Register):
    model = ScopeStatement
    label, url_prefix, position = "Scope", "scope", 5
    menu_group = "4"
    services = services
    form = ScopeStatementForm
    filterset = ScopeStatementFilterSet
    viewset = ScopeStatementViewSet
    actions = ACTIONS
    columns = [
        ("Scope statement", "title", "title"),
        ("Status", "status", None),
        ("Approved version", lambda r: f"v{r.version_number}" if r.version_number else "none yet", None),
        ("Published", "published_on", None),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("Boundaries", ["boundaries", "interfaces"]),
        ("AI systems", ["systems_in_scope", "systems_out_of_scope"]),
        ("Units and sites", ["units_in_scope", "units_out_of_scope"]),
        ("Roles and exclusions", ["ai_roles", "exclusions"]),
    ]
    form_fieldsets = [
        ("Boundaries", ["title", "boundaries", "interfaces"]),
        ("AI systems", ["systems_in_scope", "systems_out_of_scope"]),
        ("Units and sites", ["units_in_scope", "units_out_of_scope"]),
        ("Roles and exclusions", ["ai_roles", "exclusions", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 4.3: what the AIMS covers. The governance board approves each version; "
        "earlier versions stay and can be compared side by side."
    )
    empty_text = (
        "No scope statement yet. Write the first draft: boundaries, the AI systems in and out, "
        "your AI roles and any exclusions with their justification."
    )

    def sample(self, people, n=0):
        fields = {"title": f"AIMS scope, {n}", "boundaries": "Retail lending, EU operations."}
        return self.services.create(actor=people["owner"], fields=fields)
