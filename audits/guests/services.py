"""Inviting an outside auditor, their accepting, revoking, and the log of what they opened."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from aims import webhooks
from aims.records import create_record
from audits.checklist import FINDING_RAISED
from audits.models import Finding, GuestAccess, GuestVisit
from audits.reminders import tell_auditee

LONGEST_DAYS = 180  # an audit's weeks, not a standing account: invite again for the next one


def validate_until(until) -> None:
    today = timezone.localdate()
    if until < today:
        raise ValidationError(
            {"until": f"{until:%Y-%m-%d} has passed; give the last day of the audit's work."}
        )
    if (until - today).days > LONGEST_DAYS:
        raise ValidationError(
            {"until": f"At most {LONGEST_DAYS} days from today: invite again for a later audit."}
        )


def invite(*, actor, email: str, name: str, organisation: str, audit, packs, until, may_download_packs: bool,
           may_raise_findings: bool, absolute) -> tuple[GuestAccess, str]:  # fmt: skip
    """Record the access and email the invitation link; returns the access and the link."""
    email = email.strip().lower()
    User = get_user_model()
    if User.objects.filter(email__iexact=email, is_guest=False).exists():
        raise ValidationError(
            {"email": f"{email} already has an AIMS account with a role: give that person the Auditor role "
                      "instead, or invite another address."}
        )  # fmt: skip
    if audit is None and not packs:
        raise ValidationError("Choose the audit, or at least one evidence pack, the guest may see.")
    validate_until(until)
    with transaction.atomic():
        access, token = _record_invitation(
            actor=actor, email=email, name=name, organisation=organisation, audit=audit, packs=packs, until=until,
            may_download_packs=may_download_packs, may_raise_findings=may_raise_findings,
        )  # fmt: skip
    # Sent once the access is stored (a mail cannot be taken back): its link works from the first click.
    link = absolute(reverse("guest-accept", args=[token]))
    _send_invitation(access, link)
    return access, link


def _record_invitation(*, actor, email, name, organisation, audit, packs, until, may_download_packs,
                       may_raise_findings) -> tuple[GuestAccess, str]:  # fmt: skip
    access = GuestAccess(
        email=email, name=name.strip(), organisation=organisation.strip(), audit=audit, until=until,
        may_download_packs=may_download_packs, may_raise_findings=may_raise_findings and audit is not None,
        invited_by=actor,
    )  # fmt: skip
    token = access.new_invitation()
    access.save()
    access.packs.set(packs)
    return access, token


def _send_invitation(access: GuestAccess, link: str) -> None:
    what = f"the audit {access.subject}" if access.audit_id else "evidence packs"
    send_mail(
        subject=f"Invitation to {what} in AIMS",
        message=(
            f"{access.invited_by} invites you to see {what} in the organisation's AI management system, "
            f"read-only, until {access.until:%d %B %Y}.\n\nAccept by "
            f"{timezone.localtime(access.invitation_expires_at):%d %B %Y %H:%M %Z} at:\n{link}\n\n"
            "You will choose a password and set up an authenticator app (a second "
            "factor) on your first visit. Every page and file you open is logged for the organisation."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[access.email],
    )


def renew_invitation(access: GuestAccess, *, absolute) -> str:
    """A new link, emailed; the old one stops working."""
    with transaction.atomic():
        access = GuestAccess.objects.select_for_update().get(pk=access.pk)
        if access.accepted_at or access.revoked_at:
            raise ValidationError("Only an invitation not yet accepted, and not revoked, can be sent again.")
        token = access.new_invitation()
        access.save(update_fields=["invitation_digest", "invitation_expires_at"])
    link = absolute(reverse("guest-accept", args=[token]))
    _send_invitation(access, link)
    return link


def invitation(token: str) -> GuestAccess | None:
    return (
        GuestAccess.objects.select_related("audit", "invited_by")
        .filter(invitation_digest=GuestAccess.digest(token))
        .first()
    )


def invitation_problem(access: GuestAccess | None) -> str:
    """Why an invitation link cannot be used, or "" if it can."""
    if access is None:
        return "This invitation link is not known. Ask whoever invited you for a new one."
    if access.revoked_at:
        return "This invitation was withdrawn."
    if access.accepted_at:
        return "This invitation was accepted already: sign in with the account you made then."
    if access.until < timezone.localdate():
        return f"The access this invitation offered ended on {access.until:%d %B %Y}."
    if access.invitation_expires_at <= timezone.now():
        return (f"This invitation link expired on {access.invitation_expires_at:%d %B %Y %H:%M}. Ask "
                f"{access.invited_by} to send it again.")  # fmt: skip
    return ""


@transaction.atomic
def accept(access: GuestAccess, *, person) -> None:
    access = GuestAccess.objects.select_for_update().get(pk=access.pk)
    problem = invitation_problem(access)
    if problem:
        raise ValidationError(problem)
    access.person, access.accepted_at = person, timezone.now()
    access.save(update_fields=["person", "accepted_at"])


def guest_account(email: str):
    """The account an outside auditor made on an earlier invitation, if any."""
    return get_user_model().objects.filter(email__iexact=email, is_guest=True).first()


def make_guest(*, email: str, name: str, password: str):
    User = get_user_model()
    person = User(username=email, email=email, display_name=name, is_guest=True)
    person.set_password(password)
    person.save()
    return person


@transaction.atomic
def revoke(access: GuestAccess, *, actor) -> None:
    updated = GuestAccess.objects.filter(pk=access.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    if not updated:
        raise ValidationError("This access was revoked already.")


def active_accesses(person):
    today = timezone.localdate()
    return (
        GuestAccess.objects.filter(
            person=person, revoked_at__isnull=True, accepted_at__isnull=False, until__gte=today
        )
        .select_related("audit")
        .order_by("until", "id")
    )


def log(access: GuestAccess | None, person, kind: str, path: str, what: str = "") -> None:
    GuestVisit.objects.create(access=access, person=person, kind=kind, path=path[:500], what=what[:300])


def log_refusal(sender, user, path: str, **kwargs) -> None:
    """aims.guests.refused: a guest asked for a page outside their audit."""
    log(active_accesses(user).first(), user, GuestVisit.Kind.REFUSED, path)


@transaction.atomic
def raise_finding(
    access: GuestAccess, *, actor, requirement, grade: str, title: str, description: str
) -> Finding:
    """A finding the outside auditor raises on their audit; the person who invited them answers it."""
    audit = access.audit
    if not access.may_raise_findings or audit is None:
        raise ValidationError("This invitation does not allow raising findings.")
    if audit.status == audit.Status.CLOSED:
        raise ValidationError(f"{audit.reference} is closed; no finding can be raised on it.")
    finding = create_record(
        Finding,
        actor=actor,
        fields={"audit": audit, "requirement": requirement, "grade": grade, "title": title.strip(),
                "description": description.strip(), "owner": access.invited_by},
        note=f"Raised by {actor}, outside auditor{f' ({access.organisation})' if access.organisation else ''}.",
    )  # fmt: skip
    tell_auditee(finding, actor=actor)
    webhooks.emit_about(finding, FINDING_RAISED, "raised", actor, audit=audit.reference, grade=grade)
    return finding
