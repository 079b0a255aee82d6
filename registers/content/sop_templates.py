"""Standard operating procedure templates for the AI system life cycle (7.5, A.6): our own text, with
the sections a practitioner expects, as the first draft of a document."""

# -- Standard operating procedure templates ----------------------------------------------------------
# First drafts for the AI system life cycle (A.6), our own wording: each names its purpose, scope, roles,
# inputs, steps, outputs and records, the controls it serves and when it is reviewed. The organisation
# adapts them; [brackets] mark what it must fill in.


def _sop(purpose, scope, roles, inputs, steps, outputs, controls, review) -> str:
    numbered = "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))
    bullets = lambda items: "\n".join(f"- {item}" for item in items)  # noqa: E731
    return (
        f"1. Purpose\n{purpose}\n\n2. Scope\n{scope}\n\n3. Roles and responsibilities\n{bullets(roles)}\n\n"
        f"4. Inputs\n{bullets(inputs)}\n\n5. Steps\n{numbered}\n\n6. Outputs and records\n{bullets(outputs)}\n\n"
        f"7. Controls referenced\n{bullets(controls)}\n\n8. Review\n{review}\n"
    )


_REVIEW = (
    "The procedure owner reviews this SOP at least yearly, after any AI incident or nonconformity that "
    "involves it, and when the AI policy, the risk criteria or an applicable law changes. Changes are "
    "approved by the AIMS manager and recorded in this document's history."
)

