"""Other standards as data, and how they map to ISO/IEC 42001: identifiers, short titles in our own words
and the strength of each link. No text of any standard or of the regulation is reproduced.

- ISO/IEC 27001:2022: the harmonized clauses 4 to 10 only (not its Annex A), one to one with 42001.
- NIST AI RMF 1.0: 4 functions, 19 categories, 72 subcategories; subcategory pairs from the crosswalk
  NIST publishes, all 281 rows of it as aims/data/nist-ai-rmf-to-iso42001.csv holds them (related, the
  note naming the source), and category-level pairs of our own analysis (analytical).
- EU AI Act (Regulation (EU) 2024/1689): the articles that carry high-risk obligations, mapped by our
  own analysis (analytical).

Loaded by the data migration aims/migrations/0005_crosswalk_standards.py (and the published NIST pairs
again by the migration named nist_published_crosswalk, for databases made before them). Facts:
../shared/reference/iso42001.md section 5."""

import csv
from pathlib import Path

ISO42001 = "iso42001"

STANDARDS = [
    {
        "key": "iso27001",
        "name": "ISO/IEC 27001:2022",
        "title": "Information security management systems - Requirements (harmonized clauses 4 to 10)",
        "edition": "Third edition, 2022-10; Annex A not included here",
    },
    {
        "key": "nistairmf",
        "name": "NIST AI RMF 1.0",
        "title": "Artificial Intelligence Risk Management Framework (NIST AI 100-1)",
        "edition": "Version 1.0, January 2023",
    },
    {
        "key": "euaiact",
        "name": "EU AI Act",
        "title": "Regulation (EU) 2024/1689 laying down harmonised rules on artificial intelligence",
        "edition": "OJ 12 July 2024; in force 1 August 2024",
    },
]

EQUIVALENT, RELATED, ANALYTICAL = "equivalent", "related", "analytical"
NIST_CROSSWALK_CSV = Path(__file__).parent / "data" / "nist-ai-rmf-to-iso42001.csv"
# The note of every published pair: where it comes from, and the label the source gives the 42001 item.
NIST_PUBLISHED = (
    "Published by NIST: AI RMF to ISO/IEC FDIS 42001 crosswalk (contributed by Microsoft); listed there as {}"
)
OUR_ANALYSIS = "Analytical mapping of our own: not an official crosswalk"

