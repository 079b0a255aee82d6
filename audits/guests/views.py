"""Pages of an outside auditor's access.

The AIMS manager's (URL names "outside-auditor-*"): the list, the invitation form, one access with its log,
revoking. The guest's (URL names "guest-*", the only ones aims.guests lets a guest reach): accepting the
invitation, their audits, one audit's records read-only, its sampled evidence's files, the packs shared,
and a finding where the invitation allows it. Each guest page checks the access is theirs and still open,
and logs what it served."""

import functools
from datetime import timedelta

from allauth.account.internal.flows.login import record_authentication
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from aims import permissions
from aims.downloads import download
from aims.views.core import job_file
from aims.views.files import file_response
from audits.models import ChecklistItem, Evidence, GuestAccess, GuestVisit

from . import services
from .forms import AcceptForm, GuestFindingForm, InviteForm

# -- the AIMS manager's pages ---------------------------------------------------------------------------


@login_required
def access_list(request):
    permissions.require_settings(request.user, "outside_auditors")
    accesses = (
        GuestAccess.objects.select_related("audit", "person", "invited_by")
        .annotate(last_visit=Max("visits__at"))
        .order_by("-invited_at", "-id")  # Meta's ordering does not survive the aggregate
    )
    query = request.GET.get("q", "").strip()
    if query:
        accesses = accesses.filter(
            Q(name__icontains=query) | Q(email__icontains=query) | Q(organisation__icontains=query)
            | Q(audit__reference__iexact=query)
        )  # fmt: skip
    page = Paginator(accesses, 25).get_page(request.GET.get("page"))
    return render(
        request, "audits/guests/list.html",
        {"page_obj": page, "q": query, "querystring": f"q={query}" if query else ""},
    )  # fmt: skip


