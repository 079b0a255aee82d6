"""Clause 4.3: the scope of the AIMS, approved by the board and published as numbered versions."""

from django.db import models

from aims.models import BaseRecord, Publishable

from .choices import AiRole, check_choice_list


class ScopeStatement(Publishable, BaseRecord):
    """What the AIMS covers and why: boundaries, AI systems and units in and out, the organisation's AI
    roles, interfaces, and every exclusion with its justification (4.3)."""

    reference_prefix = "SCO"
    serves = ("4.3",)  # the AIMS scope
    history_extra = ("status", "version_number", "published_on")

    boundaries = models.TextField(help_text="Organisational, physical and legal boundaries of the AIMS.")
    systems_in_scope = models.TextField("AI systems in scope", blank=True)
    systems_out_of_scope = models.TextField("AI systems out of scope", blank=True)
    units_in_scope = models.TextField("units and sites in scope", blank=True)
    units_out_of_scope = models.TextField("units and sites out of scope", blank=True)
    ai_roles = models.JSONField(
        "the organisation's AI roles",
        default=list,
        blank=True,
        help_text="Provider, producer, customer, partner, subject or authority (see the glossary).",
    )
    interfaces = models.TextField(
        "interfaces and dependencies", blank=True, help_text="With activities, suppliers and parties outside."
    )
    exclusions = models.TextField(
        "exclusions and their justification",
        blank=True,
        help_text="Each Annex A control or activity left out, and why; an auditor checks these.",
    )

    class Meta(BaseRecord.Meta):
        ordering = ["reference"]
        verbose_name = "scope statement"
        verbose_name_plural = "scope statements"

    def get_ai_roles_display(self) -> str:
        labels = dict(AiRole.choices)
        return ", ".join(labels.get(r, r) for r in self.ai_roles or [])

    def clean(self):
        check_choice_list("ai_roles", self.ai_roles, AiRole.values, "AI role")
