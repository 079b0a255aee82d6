"""Pages of the evidence library beyond list, detail and form: file downloads (the current file and every
earlier version, only to people who may see the evidence), the Evidence tab every record page shows,
attach and detach, new evidence uploaded for a record, and the evidence section of a catalogue
requirement (crosswalks included)."""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.views import View

from aims import permissions
from aims.registry import registry
from aims.views.files import PrivateFileView, file_response
from aims.views.records import RecordMixin

from .evidence_services import evidence_attach, evidence_create_for, evidence_detach
from .models import Evidence, EvidenceLink
from .selectors import evidence_for, evidence_linked_to

ATTACH_CHOICES = 200  # the newest pieces offered in "attach existing evidence"; search finds the rest


# -- downloads --------------------------------------------------------------------------------------


class CurrentFileView(PrivateFileView):
    model = Evidence
    field_name, name_field = "file", "file_name"


class FileVersionView(RecordMixin, View):
    """GET evidence/<reference>/files/<number>/: an earlier (or the current) file, by its number."""

    model = Evidence

    def get(self, request, reference, number):
        evidence = self.get_record()  # 404 to anyone who may not see it, confidential included
        stored = get_object_or_404(evidence.files, number=number)
        if not stored.file.storage.exists(stored.file.name):
            raise Http404(f"File version {number} of {evidence.reference} is no longer stored.")
        return file_response(stored.file, stored.file_name)


def evidence_detail_context(request, record, tab) -> dict:
    """The evidence's own page: its files, newest first, and the records it is attached to."""
    if tab != "details":
        return {}
    links = list(record.links.select_related("content_type", "linked_by"))
    return {
        "files": list(record.files.select_related("uploaded_by").order_by("-number")),
        "attached_to": _visible_records(links, request.user),
        "expiring": record.is_expiring(),
    }


def _visible_records(links, user) -> list:
    """[(link, record or None)]: None where the person may not see the record (they see only that one
    exists). One query per register involved, not per link."""
    by_type = {}
    for link in links:
        by_type.setdefault(link.content_type, []).append(link.object_id)
    found = {}
    for content_type, ids in by_type.items():
        model = content_type.model_class()
        if model is None:
            continue
        for record in model.objects.restrict(user, "view").filter(pk__in=ids):
            found[(content_type.pk, record.pk)] = record
    return [(link, found.get((link.content_type_id, link.object_id))) for link in links]


# -- the Evidence tab of every record ---------------------------------------------------------------


def _registered_model(label: str):
    """A register's model from "app_label.model"; 404 for anything else."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404(f"No register called {label!r}.") from None
    if registry.register_for(model) is None or model is Evidence:
        raise Http404(f"No register called {label!r}.")
    return model


def record_target(user, spec: str):
    """The record named by "app_label.model:REFERENCE", as `user` may see it (404 otherwise)."""
    label, _, reference = spec.partition(":")
    model = _registered_model(label)
    return permissions.get_visible(model.objects.all(), user, reference=reference)


def evidence_tab(request, record) -> dict:
    """The evidence attached to `record` that the person may see; for those who may change the record,
    attach an existing piece or upload a new one. A fixed number of queries."""
    user = request.user
    links = list(evidence_linked_to(record, user))
    may_attach = not getattr(record, "is_archived", False) and permissions.allowed(user, "change", record)
    context = {
        "template": "audits/evidence_tab.html",
        "links": links,
        "may_attach": may_attach,
        "may_upload": may_attach and permissions.can_add(user, Evidence),
        "label": record._meta.label_lower,
    }
    if may_attach:
        context["choices"] = list(
            Evidence.objects.restrict(user, "view")
            .live()
            .exclude(pk__in=[link.evidence_id for link in links])
            .only("reference", "title", "valid_until")
            .order_by("-updated_at")[:ATTACH_CHOICES]
        )
    return context


class AttachView(LoginRequiredMixin, View):
    """POST evidence/attach/<app_label.model>/<reference>/ with `evidence` (a reference)."""

    def post(self, request, label, reference):
        record = record_target(request.user, f"{label}:{reference}")
        back = f"{record.get_absolute_url()}?tab=evidence"
        wanted = request.POST.get("evidence", "").strip().split(" ")[0]
        evidence = Evidence.objects.restrict(request.user, "view").filter(reference=wanted).first()
        if evidence is None:
            messages.error(
                request, f"Evidence: no evidence {wanted!r} that you may see. Pick one from the list."
            )
            return redirect(back)
        try:
            evidence_attach(evidence, record, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "Evidence: " + " ".join(exc.messages))
        else:
            messages.success(request, f"{evidence.reference} attached to {record.reference}.")
        return redirect(back)


class DetachView(LoginRequiredMixin, View):
    """POST evidence/links/<pk>/detach/: take a piece of evidence off a record."""

    def post(self, request, pk):
        visible = Evidence.objects.restrict(request.user, "view")
        link = get_object_or_404(EvidenceLink.objects.select_related("evidence"), pk=pk, evidence__in=visible)
        record = link.record
        if record is None or not permissions.allowed(request.user, "view", record):
            raise Http404("No such attachment.")
        evidence_detach(link, actor=request.user)
        messages.success(request, f"{link.evidence.reference} detached from {record.reference}.")
        return redirect(f"{record.get_absolute_url()}?tab=evidence")


class ForRecordMixin:
    """On the new-evidence form: ?for=app_label.model:REFERENCE uploads evidence for that record, which
    is attached on creation and lends it its clauses and controls."""

    template_name = "audits/evidence_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.target = None
        spec = request.GET.get("for", "")
        if spec and "reference" not in kwargs and request.user.is_authenticated:
            self.target = record_target(request.user, spec)
            permissions.require(request.user, "change", self.target)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None):
        form = super().get_form(data)
        if self.target is not None and data is None:
            form.initial["requirements"] = list(self.target.requirements.all())
        return form

    def get_context_data(self, **kwargs):
        return super().get_context_data(target=self.target, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.target is None:
            return super().post(request, *args, **kwargs)
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                evidence = evidence_create_for(
                    self.target,
                    actor=request.user,
                    fields=form.service_fields(),
                    requirements=form.cleaned_data.get("requirements"),
                )
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(
                    request, f"{evidence.reference} created and attached to {self.target.reference}."
                )
                return HttpResponseRedirect(f"{self.target.get_absolute_url()}?tab=evidence")
        return self.render_to_response(self.get_context_data(form=form), status=400)


# -- the catalogue ----------------------------------------------------------------------------------


def requirement_evidence(request, requirement) -> dict:
    """Evidence serving a requirement: mapped to it, or to a requirement a crosswalk links it to."""
    return {
        "template": "audits/requirement_evidence.html",
        "requirement": requirement,
        "served": evidence_for(requirements=[requirement], user=request.user, current_only=False),
    }
