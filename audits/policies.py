"""Who may do what in the Check registers (aims.policies): the AIMS manager plans programmes and audits,
an audit's own auditors start, report and record its checklist and findings, its auditees answer the
findings, confidential evidence is seen by few and attached only by those who see it, and an evidence
pack is seen by its exporter, the manager and auditors.

A guard `can_<transition>` returns why the person is refused (a 403), or "". Where a transition also
depends on the record's state, `<transition>_state(record)` says why nobody may do it now (a 400): the
service asks the guard, then the state; the button asks both."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from aims import roles
from aims.policies import Policy, change_now_refusal, default_change, granted, policy


def _allowed(user, action: str, record) -> str:
    """No refusal when `user` may do `action` to `record`, else the general one (aims.permissions)."""
    from aims.permissions import allowed, denial_reason

    return "" if allowed(user, action, record) else denial_reason(user, action, record)


def refuse(reason: str) -> None:
    """Raise a refusal that concerns two records at once (evidence and the record it is attached to) as
    a 403; a single record's transitions go through aims.policies.require."""
    if reason:
        raise PermissionDenied(reason)


def conducted_by(queryset, user, path: str = ""):
    """Rows of `queryset` whose audit (reached through `path`, e.g. "audit__") `user` records: an internal
    audit its lead auditor and team; a certification body's audit -- whose auditors are not ours -- whoever
    plans it (the AIMS manager, its owner and their delegates), transcribing the body's report."""
    from django.apps import apps

    audit = apps.get_model("audits", "Audit")
    by_body = default_change(audit.objects.filter(kind=audit.Kind.CERTIFICATION), user, AuditPolicy.editors)
    recorded = Q(**{f"{path}pk__in": by_body.values("pk")})
    if user.has_role(roles.AUDITOR):
        recorded |= Q(**{f"{path}kind": audit.Kind.INTERNAL}) & (
            Q(**{f"{path}lead_auditor": user}) | Q(**{f"{path}team": user})
        )
    return queryset.filter(pk__in=queryset.filter(recorded).values("pk"))


@policy("audits.AuditProgramme")
class AuditProgrammePolicy(Policy):
    adders = (roles.MANAGER,)

    def can_plan(self, user, programme) -> str:
        """Add, change or remove a programme line: whoever may change the programme, while it is live."""
        reason = _allowed(user, "change", programme)
        if not reason and programme.is_archived:
            reason = f"{programme.reference} is archived; restore it before planning."
        return reason


@policy("audits.Audit")
class AuditPolicy(Policy):
    """The AIMS manager plans audits; people with the auditor role lead them and make up their teams.
    The audit's own lead and team start it, report it and keep its checklist; whoever may change it
    closes it; its plan (scope, team, owner) stays with the AIMS manager and the audit's owner."""

    adders = (roles.MANAGER,)
    auditor_roles = (roles.AUDITOR,)

    def change(self, queryset, user):
        """The usual rule (AIMS manager, owner, delegates), plus the auditors of each audit -- an auditor
        changes only the audits they are on."""
        allowed = Q(pk__in=default_change(queryset, user, self.editors).values("pk"))
        if user.has_role(*self.auditor_roles):
            allowed |= Q(pk__in=queryset.filter(Q(lead_auditor=user) | Q(team=user)).values("pk"))
        return queryset.filter(allowed)

    # -- who audits -------------------------------------------------------------------------------------
    def may_audit(self, person) -> bool:
        """Whether `person` may lead an audit or be on its team."""
        return person.has_role(*self.auditor_roles)

    def auditors(self):
        """Everyone who may lead an audit or be on its team: the choices of the audit's form."""
        from aims.models import User

        people = User.objects.filter(is_active=True, groups__name__in=self.auditor_roles)
        return people.distinct().order_by("username")

    def can_change_plan(self, user, audit) -> str:
        """The plan -- programme, scope, systems, auditors, owner: the AIMS manager, the audit's owner and
        their delegates, not the auditors who carry it out (a ValidationError on each planned field)."""
        if default_change(type(audit).objects.filter(pk=audit.pk), user, self.editors).exists():
            return ""
        return f"Only the AIMS manager or the audit's owner ({audit.owner}) changes the plan of {audit.reference}."

    # -- the audit's steps --------------------------------------------------------------------------------
    def conducts(self, user, audit) -> bool:
        """Who records the audit's results: an internal audit's lead and team; a certification body's
        audit, whoever plans it (its auditors are the body's, not users here)."""
        if audit.is_certification:
            return not self.can_change_plan(user, audit)
        return audit.conducted_by(user)

    def not_conducting(self, audit) -> str:
        if audit.is_certification:
            return (
                f"Only the AIMS manager and the owner of {audit.reference} ({audit.owner}) record what "
                f"{audit.certification_body} found."
            )
        return f"Only the lead auditor ({audit.lead_auditor}) and the team of {audit.reference} do that."

    def _conducting(self, user, audit) -> str:
        reason = _allowed(user, "change", audit)
        if not reason and not self.conducts(user, audit):
            reason = self.not_conducting(audit)
        return reason

    def can_start(self, user, audit) -> str:
        """Fieldwork begins: the audit's lead auditor or team."""
        return self._conducting(user, audit)

    def start_state(self, audit) -> str:
        if audit.status != self.model.Status.PLANNED:
            return f"{audit.reference} is {audit.get_status_display().lower()}, not planned."
        return ""

    def can_report(self, user, audit) -> str:
        """The results are reported: the audit's lead auditor or team."""
        return self._conducting(user, audit)

    def report_state(self, audit) -> str:
        if audit.status != self.model.Status.IN_PROGRESS:
            return f"{audit.reference} is {audit.get_status_display().lower()}, not in progress."
        return ""

    def can_close(self, user, audit) -> str:
        """Close a reported audit: whoever may change it."""
        return _allowed(user, "change", audit)

    def close_state(self, audit) -> str:
        if audit.status != self.model.Status.REPORTED:
            return f"{audit.reference} is {audit.get_status_display().lower()}, not reported."
        return ""

    def can_conduct(self, user, audit) -> str:
        """Keep the checklist (generate, add, record, remove items): only the audit's lead auditor and
        team, and never once the audit is closed or archived."""
        from aims.policies import policy_of
        from audits.models import ChecklistItem

        if not self.conducts(user, audit):
            return policy_of(ChecklistItem).change_refusal(user, ChecklistItem(audit=audit))
        if audit.status == self.model.Status.CLOSED or audit.is_archived:
            return f"{audit.reference} is closed; its checklist can no longer change."
        return ""


