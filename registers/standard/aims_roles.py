"""AIMS roles (ISO/IEC 42001 5.3, A.3.2): each role's responsibilities and authorities and the people who
hold it, and the RACI matrix of who is Responsible, Accountable, Consulted and Informed in each AIMS
process.

A RACI cell belongs to its role: changing it is a change of that role (its version moves and its
history lists "RACI: Internal audit: R -> A"), refused if the role changed since the page was opened."""

import re

import django_filters as filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from aims import permissions
from aims.api.base import RecordViewSet, expected_version
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.models import User
from aims.policies import policy_of, require
from aims.records import Action, StaleEdit, record_change
from aims.register import Register
from aims.services import RecordServices
from aims.views.records import RecordDetailView, RecordListView, RecordMixin
from registers.competence_gaps import GAP, competence_gaps
from registers.models import AimsRole, RaciAssignment
from registers.models.choices import AimsProcess

FIELDS = [
    "title", "responsibilities", "authorities", "people", "owner", "review_cadence", "next_review_on",
]  # fmt: skip

Letter = RaciAssignment.Letter
PROCESS_ORDER = {value: n for n, value in enumerate(AimsProcess.values)}

services = RecordServices(AimsRole, FIELDS)


# -- RACI --------------------------------------------------------------------------------------------


def process_name(process: str) -> str:
    """'Internal audit (9.2)' -> 'Internal audit': the clause is noise in a history line."""
    return re.sub(r"\s*\([^)]*\)$", "", AimsProcess(process).label)


def _cell(process: str, letter: str) -> str:
    return f"{process_name(process)}: {letter}" if letter else ""


def letters_of(role) -> dict[str, str]:
    """{process: letter} of one role, from a prefetch of `raci` when there is one."""
    return {a.process: a.letter for a in role.raci.all()}


@transaction.atomic
def raci_set(role, *, actor, expected_version: int, letters: dict[str, str]) -> AimsRole:
    """Set the role's letters for the processes named in `letters` ("" clears one); history of the role."""
    require(policy_of(role), "set-raci", actor, role)  # whoever may change the role, while not archived
    unknown = [p for p in letters if p not in PROCESS_ORDER]
    wrong = [v for v in letters.values() if v and v not in Letter.values]
    if unknown or wrong:
        raise ValidationError(
            {
                "raci": f"Unknown process or letter: {', '.join(map(str, unknown + wrong))}. Letters are R, A, C, I."
            }
        )
    locked = AimsRole.objects.select_for_update().get(pk=role.pk)
    if locked.version != expected_version:
        raise StaleEdit(locked, expected_version)
    current = dict(locked.raci.values_list("process", "letter"))
    changes = []
    for process in sorted(letters, key=PROCESS_ORDER.get):
        old, new = current.get(process, ""), letters[process]
        if old == new:
            continue
        if new:
            RaciAssignment.objects.update_or_create(role=locked, process=process, defaults={"letter": new})
        else:
            RaciAssignment.objects.filter(role=locked, process=process).delete()
        changes.append(
            {"field": "raci", "label": "RACI", "old": _cell(process, old), "new": _cell(process, new)}
        )
    if changes:
        locked.version += 1
        locked.updated_by = actor
        locked.save(update_fields=["version", "updated_by", "updated_at"])
        record_change(locked, actor=actor, action=Action.UPDATED, changes=changes)
    return locked


def matrix(roles_list) -> list[dict]:
    """One row per AIMS process: each role's letter, and a warning unless exactly one is Accountable."""
    rows = []
    for process, label in AimsProcess.choices:
        cells = [(role, role.letters.get(process, "")) for role in roles_list]
        accountable = sum(1 for _, letter in cells if letter == Letter.ACCOUNTABLE)
        warning = ""
        if roles_list and accountable == 0:
            warning = "No one is accountable."
        elif accountable > 1:
            warning = f"{accountable} roles are accountable; there should be one."
        rows.append({"process": process, "label": label, "cells": cells, "warning": warning})
    return rows


