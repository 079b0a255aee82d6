"""ISO/IEC 42001:2023 catalogue as data: identifiers, short titles and our own paraphrases.

No text of the standard is reproduced; summaries are paraphrases written for this product.
"""

STANDARD = {
    "key": "iso42001",
    "name": "ISO/IEC 42001:2023",
    "title": "Information technology - Artificial intelligence - Management system",
    "edition": "First edition, 2023-12",
}

# (code, parent_code or None, kind, title, summary)
# kind is one of: "clause" (top-level heading 4..10), "heading" (intermediate: 6.1, 7.5, 9.2, 9.3),
# "requirement" (the 32 auditable leaves), "annex" (the "A" root node),
# "objective" (A.2 ... A.10 groups, plus A.6.1 and A.6.2 as sub-groups under A.6),
# "control" (the 38 controls).
REQUIREMENTS = [
    # --- Clause 4 ---
    (
        "4",
        None,
        "clause",
        "Context of the organization",
        "Know where the organization stands, who cares about its AI work, and what the AI management "
        "system covers.",
    ),
    (
        "4.1",
        "4",
        "requirement",
        "Understanding the organization and its context",
        "Identify internal and external issues that matter for AI, including your AI role and whether "
        "climate change is relevant.",
    ),
    (
        "4.2",
        "4",
        "requirement",
        "Understanding the needs and expectations of interested parties",
        "List the stakeholders that matter to the AI system and decide which of their needs you will "
        "address.",
    ),
    (
        "4.3",
        "4",
        "requirement",
        "Determining the scope of the AI management system",
        "Set and write down the boundaries of the AI management system, taking context and stakeholders "
        "into account.",
    ),
    (
        "4.4",
        "4",
        "requirement",
        "AI management system",
        "Set up, run, keep up to date, improve and document the AI management system and its processes.",
    ),
    # --- Clause 5 ---
    (
        "5",
        None,
        "clause",
        "Leadership",
        "Top management drives the AI management system, sets the AI policy and assigns responsibilities.",
    ),
    (
        "5.1",
        "5",
        "requirement",
        "Leadership and commitment",
        "Senior leaders visibly back the AI management system, give it resources and tie it to business "
        "goals.",
    ),
    (
        "5.2",
        "5",
        "requirement",
        "AI policy",
        "Leadership approves a written AI policy that fits the organization's purpose and frames its AI "
        "objectives.",
    ),
    (
        "5.3",
        "5",
        "requirement",
        "Roles, responsibilities and authorities",
        "Assign and communicate who is responsible for what in the AI management system and who reports "
        "on it.",
    ),
    # --- Clause 6 ---
    (
        "6",
        None,
        "clause",
        "Planning",
        "Plan how to handle AI risks and opportunities, assess impacts, set objectives and manage changes.",
    ),
    (
        "6.1",
        "6",
        "heading",
        "Actions to address risks and opportunities",
        "Group of planning steps for AI risk criteria, risk assessment, risk treatment and impact "
        "assessment.",
    ),
    (
        "6.1.1",
        "6.1",
        "requirement",
        "General",
        "Work out AI risks and opportunities, define criteria for acceptable risk, and plan actions to "
        "deal with them.",
    ),
    (
        "6.1.2",
        "6.1",
        "requirement",
        "AI risk assessment",
        "Define a repeatable way to find, analyse and rank AI risks, using impact assessment results "
        "where useful.",
    ),
    (
        "6.1.3",
        "6.1",
        "requirement",
        "AI risk treatment",
        "Choose treatments and controls, compare them with Annex A, write a statement of applicability "
        "and get plans approved.",
    ),
    (
        "6.1.4",
        "6.1",
        "requirement",
        "AI system impact assessment",
        "Define a process to judge how AI systems could affect people, groups and society, and keep the "
        "results.",
    ),
    (
        "6.2",
        "6",
        "requirement",
        "AI objectives and planning to achieve them",
        "Set measurable AI objectives at relevant levels and plan who does what, by when, with which "
        "resources.",
    ),
    (
        "6.3",
        "6",
        "requirement",
        "Planning of changes",
        "Make changes to the AI management system in a planned, controlled way.",
    ),
    # --- Clause 7 ---
    (
        "7",
        None,
        "clause",
        "Support",
        "Provide the people, skills, awareness, communication and documentation the AI management system "
        "needs.",
    ),
    (
        "7.1",
        "7",
        "requirement",
        "Resources",
        "Decide on and supply the resources needed to run and improve the AI management system.",
    ),
    (
        "7.2",
        "7",
        "requirement",
        "Competence",
        "Make sure staff doing AI-related work are qualified, close any skill gaps and keep evidence of "
        "competence.",
    ),
    (
        "7.3",
        "7",
        "requirement",
        "Awareness",
        "Staff know the AI policy, how they contribute, and what happens if they do not follow the system.",
    ),
    (
        "7.4",
        "7",
        "requirement",
        "Communication",
        "Decide what to communicate about the AI management system, to whom, when and how.",
    ),
    (
        "7.5",
        "7",
        "heading",
        "Documented information",
        "Group of requirements on which documents and records to keep and how to manage them.",
    ),
    (
        "7.5.1",
        "7.5",
        "requirement",
        "General",
        "Keep the documents the standard asks for plus any others you judge necessary for the system to "
        "work.",
    ),
    (
        "7.5.2",
        "7.5",
        "requirement",
        "Creating and updating documented information",
        "Give documents proper identification, a suitable format and review and approval before use.",
    ),
    (
        "7.5.3",
        "7.5",
        "requirement",
        "Control of documented information",
        "Keep documents available, protected, versioned and properly stored, retained and disposed of.",
    ),
    # --- Clause 8 ---
    (
        "8",
        None,
        "clause",
        "Operation",
        "Carry out the planned AI processes, risk assessments, risk treatments and impact assessments in "
        "practice.",
    ),
    (
        "8.1",
        "8",
        "requirement",
        "Operational planning and control",
        "Plan, run and control the processes needed, including outsourced ones, and keep proof they ran "
        "as planned.",
    ),
    (
        "8.2",
        "8",
        "requirement",
        "AI risk assessment",
        "Run AI risk assessments at planned intervals and after significant changes, and keep the results.",
    ),
    (
        "8.3",
        "8",
        "requirement",
        "AI risk treatment",
        "Put the AI risk treatment plan into action, check it works, and keep records of the outcomes.",
    ),
    (
        "8.4",
        "8",
        "requirement",
        "AI system impact assessment",
        "Carry out AI system impact assessments at planned intervals or on major change, and keep the "
        "results.",
    ),
    # --- Clause 9 ---
    (
        "9",
        None,
        "clause",
        "Performance evaluation",
        "Check how well the AI management system performs through monitoring, internal audit and "
        "management review.",
    ),
    (
        "9.1",
        "9",
        "requirement",
        "Monitoring, measurement, analysis and evaluation",
        "Decide what to measure, how and when, then analyse results to judge the system's performance.",
    ),
    (
        "9.2",
        "9",
        "heading",
        "Internal audit",
        "Group of requirements on auditing the AI management system internally.",
    ),
    (
        "9.2.1",
        "9.2",
        "requirement",
        "General",
        "Audit the AI management system at planned intervals to check it meets requirements and works well.",
    ),
    (
        "9.2.2",
        "9.2",
        "requirement",
        "Internal audit programme",
        "Plan audits with scope, criteria and impartial auditors, report results to management and keep "
        "records.",
    ),
    (
        "9.3",
        "9",
        "heading",
        "Management review",
        "Group of requirements on top management reviewing the AI management system.",
    ),
    (
        "9.3.1",
        "9.3",
        "requirement",
        "General",
        "Top management reviews the AI management system at planned intervals to confirm it stays fit for"
        " purpose.",
    ),
    (
        "9.3.2",
        "9.3",
        "requirement",
        "Management review inputs",
        "Reviews consider past actions, changes, stakeholder needs, performance trends and improvement "
        "chances.",
    ),
    (
        "9.3.3",
        "9.3",
        "requirement",
        "Management review results",
        "Reviews end with decisions on improvements and needed changes, and the results are recorded.",
    ),
    # --- Clause 10 ---
    (
        "10",
        None,
        "clause",
        "Improvement",
        "Keep making the AI management system better and fix problems when they appear.",
    ),
    (
        "10.1",
        "10",
        "requirement",
        "Continual improvement",
        "Keep improving how suitable, adequate and effective the AI management system is.",
    ),
    (
        "10.2",
        "10",
        "requirement",
        "Nonconformity and corrective action",
        "When something goes wrong, fix it, find the root cause, prevent repeats and record what was done.",
    ),
    # --- Annex A ---
    (
        "A",
        None,
        "annex",
        "Annex A - Reference control objectives and controls",
        "Reference set of AI control objectives and controls to compare against when choosing risk "
        "treatments.",
    ),
    # A.2
    (
        "A.2",
        "A",
        "objective",
        "Policies related to AI",
        "Give management direction and support for AI systems in line with business needs.",
    ),
    ("A.2.2", "A.2", "control", "AI policy", "Write down a policy for developing or using AI systems."),
    (
        "A.2.3",
        "A.2",
        "control",
        "Alignment with other organizational policies",
        "Work out where other company policies touch AI and line them up with AI goals.",
    ),
    (
        "A.2.4",
        "A.2",
        "control",
        "Review of the AI policy",
        "Review the AI policy at planned times, or when needed, to keep it suitable and effective.",
    ),
    # A.3
    (
        "A.3",
        "A",
        "objective",
        "Internal organization",
        "Set up clear accountability inside the organization for responsible AI work.",
    ),
    (
        "A.3.2",
        "A.3",
        "control",
        "AI roles and responsibilities",
        "Define and assign AI roles and responsibilities to fit the organization's needs.",
    ),
    (
        "A.3.3",
        "A.3",
        "control",
        "Reporting of concerns",
        "Provide a way for people to raise concerns about the organization's AI systems across their life"
        " cycle.",
    ),
    # A.4
    (
        "A.4",
        "A",
        "objective",
        "Resources for AI systems",
        "Keep track of all resources behind AI systems so risks and impacts can be understood.",
    ),
    (
        "A.4.2",
        "A.4",
        "control",
        "Resource documentation",
        "Identify and record the resources each AI system needs at every life cycle stage.",
    ),
    (
        "A.4.3",
        "A.4",
        "control",
        "Data resources",
        "Record which data resources the AI system uses as part of identifying its resources.",
    ),
    (
        "A.4.4",
        "A.4",
        "control",
        "Tooling resources",
        "Record the tools used to build and run the AI system as part of identifying its resources.",
    ),
    (
        "A.4.5",
        "A.4",
        "control",
        "System and computing resources",
        "Record the hardware and computing resources the AI system relies on.",
    ),
    (
        "A.4.6",
        "A.4",
        "control",
        "Human resources",
        "Record the people and skills needed to develop, run and oversee the AI system.",
    ),
    # A.5
    (
        "A.5",
        "A",
        "objective",
        "Assessing impacts of AI systems",
        "Judge how AI systems may affect individuals, groups and society over their whole life cycle.",
    ),
    (
        "A.5.2",
        "A.5",
        "control",
        "AI system impact assessment process",
        "Have a set process for assessing possible consequences of AI systems for people and society.",
    ),
    (
        "A.5.3",
        "A.5",
        "control",
        "Documentation of AI system impact assessments",
        "Record impact assessment results and keep them for a set period.",
    ),
    (
        "A.5.4",
        "A.5",
        "control",
        "Assessing AI system impact on individuals or groups of individuals",
        "Assess and record how an AI system could affect specific people or groups throughout its life.",
    ),
    (
        "A.5.5",
        "A.5",
        "control",
        "Assessing societal impacts of AI systems",
        "Assess and record how an AI system could affect society as a whole throughout its life.",
    ),
    # A.6
    (
        "A.6",
        "A",
        "objective",
        "AI system life cycle",
        "Manage AI systems responsibly from design through development, deployment, operation and "
        "retirement.",
    ),
    (
        "A.6.1",
        "A.6",
        "objective",
        "Management guidance for AI system development",
        "Set objectives and processes so AI systems are designed and built responsibly.",
    ),
    (
        "A.6.1.2",
        "A.6.1",
        "control",
        "Objectives for responsible development of AI system",
        "Define and record goals for responsible AI development and build them into the development process.",
    ),
    (
        "A.6.1.3",
        "A.6.1",
        "control",
        "Processes for responsible AI system design and development",
        "Define and record the processes used to design and build AI systems responsibly.",
    ),
    (
        "A.6.2",
        "A.6",
        "objective",
        "AI system life cycle",
        "Set criteria and requirements for each stage of the AI system life cycle.",
    ),
    (
        "A.6.2.2",
        "A.6.2",
        "control",
        "AI system requirements and specification",
        "Specify and record requirements for new AI systems or major changes to existing ones.",
    ),
    (
        "A.6.2.3",
        "A.6.2",
        "control",
        "Documentation of AI system design and development",
        "Record how the AI system was designed and developed, based on objectives and requirements.",
    ),
    (
        "A.6.2.4",
        "A.6.2",
        "control",
        "AI system verification and validation",
        "Define and record how the AI system is tested and checked, with criteria for passing.",
    ),
    (
        "A.6.2.5",
        "A.6.2",
        "control",
        "AI system deployment",
        "Plan and record deployment, making sure requirements are met before release.",
    ),
    (
        "A.6.2.6",
        "A.6.2",
        "control",
        "AI system operation and monitoring",
        "Define what is needed to run and watch the AI system, including repairs, updates and support.",
    ),
    (
        "A.6.2.7",
        "A.6.2",
        "control",
        "AI system technical documentation",
        "Decide what technical documentation each audience needs and provide it in a suitable form.",
    ),
    (
        "A.6.2.8",
        "A.6.2",
        "control",
        "AI system recording of event logs",
        "Decide at which life cycle stages the AI system should log events, at minimum while in use.",
    ),
    # A.7
    (
        "A.7",
        "A",
        "objective",
        "Data for AI systems",
        "Understand the part data plays in AI systems and its effects across the life cycle.",
    ),
    (
        "A.7.2",
        "A.7",
        "control",
        "Data for development and enhancement of AI system",
        "Define and run data management processes for building and improving AI systems.",
    ),
    (
        "A.7.3",
        "A.7",
        "control",
        "Acquisition of data",
        "Decide and record how data for AI systems is chosen and obtained.",
    ),
    (
        "A.7.4",
        "A.7",
        "control",
        "Quality of data for AI systems",
        "Set data quality requirements and check that data used by AI systems meets them.",
    ),
    (
        "A.7.5",
        "A.7",
        "control",
        "Data provenance",
        "Record where data came from and how it changed over its use in the AI system.",
    ),
    (
        "A.7.6",
        "A.7",
        "control",
        "Data preparation",
        "Set and record the criteria and methods used to prepare data for AI systems.",
    ),
    # A.8
    (
        "A.8",
        "A",
        "objective",
        "Information for interested parties of AI systems",
        "Make sure stakeholders get the information they need to understand AI risks and impacts.",
    ),
    (
        "A.8.2",
        "A.8",
        "control",
        "System documentation and information for users",
        "Give users the information they need about the AI system.",
    ),
    (
        "A.8.3",
        "A.8",
        "control",
        "External reporting",
        "Let outside parties report negative effects of the AI system.",
    ),
    (
        "A.8.4",
        "A.8",
        "control",
        "Communication of incidents",
        "Plan and record how AI incidents are communicated to users and other affected parties.",
    ),
    (
        "A.8.5",
        "A.8",
        "control",
        "Information for interested parties",
        "Decide and record what AI system information is shared with stakeholders, such as regulators.",
    ),
    # A.9
    (
        "A.9",
        "A",
        "objective",
        "Use of AI systems",
        "Use AI systems responsibly and in line with the organization's policies.",
    ),
    (
        "A.9.2",
        "A.9",
        "control",
        "Processes for responsible use of AI systems",
        "Define and record processes for using AI systems responsibly.",
    ),
    (
        "A.9.3",
        "A.9",
        "control",
        "Objectives for responsible use of AI system",
        "Set and record goals that guide the responsible use of AI systems.",
    ),
    (
        "A.9.4",
        "A.9",
        "control",
        "Intended use of the AI system",
        "Make sure the AI system is used as intended and as its documentation describes.",
    ),
    # A.10
    (
        "A.10",
        "A",
        "objective",
        "Third-party and customer relationships",
        "Keep accountability clear and share risk fairly when suppliers, partners or customers are involved.",
    ),
    (
        "A.10.2",
        "A.10",
        "control",
        "Allocating responsibilities",
        "Split AI life cycle responsibilities clearly between the organization and its partners and "
        "suppliers.",
    ),
    (
        "A.10.3",
        "A.10",
        "control",
        "Suppliers",
        "Make sure services, products or materials from suppliers fit the organization's responsible AI "
        "approach.",
    ),
    (
        "A.10.4",
        "A.10",
        "control",
        "Customers",
        "Take customer needs and expectations into account when providing AI products and services.",
    ),
]

