"""Who may do what in the Check registers (aims.policies): the AIMS manager plans programmes and audits,
an audit's own auditors record its checklist and findings, confidential evidence is seen by few, and an
evidence pack by its exporter, the manager and auditors."""

from django.db.models import Q

from aims import roles
from aims.policies import Policy, default_change, granted, policy


def conducted_by(queryset, user, path: str = ""):
    """Rows of `queryset` whose audit (reached through `path`, e.g. "audit__") `user` leads or is on the
    team of."""
    if not user.has_role(roles.AUDITOR):
        return queryset.none()
    mine = queryset.filter(Q(**{f"{path}lead_auditor": user}) | Q(**{f"{path}team": user}))
    return queryset.filter(pk__in=mine.values("pk"))


@policy("audits.AuditProgramme")
class AuditProgrammePolicy(Policy):
    adders = (roles.MANAGER,)


@policy("audits.Audit")
class AuditPolicy(Policy):
    adders = (roles.MANAGER,)

    def change(self, queryset, user):
        """The usual rule (AIMS manager, owner, delegates), plus the auditors of each audit -- an auditor
        changes only the audits they are on."""
        allowed = Q(pk__in=default_change(queryset, user, self.editors).values("pk"))
        if user.has_role(roles.AUDITOR):
            allowed |= Q(pk__in=queryset.filter(Q(lead_auditor=user) | Q(team=user)).values("pk"))
        return queryset.filter(allowed)


@policy("audits.ChecklistItem")
class ChecklistItemPolicy(Policy):
    def change(self, queryset, user):
        """Only the audit's lead auditor and team change its checklist."""
        return conducted_by(queryset, user, "audit__")

    def change_refusal(self, user, obj) -> str:
        return (
            f"Only the lead auditor ({obj.audit.lead_auditor}) and the team of {obj.audit.reference} "
            "record its checklist."
        )


@policy("audits.Finding")
class FindingPolicy(Policy):
    adders = ()  # findings come from checklist items, never from a blank form
    add_refusal = (
        "Audit findings are not created directly: an auditor records a checklist item as not conforming."
    )

    def change(self, queryset, user):
        """The grade and wording are the auditors' -- the audit's lead and team."""
        return conducted_by(queryset, user, "audit__")

    def change_refusal(self, user, obj) -> str:
        return (
            f"Only the auditors of {obj.audit.reference} change {obj.reference}; its auditee "
            f"({obj.owner}) answers it."
        )


@policy("audits.Evidence")
class EvidencePolicy(Policy):
    def view(self, queryset, user):
        """Confidential evidence: its owner, the AIMS manager, auditors, the governance board and people
        given an object-level grant (view, or change as a delegate); everyone with a role sees the rest."""
        if user.has_role(roles.MANAGER, roles.BOARD, roles.AUDITOR):
            return queryset
        return queryset.filter(
            ~Q(confidentiality=self.model.Confidentiality.CONFIDENTIAL)
            | Q(owner=user)
            | granted(self.model, user, "view", "change")
        )


@policy("audits.EvidencePack")
class EvidencePackPolicy(Policy):
    adders = roles.ALL  # anyone with an AIMS role may export; the pack holds only what they may view

    def view(self, queryset, user):
        """The AIMS manager and auditors see (and download) every pack; anyone else their own."""
        if user.has_role(roles.MANAGER, roles.AUDITOR):
            return queryset
        return queryset.filter(requested_by=user)