class RaciMatrixView(RecordMixin, TemplateView):
    """The RACI matrix (5.3): processes by live roles. Anyone who may change a role edits its column."""

    model = AimsRole
    template_name = "registers/aimsrole_raci.html"

    def roles(self):
        found = list(self.visible().live().prefetch_related("raci").order_by("title"))
        editable = set(
            AimsRole.objects.restrict(self.request.user, "change").filter(pk__in=[r.pk for r in found])
            .values_list("pk", flat=True)
        )  # fmt: skip
        for role in found:
            role.letters = letters_of(role)
            role.editable = role.pk in editable
        return found

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        found = self.roles()
        context.update(
            roles=found,
            rows=matrix(found),
            can_edit=any(r.editable for r in found),
            can_add=permissions.can_add(self.request.user, AimsRole),
            letters=Letter.choices,
        )
        return context

    def post(self, request, *args, **kwargs):
        wanted = {}  # role -> (version, {process: letter})
        visible = {r.pk: r for r in self.visible().live()}
        for key, value in request.POST.items():
            match = re.fullmatch(r"version-(\d+)", key)
            if not match:
                continue
            role = visible.get(int(match[1]))
            if role is None:
                raise PermissionDenied(
                    "The matrix names a role you cannot see or that is archived; reload it."
                )
            try:
                version = int(value)
            except ValueError:
                version = -1  # refused as stale below
            # Only the cells the form sent: a process added since the page was drawn keeps its letter.
            cells = {p: f"cell-{role.pk}-{p}" for p in AimsProcess.values}
            letters = {p: request.POST[name].strip() for p, name in cells.items() if name in request.POST}
            wanted[role] = (version, letters)
        try:
            with transaction.atomic():  # one stale or refused role: nothing is saved
                saved = [
                    raci_set(role, actor=request.user, expected_version=version, letters=letters)
                    for role, (version, letters) in wanted.items()
                ]
        except StaleEdit as exc:
            return self._again(exc.message, status=409)
        except ValidationError as exc:
            return self._again(" ".join(exc.messages), status=400)
        moved = [
            role.reference
            for role, (version, _) in zip(saved, wanted.values(), strict=True)
            if role.version != version
        ]
        if moved:
            messages.success(request, f"RACI saved for {', '.join(moved)}.")
        else:
            messages.info(request, "Nothing changed.")
        return HttpResponseRedirect(reverse("aimsrole-raci"))

    def _again(self, error: str, status: int):
        context = self.get_context_data(error=f"Nothing was saved. {error}")
        return self.render_to_response(context, status=status)


# -- Pages -------------------------------------------------------------------------------------------


class AimsRoleForm(RecordForm):
    people = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        label="People in this role",
    )

    class Meta:
        model = AimsRole
        fields = [*FIELDS, "requirements"]


class AimsRoleFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "responsibilities", "authorities")
    person = filters.CharFilter(field_name="people__username", label="Person (username)")

    class Meta:
        model = AimsRole
        fields = []


class AimsRoleListView(RecordListView):
    """The shared list; the "People" column in one query per page."""

    prefetch_related = ("people",)