SOP_TEMPLATES = {
    "sop-model-development": {
        "label": "Model development",
        "title": "SOP: AI model development",
        "content": _sop(
            "Develop AI models in a planned, documented and repeatable way, so that each model meets its "
            "agreed requirements and its risks and impacts are known before it is validated.",
            "Every AI model the organisation builds, retrains or fine-tunes for an AI system within the AIMS "
            "scope, including models built on third-party foundation models. [List any exclusions.]",
            [
                "Model owner: accountable for the model and for approving each stage.",
                "Data scientists / ML engineers: build, train and document the model.",
                "Data owner: confirms data may be used for this purpose and its quality is known.",
                "AI risk owner: keeps the AI risk assessment and impact assessment current.",
            ],
            [
                "Approved AI system requirements and specification, including intended use and "
                "foreseeable misuse.",
                "The AI risk assessment and AI system impact assessment for the system.",
                "Training, validation and test data sets with their provenance and data-quality records.",
                "The organisation's objectives for responsible AI development.",
            ],
            [
                "Confirm the requirements are approved and list the acceptance criteria (performance, "
                "fairness, robustness, explainability) the model must meet.",
                "Record the data sets used, their versions, provenance and any preparation applied; keep "
                "test data separate from training data.",
                "Choose and record the model approach and why alternatives were rejected.",
                "Train in a tracked environment: code version, configuration, random seeds and "
                "hyperparameters are recorded so the run can be repeated.",
                "Evaluate against the acceptance criteria during development and record results, "
                "including results per relevant group of people.",
                "Update the AI risk assessment with any new risk found; raise a change request if "
                "requirements must change.",
                "Write or update the model card and technical documentation.",
                "Hand over to validation with the evidence package; the model owner signs off the hand-over.",
            ],
            [
                "Model card and technical documentation (design choices, data, limitations).",
                "Training run records: code, configuration, data versions, metrics.",
                "Updated AI risk assessment entries and any change requests.",
                "Hand-over record to validation, signed off by the model owner.",
            ],
            [
                "A.6.1.2 Objectives for responsible development of AI systems",
                "A.6.1.3 Processes for responsible AI system design and development",
                "A.6.2.2 AI system requirements and specification",
                "A.6.2.3 Documentation of AI system design and development",
                "A.7.2 to A.7.6 Data for AI systems (acquisition, quality, provenance, preparation)",
                "Clause 8.2 AI risk assessment",
            ],
            _REVIEW,
        ),
    },
    "sop-model-validation": {
        "label": "Model validation",
        "title": "SOP: AI model verification and validation",
        "content": _sop(
            "Show, with evidence, that an AI model meets its requirements and acceptance criteria for its "
            "intended use before it is deployed, by people independent of its development.",
            "Every new AI model and every significant change to a deployed model (retraining, new data, new "
            "intended use). [Define what counts as significant.]",
            [
                "Validation lead: independent of the development team; plans and runs the validation.",
                "Model owner: provides the evidence package and answers findings.",
                "AI risk owner: decides whether residual risks are acceptable against the risk criteria.",
                "AIMS manager: approves the release decision for high-impact systems.",
            ],
            [
                "The hand-over package from development: model, model card, technical documentation.",
                "Requirements, acceptance criteria and the AI system impact assessment.",
                "A held-out test data set the development team has not used, with its provenance.",
            ],
            [
                "Write a validation plan: criteria, metrics, thresholds, test data and who performs each test.",
                "Verify the model is the version handed over (hash or registry version) and reproduce a "
                "sample of the development metrics.",
                "Test performance on the held-out data, including per relevant group to detect unfair "
                "differences.",
                "Test robustness: degraded, shifted and adversarial inputs; check behaviour at the edges of "
                "the intended use.",
                "Check explainability and transparency requirements: can users be told what they need to know?",
                "Record every finding with its severity; the model owner answers each one.",
                "Decide: release, release with conditions, or return to development. Record the decision, "
                "who took it and why.",
            ],
            [
                "Validation plan and report with all test results.",
                "Findings log with responses and their closure.",
                "Release decision record, linked to the AI risk register.",
            ],
            [
                "A.6.2.4 AI system verification and validation",
                "A.6.2.3 Documentation of AI system design and development",
                "A.5.2 AI system impact assessment process",
                "Clause 8.3 AI risk treatment",
            ],
            _REVIEW,
        ),
    },
    "sop-deployment": {
        "label": "Deployment",
        "title": "SOP: AI system deployment",
        "content": _sop(
            "Put a validated AI system into use in a controlled way, with monitoring, logging, user "
            "information and a way back in place from the first day.",
            "Every release of an AI system or model into production or to customers, including releases "
            "to a limited group of users. [Name the environments covered.]",
            [
                "Release manager: plans and performs the deployment.",
                "Model owner: confirms the release matches the validated version.",
                "Operations: runs monitoring and responds to alerts.",
                "AIMS manager: confirms conditions from validation are met before go-live.",
            ],
            [
                "Release decision from validation, with any conditions.",
                "Deployment plan, including rollback, and the monitoring plan.",
                "User documentation and information for affected people.",
            ],
            [
                "Check the release decision and that every validation condition is met.",
                "Confirm the artefact to deploy is the validated one (hash or registry version).",
                "Deploy to a staging environment and run smoke tests; record the results.",
                "Enable event logging and the monitoring of performance, drift and misuse defined in the "
                "monitoring plan.",
                "Publish user documentation and information for affected people before go-live.",
                "Go live (gradually where possible); watch the agreed indicators for the agreed period.",
                "If an indicator crosses its threshold, roll back and open an incident.",
                "Close the deployment: record what was deployed, when, by whom and the outcome.",
            ],
            [
                "Deployment record: version, date, environment, approvers, test results.",
                "Monitoring and logging configuration, and the first monitoring report.",
                "Published user documentation.",
            ],
            [
                "A.6.2.5 AI system deployment",
                "A.6.2.6 AI system operation and monitoring",
                "A.6.2.8 AI system recording of event logs",
                "A.8.2 System documentation and information for users",
            ],
            _REVIEW,
        ),
    },
    "sop-decommissioning": {
        "label": "Decommissioning",
        "title": "SOP: AI system decommissioning",
        "content": _sop(
            "Retire an AI system or model in a planned way, so that users and affected people are told, "
            "dependent processes keep working, and data, logs and documentation are kept or disposed of "
            "as required.",
            "Every AI system or model taken out of use, replaced or withdrawn from customers, whether "
            "planned or after an incident. [Name who may order an emergency withdrawal.]",
            [
                "System owner: decides and plans the decommissioning.",
                "Operations: switches the system off and removes access.",
                "Data owner: decides retention or disposal of data and models.",
                "AIMS manager: confirms records are updated and the decision is communicated.",
            ],
            [
                "The reason for decommissioning and the decision record.",
                "The inventory of the system's dependencies, users, data, models and logs.",
                "Retention rules from the document register and legal obligations.",
            ],
            [
                "Record the decision, its reason and the planned date.",
                "Identify users, affected people and dependent processes; agree a replacement or fallback.",
                "Tell users and affected people in advance, through the channels in the communication plan.",
                "Switch the system off and remove access; keep a record of the final version that ran.",
                "Keep or dispose of data, models and event logs as the retention rules require; record how.",
                "Update the AI system inventory, AI risk register and impact assessments to show it is "
                "retired.",
                "Review lessons learned and feed them into development and validation procedures.",
            ],
            [
                "Decommissioning record: decision, date, final version, who did what.",
                "Data, model and log retention or disposal record.",
                "Updated inventory, risk and impact assessment entries.",
            ],
            [
                "A.6.1.3 Processes for responsible AI system design and development (the whole life cycle)",
                "A.6.2.6 AI system operation and monitoring",
                "A.6.2.7 AI system technical documentation",
                "A.6.2.8 AI system recording of event logs",
                "A.8.2 System documentation and information for users",
            ],
            _REVIEW,
        ),
    },
}
