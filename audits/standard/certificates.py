"""The AIMS certificate (ISO/IEC 17021-1 9.5, 9.6): number, certification body, scope statement, issue and
expiry, the stage 2 or recertification audit that granted it and the surveillance audits that keep it in
force. The status is the body's decision (valid, suspended, withdrawn), or expired once the expiry date
has passed."""

import datetime as dt

import django_filters as filters
from django import forms
from django.utils import timezone
from rest_framework import serializers

from aims.actions import Input, RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.links import Related
from aims.policies import allows, policy_of
from aims.register import Register
from audits.certificates import (
    CERTIFICATE_FIELDS,
    certificate_services,
    reinstate_certificate,
    suspend_certificate,
    withdraw_certificate,
)
from audits.models import Audit, Certificate
from audits.models.certification import EXPIRY_WARNING_DAYS, state_q

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CertificateForm(RecordForm):
    class Meta:
        model = Certificate
        fields = CERTIFICATE_FIELDS
        widgets = {
            "issued_on": DATE,
            "expires_on": DATE,
            "next_surveillance_on": DATE,
            "next_review_on": DATE,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a certification body's stage 2 or recertification audit grants a certificate.
        self.fields["granted_by"].queryset = self.fields["granted_by"].queryset.filter(
            kind=Audit.Kind.CERTIFICATION, stage__in=Audit.GRANTING
        )


class CertificateFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "number", "certification_body", "scope_statement")
    status = filters.MultipleChoiceFilter(choices=Certificate.Status.choices, method="filter_status")
    expiring = YesNoFilter(method="filter_expiring", label=f"Expiring within {EXPIRY_WARNING_DAYS} days")
    ordering = filters.OrderingFilter(
        fields=(("reference", "reference"), ("number", "number"), ("expires_on", "expires"))
    )

    class Meta:
        model = Certificate
        fields = []

    def filter_status(self, queryset, name, value):
        """As the status reads today: a valid certificate past its expiry date is expired."""
        if not value:
            return queryset
        today = timezone.localdate()
        condition = state_q(value[0], today)
        for state in value[1:]:
            condition |= state_q(state, today)
        return queryset.filter(condition)

    def filter_expiring(self, queryset, name, value):
        if value is None:
            return queryset
        expiring = Certificate.objects.expiring().values("pk")
        return queryset.filter(pk__in=expiring) if value else queryset.exclude(pk__in=expiring)


def _offered(transition: str):
    """A button shown when the certificate's status allows the move and its guard allows the person."""
    return lambda user, r: not policy_of(r).move_state(transition, r) and allows(transition, user, r)


REASON = Input("reason", "The body's decision", help_text="What the certification body decided, and why.")
SUSPEND = RecordAction(
    "suspend", "Record a suspension", suspend_certificate, _offered("suspend"), inputs=(REASON,),
    done="{reference} is suspended.", style="danger",
    confirm="Record that the certification body suspended this certificate?",
    description="The certification body suspended the certificate: `reason`.",
)  # fmt: skip
REINSTATE = RecordAction(
    "reinstate", "Record its reinstatement", reinstate_certificate, _offered("reinstate"),
    inputs=(Input("reason", "The body's decision", required=False),), done="{reference} is valid again.",
    description="The certification body lifted the suspension: optional `reason`.",
)  # fmt: skip
WITHDRAW = RecordAction(
    "withdraw", "Record a withdrawal", withdraw_certificate, _offered("withdraw"), inputs=(REASON,),
    done="{reference} is withdrawn.", style="danger",
    confirm="Record that the certification body withdrew this certificate? It cannot be reinstated.",
    description="The certification body withdrew the certificate: `reason`.",
)  # fmt: skip
ACTIONS = (SUSPEND, REINSTATE, WITHDRAW)


class CertificateSerializer(RecordSerializer):
    status = serializers.SerializerMethodField(
        help_text="valid, suspended, withdrawn or expired, as of today"
    )

    class Meta(RecordSerializer.Meta):
        model = Certificate
        fields = record_fields([*CERTIFICATE_FIELDS, "status", "status_reason"])

    def get_status(self, obj) -> str:
        return obj.current_status()


class CertificateViewSet(RecordViewSet):
    """Certificates of the AIMS (ISO/IEC 17021-1 9.5, 9.6): `granted_by` names the audit by reference; `status` reads the expiry date (?status=expired, ?expiring=true). POST …/suspend/, …/reinstate/, …/withdraw/ record the body's decisions. DELETE archives."""

    serializer_class = CertificateSerializer
    filterset_class = CertificateFilterSet
    services = certificate_services
    record_actions = ACTIONS


class CertificateRegister(Register):
    model = Certificate
    label, url_prefix, position = "Certificates", "certificates", 25
    menu_group = "9"
    services = certificate_services
    form = CertificateForm
    filterset = CertificateFilterSet
    viewset = CertificateViewSet
    select_related = ("owner", "granted_by")
    columns = [
        ("Certificate", "title", "title"),
        ("Number", "number", "number"),
        ("Certification body", "certification_body", None),
        ("Status", "status", None),
        ("Expires", "expires_on", "expires"),
        ("Next surveillance", "next_surveillance_on", None),
    ]
    fieldsets = [
        ("The certificate", ["number", "certification_body", "scope_statement", "issued_on", "expires_on"]),
        ("Keeping it in force", ["granted_by", "next_surveillance_on", "status_reason"]),
    ]
    form_fieldsets = [
        ("The certificate", ["title", "number", "certification_body", "scope_statement"]),
        ("Dates", ["issued_on", "expires_on", "next_surveillance_on"]),
        ("Granted after", ["granted_by"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    actions = ACTIONS
    related = (
        Related(
            "Surveillance and recertification audits",
            lambda certificate: certificate.audits.live().order_by("starts_on", "id"),
            detail=lambda a: (
                f"{a.kind_label} · {a.starts_on:%Y-%m-%d} · {a.get_status_display().lower()}"
                + (f" · {a.get_outcome_display().lower()}" if a.outcome else "")
            ),
            empty="None recorded yet: record the next surveillance audit as a certification body audit "
            "naming this certificate.",
        ),
    )
    lead = (
        "ISO/IEC 17021-1 9.5 and 9.6: the certificate the certification body issued for the AIMS, the audit "
        "that granted it and the surveillance audits that keep it in force until it expires."
    )
    empty_text = (
        "No certificate yet. Once the certification body's stage 2 audit recommends certification and the "
        "certificate is issued, the AIMS manager records it here."
    )

    def sample(self, people, n=0):
        today = timezone.localdate()
        fields = {
            "title": f"ISO/IEC 42001 certificate {n + 1}",
            "number": f"AIMS-{700 + n}",
            "certification_body": "Example Certification Ltd",
            "scope_statement": "The AI management system for credit decisioning and fraud detection.",
            "issued_on": today - dt.timedelta(days=30 + n),
            "expires_on": today + dt.timedelta(days=3 * 365 - 30 - n),
            "next_surveillance_on": today + dt.timedelta(days=300),
            "owner": people["owner"],
        }
        return self.services.create(actor=people["manager"], fields=fields)