@policy("audits.ChecklistItem")
class ChecklistItemPolicy(Policy):
    def change(self, queryset, user):
        """Only the audit's lead auditor and team change its checklist."""
        return conducted_by(queryset, user, "audit__")

    def change_refusal(self, user, obj) -> str:
        from aims.policies import policy_of

        return policy_of(obj.audit).not_conducting(obj.audit)


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
        who = "the recorders" if obj.audit.is_certification else "the auditors"
        return f"Only {who} of {obj.audit.reference} change {obj.reference}; its auditee ({obj.owner}) answers it."

    def can_answer(self, user, finding) -> str:
        """The auditee (the finding's owner) and their delegates answer; the grade stays the auditors'."""
        from aims.policies import owned

        if owned(type(finding).objects.filter(pk=finding.pk), user).exists():
            return ""
        return f"Only the auditee of {finding.reference} ({finding.owner}) and their delegates answer it."

    def answer_state(self, finding) -> str:
        return f"{finding.reference} is closed." if finding.status == self.model.Status.CLOSED else ""

    def can_close(self, user, finding) -> str:
        """The audit's auditors accept the answer and close it."""
        return _allowed(user, "change", finding)

    def close_state(self, finding) -> str:
        if finding.status != self.model.Status.ANSWERED:
            return (
                f"{finding.reference} is {self.model.Status(finding.status).label.lower()}: "
                "only an answered finding can be closed."
            )
        return ""


@policy("audits.Certificate")
class CertificatePolicy(Policy):
    """The AIMS manager records the certificates the certification body issues, and its decisions on
    them (suspension, reinstatement, withdrawal); the certificate's owner keeps it current; everyone with
    a role reads it."""

    adders = (roles.MANAGER,)
    moves = {  # transition: (the statuses it starts from, the status it leads to, how a refusal says it)
        "suspend": (("valid",), "suspended", "suspended"),
        "reinstate": (("suspended",), "valid", "reinstated"),
        "withdraw": (("valid", "suspended"), "withdrawn", "withdrawn"),
    }

    def _move_refusal(self, user, certificate) -> str:
        return change_now_refusal(user, certificate, doing="recording the body's decision")

    def can_suspend(self, user, certificate) -> str:
        return self._move_refusal(user, certificate)

    def can_reinstate(self, user, certificate) -> str:
        return self._move_refusal(user, certificate)

    def can_withdraw(self, user, certificate) -> str:
        return self._move_refusal(user, certificate)

    def move_state(self, transition: str, certificate) -> str:
        """Why nobody may make `transition` now: the certificate is not in a status it starts from."""
        starts, _, done = self.moves[transition]
        if certificate.current_status() not in starts:
            return f"{certificate.reference} is {certificate.get_status_display().lower()}: it cannot be {done} now."
        return ""


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

    def attach_refusal(self, user, evidence, record) -> str:
        """Attach `evidence` to `record` (of any register): whoever may change the record and may see the
        evidence -- confidential evidence is attached only by those it is shown to."""
        from aims.permissions import allowed

        reason = _allowed(user, "change", record)
        if not reason and not allowed(user, "view", evidence):
            reason = f"You may not see {evidence.reference}, so you cannot attach it."
        return reason

    def detach_refusal(self, user, evidence, record) -> str:
        """Take evidence off a record: whoever may change the record or the evidence."""
        from aims.permissions import allowed

        if allowed(user, "change", record) or allowed(user, "change", evidence):
            return ""
        return f"Only people who may change {record.reference} or {evidence.reference} may detach it."


@policy("audits.EvidencePack")
class EvidencePackPolicy(Policy):
    adders = roles.ALL  # anyone with an AIMS role may export; the pack holds only what they may view

    def view(self, queryset, user):
        """The AIMS manager and auditors see (and download) every pack; anyone else their own."""
        if user.has_role(roles.MANAGER, roles.AUDITOR):
            return queryset
        return queryset.filter(requested_by=user)
