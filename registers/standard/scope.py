"""The AIMS scope statement (ISO/IEC 42001 4.3): drafted by its owner, approved by the governance
board, published; every approved version is kept and can be compared with any other."""

import django_filters as filters
from django import forms

from aims import publishing
from aims.api.base import make_api
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.models import Lifecycle
from aims.services import RecordServices
from aims.views.records import make_views
from registers.models import AiRole, ScopeStatement

MENU = ("Scope", "scope", 5)

FIELDS = [
    "title", "boundaries", "systems_in_scope", "systems_out_of_scope", "units_in_scope", "units_out_of_scope",
    "ai_roles", "interfaces", "exclusions", "owner", "review_cadence", "next_review_on",
]  # fmt: skip

services = RecordServices(ScopeStatement, FIELDS)


class ScopeForm(RecordForm):
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


class ScopeFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "boundaries", "systems_in_scope", "exclusions")
    status = filters.MultipleChoiceFilter(choices=Lifecycle.choices)
    ordering = filters.OrderingFilter(fields=(("reference", "reference"), ("title", "title")))

    class Meta:
        model = ScopeStatement
        fields = []


ACTIONS = publishing.lifecycle_actions()

views = make_views(
    ScopeStatement,
    services=services,
    form_class=ScopeForm,
    filterset_class=ScopeFilterSet,
    columns=[
        ("Scope statement", "title", "title"),
        ("Status", "status", None),
        ("Approved version", lambda r: f"v{r.version_number}" if r.version_number else "none yet", None),
        ("Published", "published_on", None),
        ("Owner", "owner", None),
    ],
    fieldsets=[
        ("Boundaries", ["boundaries", "interfaces"]),
        ("AI systems", ["systems_in_scope", "systems_out_of_scope"]),
        ("Units and sites", ["units_in_scope", "units_out_of_scope"]),
        ("Roles and exclusions", ["ai_roles", "exclusions"]),
    ],
    form_fieldsets=[
        ("Boundaries", ["title", "boundaries", "interfaces"]),
        ("AI systems", ["systems_in_scope", "systems_out_of_scope"]),
        ("Units and sites", ["units_in_scope", "units_out_of_scope"]),
        ("Roles and exclusions", ["ai_roles", "exclusions", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ],
    lead="ISO/IEC 42001 4.3: what the AIMS covers. The governance board approves each version; "
    "earlier versions stay and can be compared side by side.",
    empty_text="No scope statement yet. Write the first draft: boundaries, the AI systems in and out, "
    "your AI roles and any exclusions with their justification.",
    actions=ACTIONS,
)

ViewSet = make_api(
    ScopeStatement,
    services=services,
    fields=FIELDS,
    filterset_class=ScopeFilterSet,
    actions=ACTIONS,
    doc="The AIMS scope statement (4.3), with its approval lifecycle and versions. DELETE archives.",
)
