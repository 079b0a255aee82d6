"""Pages: the list of evidence packs (who exported what, when), the new-pack form, a pack's page with
the job's progress, and the permission-checked download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from aims.downloads import download
from aims.permissions import can_add, get_visible, require_add
from aims.views.core import job_file
from audits.models import EvidencePack

from .build import start_pack
from .forms import EvidencePackForm
from .scope import Scope


def visible_packs(user):
    return EvidencePack.objects.restrict(user, "view").select_related("job", "requested_by")


@login_required
def pack_list(request):
    packs = visible_packs(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        packs = packs.filter(title__icontains=query)
    page = Paginator(packs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "audits/pack/list.html",
        {"page_obj": page, "q": query, "querystring": f"q={query}" if query else "",
         "can_export": can_add(request.user, EvidencePack)},
    )  # fmt: skip


@login_required
def pack_new(request):
    require_add(request.user, EvidencePack)  # EvidencePackPolicy: anyone with a role
    form = EvidencePackForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        pack = start_pack(
            user=request.user, scope=form.cleaned_data["scope"], as_of=form.cleaned_data["as_of"],
            title=form.cleaned_data["title"],
        )  # fmt: skip
        messages.info(request, "The evidence pack is being built; this page follows its progress.")
        return redirect("evidencepack-detail", pk=pack.pk)
    return render(request, "audits/pack/form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def pack_detail(request, pk):
    pack = get_visible(visible_packs(request.user), request.user, pk=pk)
    scope = pack.scope or {}
    described = Scope(
        whole=bool(scope.get("whole")), standard=scope.get("standard", ""),
        requirements=tuple(scope.get("requirements", ())), systems=tuple(scope.get("systems", ())),
    ).describe()  # fmt: skip
    return render(
        request, "audits/pack/detail.html", {"pack": pack, "job": pack.job, "scope_text": described}
    )


@login_required
def pack_download(request, pk):
    """Only the exporter, the AIMS manager and auditors (audits.policies.EvidencePackPolicy); others get 404."""
    pack = get_visible(visible_packs(request.user), request.user, pk=pk)
    return download(job_file(pack.job), pack.file_name)