class AimsRoleDetailView(RecordDetailView):
    """The shared page, plus the role's letters in the RACI matrix and the competence gaps of the people
    who hold it (7.2), counted as the gaps page filtered to the role counts them."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        role = context["record"]
        letters = letters_of(role)
        context["raci"] = [
            (label, letters[process], Letter(letters[process]).label)
            for process, label in AimsProcess.choices
            if process in letters
        ]
        if context["tab"] == "details" and not role.is_archived:  # an archived role requires nothing
            gaps = competence_gaps(today=timezone.localdate(), user=self.request.user, roles=[role])
            context["competence"] = {"required": gaps.count(), "gaps": gaps.count(GAP)}
        return context


# -- API ---------------------------------------------------------------------------------------------


class AimsRoleRaciCell(serializers.Serializer):
    process = serializers.ChoiceField(choices=AimsProcess.choices)
    letter = serializers.ChoiceField(choices=[("", "none"), *Letter.choices], allow_blank=True)


class AimsRoleRaci(serializers.Serializer):
    version = serializers.IntegerField()
    raci = AimsRoleRaciCell(many=True, help_text='e.g. [{"process": "audit", "letter": "A"}]; "" clears one.')


class AimsRoleSerializer(RecordSerializer):
    raci = serializers.SerializerMethodField(help_text="The role's RACI letters, one per AIMS process.")

    class Meta(RecordSerializer.Meta):
        model = AimsRole
        fields = [*record_fields(FIELDS), "raci"]

    def get_raci(self, obj) -> list[dict]:
        letters = letters_of(obj)
        return [{"process": p, "letter": letters[p]} for p in sorted(letters, key=PROCESS_ORDER.get)]


class AimsRoleViewSet(RecordViewSet):
    """AIMS roles (5.3) with their RACI letters. POST …/raci/ sets letters. DELETE archives."""

    serializer_class = AimsRoleSerializer
    filterset_class = AimsRoleFilterSet
    services = services
    extra_prefetch = ("raci",)

    @extend_schema(request=AimsRoleRaci, responses=AimsRoleSerializer)
    @action(detail=True, methods=["post"], url_path="raci", url_name="raci")
    def raci(self, request, *args, **kwargs):
        """Set some of the role's RACI letters ("" clears one), with the role's version."""
        role = self.get_object()
        body = AimsRoleRaci(data=request.data)
        body.is_valid(raise_exception=True)
        letters = {e["process"]: e["letter"] for e in body.validated_data["raci"]}
        raci_set(role, actor=request.user, expected_version=expected_version(request), letters=letters)
        return Response(self.get_serializer(self.get_queryset().get(pk=role.pk)).data)


# -- The register ------------------------------------------------------------------------------------


class AimsRoleRegister(Register):
    model = AimsRole
    label, url_prefix, position = "AIMS roles", "roles", 50
    menu_group = "5"
    more_links = (("RACI matrix", "aimsrole-raci"),)
    services = services
    form = AimsRoleForm
    filterset = AimsRoleFilterSet
    viewset = AimsRoleViewSet
    list_view = AimsRoleListView
    detail_view = AimsRoleDetailView
    prefetch_related = ("requirements", "people", "raci")  # the record page
    list_prefetch_related = ("people",)  # the list names who holds each role
    columns = [
        ("Role", "title", "title"),
        ("People", lambda r: ", ".join(str(p) for p in r.people.all()), None),
        ("Owner", "owner", None),
        ("Next review", "next_review_on", "next_review"),
    ]
    fieldsets = [
        ("The role", ["responsibilities", "authorities"]),
        ("Who holds it", ["people", "review_cadence", "next_review_on"]),
    ]
    form_fieldsets = [
        ("The role", ["title", "responsibilities", "authorities", "requirements"]),
        ("Who holds it", ["people"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    detail_template = "registers/aimsrole_detail.html"
    lead = (
        "ISO/IEC 42001 5.3 and A.3.2: the roles of the AIMS, their responsibilities and authorities, and who "
        "holds them."
    )
    empty_text = (
        "No AIMS roles yet. Start with the AIMS manager, the governance board and the owners of "
        "your AI systems; then say who does what in the RACI matrix."
    )

    def extra_urls(self) -> list:
        return [path(f"{self.url_prefix}/raci/", RaciMatrixView.as_view(), name="aimsrole-raci")]

    def sample(self, people, n=0):
        fields = {
            "title": f"AI system owner, {n}",
            "responsibilities": "Owns an AI system through its life cycle, its risks and impact assessments.",
            "authorities": "Accepts residual risk up to the appetite.",
        }
        return self.services.create(actor=people["owner"], fields=fields)