# Annex C.3 risk sources (7) and C.2 objectives (11): (code, title), alphabetical as in the reference.
RISK_SOURCES = [
    ("C.3.1", "Complexity of environment"),
    ("C.3.2", "Lack of transparency and explainability"),
    ("C.3.3", "Level of automation"),
    ("C.3.4", "Risk sources related to machine learning"),
    ("C.3.5", "System hardware issues"),
    ("C.3.6", "System life cycle issues"),
    ("C.3.7", "Technology readiness"),
]

AI_OBJECTIVES = [
    ("C.2.1", "Accountability"),
    ("C.2.2", "AI expertise"),
    ("C.2.3", "Availability and quality of training and test data"),
    ("C.2.4", "Environmental impact"),
    ("C.2.5", "Fairness"),
    ("C.2.6", "Maintainability"),
    ("C.2.7", "Privacy"),
    ("C.2.8", "Robustness"),
    ("C.2.9", "Safety"),
    ("C.2.10", "Security"),
    ("C.2.11", "Transparency and explainability"),
]


if __name__ == "__main__":
    from collections import Counter

    kinds = Counter(row[2] for row in REQUIREMENTS)
    assert kinds["requirement"] == 32, kinds
    assert kinds["control"] == 38, kinds
    assert kinds["objective"] == 11, kinds
    assert kinds["clause"] == 7, kinds
    assert kinds["heading"] == 4, kinds
    assert kinds["annex"] == 1, kinds
    expected_kinds = {"clause", "heading", "requirement", "annex", "objective", "control"}
    assert set(kinds) == expected_kinds, kinds

    seen = set()
    for code, parent, _kind, title, summary in REQUIREMENTS:
        assert code not in seen, f"duplicate code {code}"
        assert parent is None or parent in seen, f"{code}: parent {parent} must come first"
        assert title and summary, code
        seen.add(code)

    assert len(RISK_SOURCES) == 7 and len(AI_OBJECTIVES) == 11
    print("ok")
