"""The glossary: terms of ISO/IEC 42001 clause 3 (which takes many from ISO/IEC 22989) and the
practitioner's terms AIMS uses, each in our own words. Forms link a field's help text to its term
(FIELD_TERMS), so people meet the definition where they need it."""

from dataclasses import dataclass

from django.utils.text import slugify


@dataclass(frozen=True)
class Term:
    term: str
    meaning: str
    source: str  # where the term is defined: "42001 cl. 3", "ISO/IEC 22989", "practice"

    @property
    def slug(self) -> str:
        return slugify(self.term)


STANDARD = "ISO/IEC 42001 clause 3"
VOCAB = "ISO/IEC 22989"
PRACTICE = "AI governance practice"

TERMS = sorted(
    [
        Term(
            "AI system",
            "An engineered system that produces outputs such as content, forecasts, recommendations or "
            "decisions for objectives people set, with some degree of autonomy.",
            VOCAB,
        ),
        Term(
            "AI management system (AIMS)",
            "The policies, objectives, processes and records through which an "
            "organisation directs and controls its responsible development, provision or use of AI systems.",
            STANDARD,
        ),
        Term(
            "AI policy",
            "Top management's statement of intentions and direction for AI, approved by them and "
            "communicated; the frame for AI objectives (5.2).",
            STANDARD,
        ),
        Term(
            "AI objective",
            "A result the organisation sets out to achieve with its AIMS, measurable where "
            "practicable, with an owner and a date (6.2).",
            STANDARD,
        ),
        Term(
            "AI risk",
            "The effect of uncertainty on objectives arising from the development, provision or use of "
            "AI systems; expressed through likelihood and consequence.",
            STANDARD,
        ),
        Term(
            "AI system impact assessment",
            "A documented look at the consequences an AI system can have for "
            "individuals, groups and society, during its whole life cycle (6.1.4).",
            STANDARD,
        ),
        Term(
            "Risk appetite",
            "The amount of risk the organisation is willing to accept; above it, only the "
            "governance board decides.",
            PRACTICE,
        ),
        Term(
            "Risk treatment",
            "Choosing and applying options to modify a risk: avoid, mitigate, transfer or accept (6.1.3).",
            STANDARD,
        ),
        Term(
            "Statement of Applicability",
            "The list of Annex A controls (and any others) with, for each, whether "
            "it applies, why, and how far it is implemented (6.1.3).",
            STANDARD,
        ),
        Term("Control", "A measure that maintains or modifies risk; Annex A lists 38 for AI.", STANDARD),
        Term(
            "Interested party",
            "A person or organisation that can affect, be affected by, or believe itself "
            "affected by a decision or activity of the organisation (4.2).",
            STANDARD,
        ),
        Term(
            "Compliance obligation",
            "A requirement the organisation must or chooses to meet: a law, a contract, a code of practice.",
            PRACTICE,
        ),
        Term(
            "Context of the organisation",
            "The internal and external issues that shape what the AIMS can "
            "achieve, including whether climate change is relevant (4.1).",
            STANDARD,
        ),
        Term(
            "Scope",
            "The boundaries of the AIMS: which units, sites, AI systems and activities it covers, and "
            "what is excluded and why (4.3).",
            STANDARD,
        ),
        Term(
            "AI roles",
            "The parts an organisation can play for an AI system: provider, producer, customer "
            "(including user), partner, subject, or relevant authority.",
            VOCAB,
        ),
        Term(
            "AI provider",
            "An organisation that provides products or services using AI, as a platform or as "
            "a product or service.",
            VOCAB,
        ),
        Term("AI producer", "An organisation that designs, develops, tests or deploys AI systems.", VOCAB),
        Term(
            "AI customer",
            "An organisation or person that uses an AI product or service, including the user.",
            VOCAB,
        ),
        Term(
            "AI partner",
            "An organisation that supplies something to an AI system, such as integration or data.",
            VOCAB,
        ),
        Term(
            "AI subject",
            "A person or organisation affected by an AI system, including the subjects of its data.",
            VOCAB,
        ),
        Term(
            "Relevant authority",
            "A policymaker or regulator with powers over AI systems or their use.",
            VOCAB,
        ),
        Term(
            "Top management",
            "The person or group who direct and control the organisation at the highest level; "
            "in AIMS, the governance board.",
            STANDARD,
        ),
        Term(
            "Governance board",
            "The group that approves policies, the SoA and risk acceptance, and reviews the "
            "AIMS (AIMS's role for top management).",
            PRACTICE,
        ),
        Term(
            "Competence",
            "The ability to apply knowledge and skills to achieve intended results (7.2).",
            STANDARD,
        ),
        Term(
            "Awareness",
            "People knowing the AI policy, their contribution to the AIMS, and what failing to "
            "conform means (7.3).",
            STANDARD,
        ),
        Term(
            "Documented information",
            "Information the organisation must control and keep, and the medium it is "
            "on: documents that say what to do, records that show what was done (7.5).",
            STANDARD,
        ),
        Term(
            "Document of external origin",
            "A document the organisation did not write but needs, such as a "
            "regulation, a standard or a supplier's manual (7.5.3).",
            STANDARD,
        ),
        Term("Process", "A set of related activities that turns inputs into outputs.", STANDARD),
        Term("Performance", "A measurable result.", STANDARD),
        Term("Monitoring", "Finding out the status of a system, process or activity.", STANDARD),
        Term("Measurement", "A process to determine a value.", STANDARD),
        Term(
            "Audit",
            "A systematic, independent and documented process of obtaining evidence and evaluating it "
            "against criteria (9.2).",
            STANDARD,
        ),
        Term("Conformity", "Meeting a requirement.", STANDARD),
        Term("Nonconformity", "Not meeting a requirement (10.2).", STANDARD),
        Term(
            "Corrective action",
            "Action to remove the cause of a nonconformity and stop it recurring (10.2).",
            STANDARD,
        ),
        Term("Continual improvement", "Recurring activity to enhance performance (10.1).", STANDARD),
        Term(
            "Effectiveness",
            "How far planned activities are carried out and planned results achieved.",
            STANDARD,
        ),
        Term(
            "Maturity level",
            "A 0-5 rating of how established a practice is: not in place, initial, repeatable, "
            "defined, measured, optimised.",
            PRACTICE,
        ),
        Term(
            "RACI",
            "Who is Responsible, Accountable, Consulted and Informed for each AIMS process; exactly one "
            "Accountable per process.",
            PRACTICE,
        ),
        Term(
            "Human oversight",
            "People's ability to understand, monitor, intervene in and override an AI system's operation.",
            PRACTICE,
        ),
        Term(
            "Bias",
            "Systematic difference in treatment of certain objects, people or groups compared with others.",
            VOCAB,
        ),
        Term("Four eyes", "Nobody approves or accepts their own record: a second person decides.", PRACTICE),
    ],
    key=lambda t: t.term.lower(),
)

BY_SLUG = {t.slug: t for t in TERMS}

# Form field name -> glossary slug: the field's help text links to the term.
FIELD_TERMS = {
    "ai_roles": "ai-roles",
    "interested_party": "interested-party",
    "kind": None,  # too generic to link
    "target_maturity": "maturity-level",
    "treatment": "risk-treatment",
    "external_origin": "document-of-external-origin",
    "acknowledge_roles": "awareness",
    "applicability": "compliance-obligation",
    "climate_relevant": "context-of-the-organisation",
    "boundaries": "scope",
    "exclusions": "statement-of-applicability",
    "approver": "four-eyes",
    "measure": "measurement",
}


def term_for_field(name: str) -> Term | None:
    slug = FIELD_TERMS.get(name)
    return BY_SLUG.get(slug) if slug else None
