"""Audit questions per ISO/IEC 42001 requirement code, in our own words: what an auditor asks and samples
to decide whether the requirement is met. A requirement without questions here gets GENERIC."""

GENERIC = "Is {title} ({code}) defined, implemented and kept current? Sample the records that show it."
SYSTEM = "Sample {reference} {title}: are its risks, impact assessment, controls and monitoring current and followed?"

QUESTIONS: dict[str, list[str]] = {
    "4.1": [
        "Are the internal and external issues that matter for AI recorded, with an owner and a recent review?",
        "Has the organisation decided whether climate change is relevant, and recorded why?",
    ],
    "4.2": [
        "Are interested parties and their relevant needs listed, with which needs the AIMS will address?",
    ],
    "4.3": [
        "Is the AIMS scope documented and approved, with its boundaries and the AI systems it covers?",
        "Are exclusions justified, and do they leave out no system that affects people?",
    ],
    "4.4": ["Do the AIMS processes and how they interact appear in the records, not only on paper?"],
    "5.1": [
        "Is there evidence that top management takes part: decisions, resources granted, reviews attended?",
    ],
    "5.2": [
        "Is the AI policy approved, published and acknowledged by the people it concerns?",
        "Does the policy commit to meeting requirements and to continual improvement?",
    ],
    "5.3": ["Are AIMS roles assigned, accepted and known to the people who hold them?"],
    "6.1.1": ["Are the risks and opportunities that affect the AIMS itself identified and acted upon?"],
    "6.1.2": [
        "Are AI risks assessed against the approved criteria, with likelihood and impact justified?",
        "Sample three risks: is each tied to an AI system, an owner and a review date that has not passed?",
    ],
    "6.1.3": [
        "Does each risk above appetite have a treatment plan with controls chosen from Annex A or elsewhere?",
        "Is the Statement of Applicability current and approved, with reasons for each inclusion or exclusion?",
    ],
    "6.1.4": [
        "Has each AI system that may affect people an impact assessment, approved and due for reassessment?",
    ],
    "6.2": ["Are AI objectives measurable, owned, monitored and reported?"],
    "6.3": ["Are changes to the AIMS planned, with their consequences considered before they are made?"],
    "7.1": ["Are the resources the AIMS needs identified and provided?"],
    "7.2": [
        "Are competence needs defined per role, and do training records show people meet them?",
        "Sample two people in AI roles: is their training current?",
    ],
    "7.3": ["Do people know the AI policy, their contribution and what happens if they do not conform?"],
    "7.4": ["Is it decided what is communicated about AI, to whom, when and by whom, and is it done?"],
    "7.5.1": ["Is the documented information the AIMS needs identified?"],
    "7.5.2": ["Are documents identified, reviewed and approved before use?"],
    "7.5.3": ["Are documents controlled: versions, access, retention, and documents of external origin?"],
    "8.1": [
        "Are AI system life-cycle processes followed, with stage gates passed on evidence?",
        "Are externally provided processes and changes controlled?",
    ],
    "8.2": ["Are AI risk assessments repeated at planned intervals and when significant changes happen?"],
    "8.3": ["Is the risk treatment plan carried out, and its effect verified?"],
    "8.4": ["Are impact assessments repeated at planned intervals and when significant changes happen?"],
    "9.1": [
        "Are the KPIs and measurements of AI systems defined, taken and evaluated, with breaches acted on?",
    ],
    "9.2.1": ["Are internal audits run at planned intervals, and are their results reported?"],
    "9.2.2": [
        "Does the audit programme consider importance and previous results; are auditors independent?",
    ],
    "9.3.1": ["Does top management review the AIMS at planned intervals?"],
    "9.3.2": ["Does the management review consider every required input, audit results included?"],
    "9.3.3": ["Are management review decisions recorded and followed up?"],
    "10.1": ["Is there evidence of continual improvement of the AIMS?"],
    "10.2": [
        "Are nonconformities reacted to, their causes found, corrective actions taken and checked for effect?",
    ],
    "A.2.2": ["Is the AI policy documented and does it guide AI development and use?"],
    "A.2.3": ["Is the AI policy aligned with other policies (security, privacy, quality)?"],
    "A.2.4": ["Is the AI policy reviewed at planned intervals?"],
    "A.3.2": ["Are AI roles and responsibilities defined and allocated?"],
    "A.3.3": [
        "Can people raise concerns about AI systems, anonymously if they wish, and are concerns triaged?",
    ],
    "A.4.2": ["Are the resources each AI system needs documented?"],
    "A.4.3": ["Are the data resources of each AI system documented?"],
    "A.4.4": ["Are tooling resources documented?"],
    "A.4.5": ["Are system and computing resources documented?"],
    "A.4.6": ["Are the human resources and competences documented?"],
    "A.5.2": ["Is there a process for AI system impact assessment, and is it followed?"],
    "A.5.3": ["Are impact assessment results documented and retained?"],
    "A.5.4": ["Do impact assessments consider harm to individuals and groups, including vulnerable ones?"],
    "A.5.5": ["Do impact assessments consider societal impact?"],
    "A.6.1.2": ["Are objectives for responsible development documented and used?"],
    "A.6.1.3": ["Are design and development processes for responsible AI defined and followed?"],
    "A.6.2.2": ["Are requirements and specifications recorded for each AI system?"],
    "A.6.2.3": ["Are design and development decisions documented?"],
    "A.6.2.4": [
        "Are verification and validation criteria set before testing, and are results recorded per model version?",
        "Sample a model version: was it released only after its evaluation passed?",
    ],
    "A.6.2.5": ["Is there a deployment plan, and were its conditions met before release?"],
    "A.6.2.6": ["Are AI systems monitored in operation, with drift and failures acted on?"],
    "A.6.2.7": ["Is technical documentation available to those who need it?"],
    "A.6.2.8": ["Are event logs kept for each AI system, for long enough?"],
    "A.7.2": ["Is data for development and enhancement managed?"],
    "A.7.3": ["Is it recorded how data was acquired, and is that lawful?"],
    "A.7.4": [
        "Are data quality requirements defined and checked, including representativeness and bias?",
    ],
    "A.7.5": ["Is data provenance recorded through the data's life?"],
    "A.7.6": ["Are data preparation methods defined and recorded?"],
    "A.8.2": ["Do users get the information they need to use the AI system properly?"],
    "A.8.3": ["Can external parties report adverse impacts of an AI system?"],
    "A.8.4": ["Is there a plan for communicating AI incidents, and was it followed for recent incidents?"],
    "A.8.5": ["Are obligations to inform interested parties about AI systems identified and met?"],
    "A.9.2": ["Are processes for the responsible use of AI systems defined and followed?"],
    "A.9.3": ["Are objectives for responsible use defined?"],
    "A.9.4": ["Are AI systems used as intended, with misuse detected?"],
    "A.10.2": ["Are responsibilities shared with partners, suppliers and customers allocated?"],
    "A.10.3": ["Are suppliers chosen and monitored so their services meet our approach to responsible AI?"],
    "A.10.4": ["Are customers' expectations and needs considered in our responsible AI approach?"],
}


def questions_for(requirement) -> list[str]:
    own = requirement.standard.key == "iso42001" and QUESTIONS.get(requirement.code)
    return own or [GENERIC.format(title=requirement.title.lower(), code=requirement.code)]
