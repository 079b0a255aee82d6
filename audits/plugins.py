"""What the Check registers plug into the core: navigation, API routes, reminders, the Evidence tab of
every record page and the evidence section of every catalogue requirement."""

from aims.plugins import install
from aims.registry import RecordTab, RequirementSection, registry

from . import standard
from .evidence_pages import evidence_tab, requirement_evidence
from .models import Evidence
from .services import expiry_reminders

install(standard, cycle="Check")
registry.add_record_tab(RecordTab("evidence", evidence_tab, applies=lambda model: model is not Evidence))
registry.add_requirement_section(RequirementSection(requirement_evidence, replaces=Evidence))
registry.add_reminder_source(expiry_reminders)