# --- ISO/IEC 27001:2022, clauses 4 to 10 ------------------------------------------------------------------
# (code, parent, kind, title, summary, 42001 counterpart's strength, delta note)
# Same numbering as 42001; 6.1.4 and 8.4 (AI system impact assessment) have no counterpart here.
ISO27001 = [
    ("4", None, "clause", "Context of the organization", "Where the organization stands and what the ISMS covers.", EQUIVALENT, ""),
    ("4.1", "4", "requirement", "Understanding the organization and its context", "Issues inside and outside that bear on information security.", EQUIVALENT, "42001 adds AI roles, intended purpose and prohibited uses"),
    ("4.2", "4", "requirement", "Understanding the needs and expectations of interested parties", "Who has a stake in information security and what they need.", EQUIVALENT, ""),
    ("4.3", "4", "requirement", "Determining the scope of the information security management system", "Boundaries of the ISMS, written down.", EQUIVALENT, "ISMS in place of AIMS"),
    ("4.4", "4", "requirement", "Information security management system", "Set up, run, maintain and improve the ISMS.", EQUIVALENT, "42001 also asks for the AIMS to be documented"),
    ("5", None, "clause", "Leadership", "Top management leads the ISMS.", EQUIVALENT, ""),
    ("5.1", "5", "requirement", "Leadership and commitment", "Leaders back the ISMS and give it resources.", EQUIVALENT, ""),
    ("5.2", "5", "requirement", "Policy", "An information security policy approved by top management.", RELATED, "Same place in the structure; the policy's subject differs"),
    ("5.3", "5", "requirement", "Organizational roles, responsibilities and authorities", "Who is responsible for what in the ISMS.", EQUIVALENT, ""),
    ("6", None, "clause", "Planning", "Plan for risks, opportunities, objectives and changes.", EQUIVALENT, ""),
    ("6.1", "6", "heading", "Actions to address risks and opportunities", "Risk and opportunity planning.", EQUIVALENT, ""),
    ("6.1.1", "6.1", "requirement", "General", "Decide which risks and opportunities to address and how.", EQUIVALENT, "42001 adds AI risk criteria"),
    ("6.1.2", "6.1", "requirement", "Information security risk assessment", "A repeatable way to find, analyse and evaluate security risks.", RELATED, "42001 also weighs consequences for individuals and society"),
    ("6.1.3", "6.1", "requirement", "Information security risk treatment", "Choose treatments, compare with Annex A, keep an SoA.", RELATED, "Both produce an SoA against their own Annex A"),
    ("6.2", "6", "requirement", "Information security objectives and planning to achieve them", "Measurable security objectives with plans.", RELATED, ""),
    ("6.3", "6", "requirement", "Planning of changes", "Change the ISMS in a planned way.", EQUIVALENT, ""),
    ("7", None, "clause", "Support", "Resources, people, communication and documents.", EQUIVALENT, ""),
    ("7.1", "7", "requirement", "Resources", "Provide what the ISMS needs.", EQUIVALENT, ""),
    ("7.2", "7", "requirement", "Competence", "People are competent, with evidence kept.", EQUIVALENT, ""),
    ("7.3", "7", "requirement", "Awareness", "People know the policy and their part.", EQUIVALENT, ""),
    ("7.4", "7", "requirement", "Communication", "Decide what is communicated, to whom and when.", EQUIVALENT, ""),
    ("7.5", "7", "heading", "Documented information", "Documents and records of the ISMS.", EQUIVALENT, ""),
    ("7.5.1", "7.5", "requirement", "General", "The documented information the ISMS needs.", EQUIVALENT, ""),
    ("7.5.2", "7.5", "requirement", "Creating and updating", "Identify, format, review and approve documents.", EQUIVALENT, ""),
    ("7.5.3", "7.5", "requirement", "Control of documented information", "Keep documents available, protected and under change control.", EQUIVALENT, ""),
    ("8", None, "clause", "Operation", "Run the planned processes.", EQUIVALENT, ""),
    ("8.1", "8", "requirement", "Operational planning and control", "Plan, run and control the processes.", EQUIVALENT, ""),
    ("8.2", "8", "requirement", "Information security risk assessment", "Assess security risks at planned intervals.", RELATED, ""),
    ("8.3", "8", "requirement", "Information security risk treatment", "Carry out the treatment plan.", RELATED, ""),
    ("9", None, "clause", "Performance evaluation", "Monitor, audit and review.", EQUIVALENT, ""),
    ("9.1", "9", "requirement", "Monitoring, measurement, analysis and evaluation", "Measure how the ISMS performs.", EQUIVALENT, ""),
    ("9.2", "9", "heading", "Internal audit", "Audit the ISMS.", EQUIVALENT, ""),
    ("9.2.1", "9.2", "requirement", "General", "Audit at planned intervals.", EQUIVALENT, ""),
    ("9.2.2", "9.2", "requirement", "Internal audit programme", "Plan and run an audit programme.", EQUIVALENT, ""),
    ("9.3", "9", "heading", "Management review", "Top management reviews the ISMS.", EQUIVALENT, ""),
    ("9.3.1", "9.3", "requirement", "General", "Review at planned intervals.", EQUIVALENT, ""),
    ("9.3.2", "9.3", "requirement", "Management review inputs", "What the review considers.", RELATED, "27001 also asks for inputs 42001 does not list: objectives met, interested parties' feedback, risk assessment and treatment results"),
    ("9.3.3", "9.3", "requirement", "Management review results", "Decisions and changes from the review.", EQUIVALENT, ""),
    ("10", None, "clause", "Improvement", "Improve and correct.", EQUIVALENT, ""),
    ("10.1", "10", "requirement", "Continual improvement", "Keep making the ISMS better.", EQUIVALENT, ""),
    ("10.2", "10", "requirement", "Nonconformity and corrective action", "Fix nonconformities and their causes.", EQUIVALENT, ""),
]  # fmt: skip

# --- NIST AI RMF 1.0 ---------------------------------------------------------------------------------------
NIST_FUNCTIONS = [
    ("GOVERN", "Govern", "A culture and structures for managing AI risk."),
    ("MAP", "Map", "Context is known and risks are identified."),
    ("MEASURE", "Measure", "Risks are analysed, assessed and tracked."),
    ("MANAGE", "Manage", "Risks are prioritised and acted upon."),
]
# (category code, function, short title of our own)
NIST_CATEGORIES = [
    ("GV-1", "GOVERN", "Policies, processes and practices for AI risk are in place"),
    ("GV-2", "GOVERN", "Accountability structures for AI risk"),
    ("GV-3", "GOVERN", "Diverse teams and defined human-AI roles"),
    ("GV-4", "GOVERN", "A culture that weighs and shares AI risk"),
    ("GV-5", "GOVERN", "Engagement with AI actors outside the team"),
    ("GV-6", "GOVERN", "Third-party software, data and supply chain"),
    ("MP-1", "MAP", "Context is established and understood"),
    ("MP-2", "MAP", "The AI system is categorised"),
    ("MP-3", "MAP", "Capabilities, use, benefits and costs are understood"),
    ("MP-4", "MAP", "Risks and benefits of every component are mapped"),
    ("MP-5", "MAP", "Impacts on people and society are characterised"),
    ("MS-1", "MEASURE", "Methods and metrics are chosen"),
    ("MS-2", "MEASURE", "Trustworthiness is evaluated"),
    ("MS-3", "MEASURE", "Risks are tracked over time"),
    ("MS-4", "MEASURE", "Feedback on how well measurement works"),
    ("MG-1", "MANAGE", "Risks are prioritised and responded to"),
    ("MG-2", "MANAGE", "Benefits maximised and harms reduced"),
    ("MG-3", "MANAGE", "Third-party risks are managed"),
    ("MG-4", "MANAGE", "Treatments, responses and communication are monitored"),
]
# (subcategory code, category, short title of our own)
NIST_SUBCATEGORIES = [
    ("GOVERN 1.1", "GV-1", "Legal and regulatory duties for AI are known and documented"),
    ("GOVERN 1.2", "GV-1", "Trustworthy-AI traits are built into policies"),
    ("GOVERN 1.3", "GV-1", "Risk-management effort matches the risk tolerance"),
    ("GOVERN 1.4", "GV-1", "Transparent policies set the risk process and its outcomes"),
    ("GOVERN 1.5", "GV-1", "Ongoing monitoring and periodic review are planned"),
    ("GOVERN 1.6", "GV-1", "An inventory of AI systems is kept"),
    ("GOVERN 1.7", "GV-1", "AI systems are decommissioned safely"),
    ("GOVERN 2.1", "GV-2", "Roles, responsibilities and reporting lines are documented"),
    ("GOVERN 2.2", "GV-2", "Staff and partners are trained in AI risk"),
    ("GOVERN 2.3", "GV-2", "Executives own decisions on AI risk"),
    ("GOVERN 3.1", "GV-3", "Diverse teams inform risk decisions"),
    ("GOVERN 3.2", "GV-3", "Human-AI roles and oversight are defined"),
    ("GOVERN 4.1", "GV-4", "A safety-first, critical-thinking culture"),
    ("GOVERN 4.2", "GV-4", "Teams record and share risks and impacts"),
    ("GOVERN 4.3", "GV-4", "Testing, incident finding and information sharing are enabled"),
    ("GOVERN 5.1", "GV-5", "Outside feedback is collected and weighed"),
    ("GOVERN 5.2", "GV-5", "Adjudicated feedback flows back into design"),
    ("GOVERN 6.1", "GV-6", "Third-party risks, intellectual property included, are addressed"),
    ("GOVERN 6.2", "GV-6", "Contingency plans for third-party failures"),
    ("MAP 1.1", "MP-1", "Intended purpose, setting and context are documented"),
    ("MAP 1.2", "MP-1", "Interdisciplinary actors take part in setting context"),
    ("MAP 1.3", "MP-1", "Mission and goals for the system are understood"),
    ("MAP 1.4", "MP-1", "Business value is stated or revisited"),
    ("MAP 1.5", "MP-1", "Risk tolerance is set and documented"),
    ("MAP 1.6", "MP-1", "Requirements are gathered with socio-technical effects in mind"),
    ("MAP 2.1", "MP-2", "Tasks and methods of the system are defined"),
    ("MAP 2.2", "MP-2", "Knowledge limits and human use of outputs are documented"),
    ("MAP 2.3", "MP-2", "Scientific integrity and test considerations are documented"),
    ("MAP 3.1", "MP-3", "Expected benefits are examined"),
    ("MAP 3.2", "MP-3", "Possible costs of errors are examined"),
    ("MAP 3.3", "MP-3", "The application scope is narrowed and documented"),
    ("MAP 3.4", "MP-3", "Operator proficiency is assessed"),
    ("MAP 3.5", "MP-3", "Human oversight processes are defined"),
    ("MAP 4.1", "MP-4", "Legal and technical risks of components are mapped"),
    ("MAP 4.2", "MP-4", "Internal controls for components are identified"),
    ("MAP 5.1", "MP-5", "Likelihood and size of each impact are estimated"),
    ("MAP 5.2", "MP-5", "Regular engagement on impacts with those affected"),
    ("MEASURE 1.1", "MS-1", "Metrics for the most significant risks are chosen"),
    ("MEASURE 1.2", "MS-1", "Metrics and controls are reassessed regularly"),
    ("MEASURE 1.3", "MS-1", "Independent assessors take part"),
    ("MEASURE 2.1", "MS-2", "Test sets, metrics and tools are documented"),
    ("MEASURE 2.2", "MS-2", "Evaluations with people meet their requirements"),
    ("MEASURE 2.3", "MS-2", "Performance is shown under deployment-like conditions"),
    ("MEASURE 2.4", "MS-2", "Behaviour is monitored in production"),
    ("MEASURE 2.5", "MS-2", "Validity and reliability are shown; limits noted"),
    ("MEASURE 2.6", "MS-2", "Safety risks are evaluated regularly"),
    ("MEASURE 2.7", "MS-2", "Security and resilience are evaluated"),
    ("MEASURE 2.8", "MS-2", "Transparency and accountability risks are examined"),
    ("MEASURE 2.9", "MS-2", "The model is explained and outputs read in context"),
    ("MEASURE 2.10", "MS-2", "Privacy risk is examined"),
    ("MEASURE 2.11", "MS-2", "Fairness and bias are evaluated"),
    ("MEASURE 2.12", "MS-2", "Environmental impact is assessed"),
    ("MEASURE 2.13", "MS-2", "The test metrics and processes are themselves evaluated"),
    ("MEASURE 3.1", "MS-3", "Emerging and unforeseen risks are tracked"),
    ("MEASURE 3.2", "MS-3", "Risks that are hard to measure are still tracked"),
    ("MEASURE 3.3", "MS-3", "Users and affected people can report problems and appeal"),
    ("MEASURE 4.1", "MS-4", "Measurement suits the deployment context"),
    ("MEASURE 4.2", "MS-4", "Trustworthiness results are checked with domain experts"),
    ("MEASURE 4.3", "MS-4", "Performance changes are identified and recorded"),
    ("MANAGE 1.1", "MG-1", "Go or no-go on whether the system meets its purpose"),
    ("MANAGE 1.2", "MG-1", "Risk treatment is prioritised"),
    ("MANAGE 1.3", "MG-1", "Responses to high-priority risks are planned"),
    ("MANAGE 1.4", "MG-1", "Residual risks are documented"),
    ("MANAGE 2.1", "MG-2", "Resources and non-AI alternatives are considered"),
    ("MANAGE 2.2", "MG-2", "The value of deployed systems is sustained"),
    ("MANAGE 2.3", "MG-2", "Newly found risks are responded to"),
    ("MANAGE 2.4", "MG-2", "Systems can be overridden, disengaged or switched off"),
    ("MANAGE 3.1", "MG-3", "Third-party risks are monitored and controlled"),
    ("MANAGE 3.2", "MG-3", "Pre-trained models are monitored"),
    ("MANAGE 4.1", "MG-4", "A post-deployment monitoring plan is in operation"),
    ("MANAGE 4.2", "MG-4", "Continual improvement is built into updates"),
    ("MANAGE 4.3", "MG-4", "Incidents and errors are communicated and handled"),
]


def nist_published_pairs() -> list[tuple[str, str, str]]:
    """[(subcategory, 42001 code, label in the source)] of NIST's published crosswalk, in its order, each
    pair once (the source lists one twice). See aims/data/README.md."""
    pairs: dict[tuple[str, str], str] = {}
    with NIST_CROSSWALK_CSV.open(newline="", encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            key = (row["nist_ai_rmf_subcategory"], row["iso42001_requirement"])
            pairs.setdefault(key, row["as_listed_in_source"])
    return [(sub, code, listed) for (sub, code), listed in pairs.items()]


_A7 = ["A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6"]
# Category -> 42001 clauses and controls: our own analysis, apart from the published subcategory pairs.
NIST_CATEGORY_PAIRS = {
    "GV-1": ["4.1", "4.2", "5.2", "6.1.1", "6.2", "7.5", "A.2.2", "A.2.3", "A.2.4", "A.4.2", "A.6.2.6"],
    "GV-2": ["5.1", "5.3", "7.2", "7.3", "A.3.2", "A.4.6"],
    "GV-3": ["5.3", "7.2", "A.3.2", "A.4.6", "A.6.1.3", "A.9.3"],
    "GV-4": ["5.1", "7.3", "7.4", "A.3.3", "A.5.3", "A.8.4"],
    "GV-5": ["4.2", "7.4", "A.8.3", "A.8.5", "A.10.4"],
    "GV-6": ["8.1", "A.10.2", "A.10.3", "A.4.3", "A.7.3"],
    "MP-1": ["4.1", "6.1.1", "6.1.4", "A.5.2", "A.6.2.2", "A.9.4"],
    "MP-2": ["6.1.2", "A.6.2.3", "A.6.2.7", *_A7],
    "MP-3": ["6.1.2", "6.1.4", "A.6.1.3", "A.8.2", "A.4.6"],
    "MP-4": ["6.1.2", "A.10.3", "A.7.3", "A.4.4"],
    "MP-5": ["6.1.2", "6.1.4", "8.4", "A.5.4", "A.5.5", "A.8.3"],
    "MS-1": ["9.1", "9.2", "A.6.2.4"],
    "MS-2": ["8.2", "9.1", "A.6.2.4", "A.6.2.6", "A.7.4", "A.5.4", "A.5.5"],
    "MS-3": ["8.2", "9.1", "A.6.2.6", "A.8.3", "A.3.3"],
    "MS-4": ["9.1", "9.3", "10.1", "A.6.2.6"],
    "MG-1": ["6.1.3", "8.3", "A.6.2.5"],
    "MG-2": ["6.1.3", "8.3", "7.1", "A.6.2.6", "A.9.4"],
    "MG-3": ["8.1", "8.3", "A.10.3", "A.4.4"],
    "MG-4": ["9.1", "9.3", "10.1", "10.2", "A.6.2.6", "A.6.2.8", "A.8.3", "A.8.4"],
}

# --- EU AI Act ---------------------------------------------------------------------------------------------
_CLAUSES = ["4", "5", "6", "7", "8", "9", "10"]
# (code, short title, our note on coverage, 42001 clauses and controls it maps to (analytical))
EU_ARTICLES = [
    ("Art. 4", "AI literacy", "Well covered by competence and awareness.", ["7.2", "7.3", "A.4.6"]),
    ("Art. 5", "Prohibited practices", "Needs an explicit screen for prohibited uses.", ["4.1", "6.1.2", "A.2.2", "A.9.4"]),
    ("Art. 6", "High-risk classification (with Annexes I and III)", "The classification itself lies outside 42001.", ["4.1", "4.3", "6.1.4", "A.4.2", "A.5.2"]),
    ("Art. 9", "Risk management system", "Strong overlap; the Act asks for it per system, covering health, safety and fundamental rights.", ["6.1.1", "6.1.2", "6.1.3", "8.2", "8.3", "A.5.2", "A.5.3", "A.5.4", "A.5.5", "A.6.1.2", "A.6.2.4"]),
    ("Art. 10", "Data and data governance", "Good overlap; bias examination and special-category data need their own procedures.", ["A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6", "A.4.3"]),
    ("Art. 11", "Technical documentation (with Annex IV)", "Partial: Annex IV fixes the content.", ["7.5", "A.6.2.2", "A.6.2.3", "A.6.2.7", "A.4.2", "A.4.3", "A.4.4", "A.4.5"]),
    ("Art. 12", "Record-keeping through automatic logs", "Partial: logging is a design requirement under the Act.", ["9.1", "A.6.2.8"]),
    ("Art. 13", "Transparency and information to deployers", "Good overlap; the instructions' content is prescribed.", ["7.4", "A.8.2", "A.6.2.7", "A.9.4", "A.10.4"]),
    ("Art. 14", "Human oversight", "A gap: no control is dedicated to oversight.", ["5.3", "A.6.1.3", "A.6.2.2", "A.9.2", "A.4.6"]),
    ("Art. 15", "Accuracy, robustness and cybersecurity", "Partial; pair with ISO/IEC 27001 for security.", ["8.1", "A.6.2.4", "A.6.2.6", "A.7.4"]),
    ("Art. 16", "Obligations of providers", "The whole management system contributes.", [*_CLAUSES, "A"]),
    ("Art. 17", "Quality management system", "The closest analogue to an AIMS.", [*_CLAUSES, "A"]),
    ("Art. 18", "Keeping documentation", "Set retention to at least ten years.", ["7.5.3", "A.5.3"]),
    ("Art. 19", "Automatically generated logs", "Set a log retention period.", ["7.5.3", "A.6.2.8"]),
    ("Art. 20", "Corrective actions and duty of information", "Partial: authorities and distributors must be told.", ["10.2", "A.8.4", "A.8.5"]),
    ("Art. 25", "Responsibilities along the AI value chain", "Good overlap.", ["8.1", "A.10.2", "A.10.3"]),
    ("Art. 26", "Obligations of deployers", "Good overlap.", ["8.1", "A.9.2", "A.9.3", "A.9.4", "A.6.2.6", "A.6.2.8", "A.3.2", "A.8.4"]),
    ("Art. 27", "Fundamental rights impact assessment", "The 42001 impact assessment is broader; the Act prescribes the content.", ["6.1.4", "8.4", "A.5.2", "A.5.3", "A.5.4", "A.5.5"]),
    ("Art. 43", "Conformity assessment", "No 42001 counterpart: a product-level duty.", []),
    ("Art. 47", "EU declaration of conformity", "No 42001 counterpart: a product-level duty.", []),
    ("Art. 48", "CE marking", "No 42001 counterpart: a product-level duty.", []),
    ("Art. 49", "Registration", "No 42001 counterpart: a product-level duty.", []),
    ("Art. 50", "Transparency for certain AI systems", "Partial overlap.", ["7.4", "A.8.2", "A.8.5"]),
    ("Art. 71", "EU database for high-risk systems", "No 42001 counterpart: a product-level duty.", []),
    ("Art. 72", "Post-market monitoring plan", "Partial: 42001 has no plan template.", ["9.1", "10.1", "10.2", "A.6.2.6"]),
    ("Art. 73", "Reporting serious incidents", "Partial: the regulator's deadlines must be added.", ["10.2", "A.8.4", "A.8.3", "A.8.5", "A.3.3"]),
]  # fmt: skip


def requirement_key(standard: str, code: str) -> str:
    """Stable, URL-friendly key: "nistairmf:GOVERN-1.1", "euaiact:Art-4", "iso27001:6.1.2"."""
    return f"{standard}:{code.replace('. ', '-').replace(' ', '-')}"


def requirements():
    """{standard key: [(code, parent code, kind, title, summary)]} in document order."""
    nist = [(code, None, "clause", title, summary) for code, title, summary in NIST_FUNCTIONS]
    for function, *_ in NIST_FUNCTIONS:
        for code, parent, title in NIST_CATEGORIES:
            if parent == function:
                nist.append((code, parent, "heading", title, ""))
                nist.extend(
                    (sub, cat, "requirement", sub_title, "")
                    for sub, cat, sub_title in NIST_SUBCATEGORIES
                    if cat == code
                )
    return {
        "iso27001": [row[:5] for row in ISO27001],
        "nistairmf": nist,
        "euaiact": [(code, None, "requirement", title, note) for code, title, note, _ in EU_ARTICLES],
    }


def crosswalks():
    """[(standard key, code, 42001 code, strength, note)]: every link, from the other standard to 42001."""
    links = [("iso27001", code, code, strength, delta) for code, _, _, _, _, strength, delta in ISO27001]
    links += [
        ("nistairmf", sub, target, RELATED, NIST_PUBLISHED.format(listed))
        for sub, target, listed in nist_published_pairs()
    ]
    links += [
        ("nistairmf", category, target, ANALYTICAL, OUR_ANALYSIS)
        for category, targets in NIST_CATEGORY_PAIRS.items()
        for target in targets
    ]
    links += [
        ("euaiact", code, target, ANALYTICAL, OUR_ANALYSIS)
        for code, _, _, targets in EU_ARTICLES
        for target in targets
    ]
    return links
