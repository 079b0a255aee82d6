"""What the Check registers plug into the core: navigation, API routes, reminders, report and pack jobs,
the audits panel, the Evidence tab of every record page and the evidence section of every catalogue
requirement, and readiness for 9.2.1 and 9.2.2."""

from . import policies  # noqa: F401, I001  first: who may do what, asked as the registers install

from aims import roles
from aims.api.router import router
from aims.bench import BenchMeasure
from aims.plugins import install
from aims.registry import RecordTab, RequirementSection, registry

from . import standard
from .evidence_pages import evidence_tab, requirement_evidence
from .evidence_services import expiry_reminders
from .models import Evidence
from .pack import bench as pack_bench
from .pack import build  # noqa: F401  registers the evidence pack job runner
from .pack.api import EvidencePackViewSet
from .pack.signing import published_key
from .serving import evidence_reads, evidence_serving

install(standard, cycle="Check")


def seed_audits_demo(users) -> int:
    from .demo_audits import seed_audits

    return seed_audits(users)


def seed_evidence_demo(users) -> int:
    from .demo_evidence import seed_evidence

    return seed_evidence(users)


registry.add_demo_seeder(seed_audits_demo, order=30)  # after the systems and risks the audits sample
registry.add_demo_seeder(seed_evidence_demo, order=50)  # it attaches evidence to the records made before


def seed_certification_demo(users) -> int:
    from .demo_certification import seed_certification

    return seed_certification(users)


# After the improvement records (40): the internal audit's nonconformity is raised first, and this one
# raises the certification body's through the same action the finding's page offers.
registry.add_demo_seeder(seed_certification_demo, order=45)
registry.add_menu_link("Check", "Evidence packs", "evidencepack-list", group="9")
# A whole-AIMS pack holds every record of its database: measured among 100,000 risks it would time
# something else, so it runs alone, on a database of its own (make bench: <name>_pack).
registry.add_bench_measure(BenchMeasure("pack", pack_bench.run, order=50, default=False, alone=True))
router.register("evidence-packs", EvidencePackViewSet, basename="evidencepack")
registry.add_record_tab(RecordTab("evidence", evidence_tab, applies=lambda model: model is not Evidence))
registry.add_requirement_section(RequirementSection(requirement_evidence, replaces=Evidence))
# The SoA shows the evidence serving each control, read with the page's own reads where it can.
registry.set_evidence_serving(evidence_serving, evidence_reads)
registry.add_reminder_source(expiry_reminders)
registry.set_pack_signing_key(published_key)  # the stakeholder report prints its fingerprint

from .reminders import audit_reminders, certificate_reminders  # noqa: E402
from .report import KIND, audit_report_pdf  # noqa: E402

registry.add_reminder_source(audit_reminders)
registry.add_reminder_source(certificate_reminders)
registry.add_job_runner(KIND, audit_report_pdf)

from .dashboard import auditor_panel, audits_panel, my_findings_panel  # noqa: E402

registry.add_dashboard_panel(audits_panel, roles=(roles.MANAGER, roles.BOARD), order=50)
registry.add_dashboard_panel(auditor_panel, roles=(roles.AUDITOR,), order=5)  # the auditor's first screen
registry.add_dashboard_panel(my_findings_panel, roles=(roles.OWNER,), order=15)  # the auditee's answers

from .certification_checks import register as register_readiness  # noqa: E402

register_readiness()  # 9.2.2 from the audit registers, in place of the placeholder row

from .certification_intervals import register as register_intervals  # noqa: E402

register_intervals()  # 9.2.1: audits at planned intervals

from aims.api.schema import name_choice_set  # noqa: E402

from .models.audit import NOT_CONFORMING, Audit, Frequency, Result  # noqa: E402

name_choice_set("AuditFrequencyEnum", Frequency)  # suggested and chosen
name_choice_set("ChecklistResultEnum", Result)
name_choice_set("FindingGradeEnum", NOT_CONFORMING)
name_choice_set("AuditKindEnum", Audit.Kind)
name_choice_set("AuditStageEnum", Audit.Stage)
name_choice_set("AuditOutcomeEnum", Audit.Outcome)
# Evidence is described twice, as JSON and as a multipart upload: one name for each of its choice sets.
name_choice_set("EvidenceKindEnum", Evidence.Kind)
name_choice_set("EvidenceOriginEnum", Evidence.Origin)

# The AI system page lists the audits that covered the system (lifecycle.system_hub).
from aims.links import Related  # noqa: E402

registry.add_related(
    "lifecycle.AISystem",
    Related(
        "Audits that covered it",
        lambda system: Audit.objects.live().filter(systems=system).order_by("-starts_on", "-id"),
        lambda audit: audit.get_status_display().lower(),
        empty="None yet.",
        limit=10,
    ),
)