@login_required
def access_invite(request):
    permissions.require_settings(request.user, "outside_auditors")
    form = InviteForm(request.POST or None, initial={"until": timezone.localdate() + timedelta(days=30)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            access, link = services.invite(
                actor=request.user, email=data["email"], name=data["name"], organisation=data["organisation"],
                audit=data["audit"], packs=data["packs"], until=data["until"],
                may_download_packs=data["may_download_packs"], may_raise_findings=data["may_raise_findings"],
                absolute=request.build_absolute_uri,
            )  # fmt: skip
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                f"Invitation emailed to {access.email}. Its link works for 7 days, once: {link}",
            )
            return redirect("outside-auditor-detail", pk=access.pk)
    return render(request, "audits/guests/invite.html", {"form": form}, status=400 if form.errors else 200)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def access_detail(request, pk):
    permissions.require_settings(request.user, "outside_auditors")
    access = get_object_or_404(
        GuestAccess.objects.select_related("audit", "person", "invited_by", "revoked_by"), pk=pk
    )
    visits = Paginator(access.visits.all(), 50).get_page(request.GET.get("page"))
    return render(
        request, "audits/guests/detail.html",
        {"access": access, "packs": access.packs.select_related("job"), "page_obj": visits},
    )  # fmt: skip


@login_required
@require_POST
def access_action(request, pk, action):
    permissions.require_settings(request.user, "outside_auditors")
    access = get_object_or_404(GuestAccess, pk=pk)
    try:
        if action == "revoke":
            services.revoke(access, actor=request.user)
            messages.success(request, f"{access.name}'s access ended now; their next page is refused.")
        elif action == "resend":
            link = services.renew_invitation(access, absolute=request.build_absolute_uri)
            messages.success(
                request,
                f"A new invitation was emailed to {access.email}; the old link no longer works: {link}",
            )
        else:
            raise Http404("No such action.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("outside-auditor-detail", pk=access.pk)


# -- the guest's pages ----------------------------------------------------------------------------------


def guest_page(view):
    """For an outside auditor only, on an access of theirs that is open today; logs what was served
    (`request.guest_served`: "download" and what, for a file)."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, access_id, *args, **kwargs):
        if not request.user.is_guest:
            raise Http404("These pages are for outside auditors.")
        access = get_object_or_404(
            GuestAccess.objects.select_related("audit"), pk=access_id, person=request.user
        )
        if not access.is_active:
            services.log(access, request.user, GuestVisit.Kind.REFUSED, request.get_full_path())
            ended = access.revoked_at or access.until
            raise PermissionDenied(f"Your access to {access.subject} ended ({ended:%d %B %Y}).")
        response = view(request, access, *args, **kwargs)
        kind, what = getattr(request, "guest_served", (GuestVisit.Kind.PAGE, ""))
        services.log(access, request.user, kind, request.get_full_path(), what)
        return response

    return wrapped


def accept_invitation(request, token):
    access = services.invitation(token)
    problem = services.invitation_problem(access)
    if problem:
        return render(
            request, "audits/guests/accept.html", {"problem": problem}, status=410 if access else 404
        )
    if request.user.is_authenticated and not (request.user.is_guest and request.user.email == access.email):
        return render(request, "audits/guests/accept.html", {
            "problem": f"You are signed in as {request.user}. Sign out, then open the invitation link again."
        }, status=409)  # fmt: skip
    existing = services.guest_account(access.email)
    if existing is not None:  # invited before: the same account, once they have signed in with it
        if request.user.is_authenticated:
            services.accept(access, person=request.user)
            messages.success(request, f"{access.subject} is added to your audits.")
            return redirect("guest-home")
        return render(request, "audits/guests/accept.html", {"access": access, "sign_in_first": True})
    form = AcceptForm(request.POST or None, email=access.email, initial={"name": access.name})
    if request.method == "POST" and form.is_valid():
        person = services.make_guest(
            email=access.email, name=form.cleaned_data["name"], password=form.cleaned_data["password1"]
        )
        services.accept(access, person=person)
        login(request, person, backend="aims.backends.RolesBackend")
        # The password chosen just now stands as the confirmation allauth asks before a second factor is
        # set up, which comes next (aims.mfa): outside auditors always need one.
        record_authentication(request, person, "password", username=person.username, reauthenticated=True)
        return redirect("guest-home")
    return render(
        request,
        "audits/guests/accept.html",
        {"access": access, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def guest_home(request):
    if not request.user.is_guest:
        raise Http404("These pages are for outside auditors.")
    accesses = GuestAccess.objects.filter(person=request.user).select_related("audit", "invited_by")
    active = [access for access in accesses if access.is_active]
    if len(active) == 1 and not request.GET.get("all"):
        return redirect("guest-audit", access_id=active[0].pk)
    return render(request, "audits/guests/home.html", {"accesses": accesses})


@guest_page
def guest_audit(request, access):
    audit = access.audit
    context = {"access": access, "audit": audit, "packs": access.packs.select_related("job")}
    if audit is not None:
        context.update(
            scope=audit.scope.order_by("standard", "position"),
            systems=audit.systems.order_by("reference"),
            checklist=audit.checklist.select_related("requirement").prefetch_related(
                Prefetch("evidence", Evidence.objects.live().order_by("reference"))
            ),
            findings=audit.findings.live().select_related("requirement").order_by("reference"),
        )
    return render(request, "audits/guests/audit.html", context)


@guest_page
def guest_evidence_file(request, access, evidence_id):
    """The current file of evidence sampled for the guest's audit (a checklist item's evidence)."""
    if access.audit is None:
        raise Http404("This access holds no audit.")
    sampled = ChecklistItem.objects.filter(audit=access.audit, evidence=evidence_id).exists()
    evidence = (
        get_object_or_404(Evidence.objects.live(), pk=evidence_id, kind=Evidence.Kind.FILE)
        if sampled
        else None
    )
    if evidence is None or not evidence.file:
        raise Http404("No such file in this audit's evidence.")
    request.guest_served = (GuestVisit.Kind.DOWNLOAD, f"{evidence.reference} {evidence.file_name}")
    return file_response(evidence.file, evidence.file_name)


@guest_page
def guest_pack_download(request, access, pack_id):
    pack = get_object_or_404(access.packs.select_related("job"), pk=pack_id)
    if not access.may_download_packs:
        raise PermissionDenied("Your invitation lets you see this pack's details, not download it.")
    if not pack.is_finished or pack.status != "done":
        raise Http404("This pack is not ready.")
    request.guest_served = (GuestVisit.Kind.DOWNLOAD, f"evidence pack {pack.title}")
    return download(job_file(pack.job), pack.file_name)


@guest_page
def guest_finding_new(request, access):
    if access.audit is None or not access.may_raise_findings:
        raise PermissionDenied("Your invitation does not let you raise findings.")
    form = GuestFindingForm(request.POST or None, audit=access.audit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            finding = services.raise_finding(
                access, actor=request.user, requirement=data["requirement"], grade=data["grade"],
                title=data["title"], description=data["description"],
            )  # fmt: skip
        except ValidationError as error:
            _add_errors(form, error)
        else:
            request.guest_served = (GuestVisit.Kind.PAGE, f"raised {finding.reference}")
            messages.success(
                request, f"{finding.reference} raised; {access.invited_by} is asked to answer it."
            )
            return redirect("guest-audit", access_id=access.pk)
    return render(request, "audits/guests/finding_form.html", {"access": access, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip
