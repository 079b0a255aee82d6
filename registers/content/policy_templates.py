"""Policy templates offered when a policy is created (5.2, A.2.2): the sections a practitioner
expects, with prompts in [brackets] for what only the organisation can say."""

TEMPLATES = {
    "ai-policy": {
        "label": "AI policy",
        "kind": "ai_policy",
        "title": "AI policy",
        "purpose": "Sets the direction for developing, providing and using AI systems responsibly, and the "
        "framework for AI objectives (ISO/IEC 42001 5.2, A.2.2).",
        "applies_to": "Everyone who develops, buys, operates or uses AI systems on the organisation's behalf.",
        "body": """1. Commitment
[Organisation] commits to developing, providing and using AI systems that are lawful, safe, fair and
transparent, and to continually improving its AI management system.

2. Scope
This policy covers the AI systems and units named in the AIMS scope statement [SCO-reference].

3. Principles
- Human oversight: people can understand, intervene in and override AI-supported decisions that affect them.
- Fairness: AI systems are assessed for unfair bias before deployment and monitored afterwards.
- Transparency: people are told when they interact with an AI system or are subject to its decisions.
- Privacy and security: data for AI is collected, used and kept lawfully and protected throughout.
- Accountability: every AI system has a named owner; roles and authorities are defined in the AIMS.

4. AI objectives
AI objectives are set, measured and reviewed each year in the AIMS; they follow from this policy.

5. Risk and impact
AI risks and the impacts of AI systems on individuals, groups and society are assessed before deployment,
after material changes and at planned intervals, against criteria the governance board approves.

6. Legal and other requirements
We meet the laws, contracts and commitments recorded in the compliance obligations register, including
[EU AI Act, GDPR, sector rules].

7. Raising concerns
Anyone may raise a concern about an AI system, in their name or without it, and will not suffer for
doing so in good faith.

8. Responsibilities
[Role] owns this policy; the governance board approves it; every manager makes sure their teams know it.

9. Review
This policy is reviewed at least yearly and after significant changes in law, technology or the
organisation (A.2.4).""",
    },
    "ethics": {
        "label": "AI ethics principles",
        "kind": "ethics",
        "title": "AI ethics principles",
        "purpose": "States the values that guide every decision about AI systems, in terms people can check.",
        "applies_to": "Everyone who designs, builds, procures, deploys or oversees AI systems.",
        "body": """1. Human agency and oversight
AI supports people's decisions; it does not take away their ability to decide, contest or appeal.

2. Fairness and non-discrimination
We test for and reduce unfair differences in outcomes between groups, including vulnerable groups.

3. Transparency and explainability
We can explain, at a level the affected person understands, what an AI system does and why.

4. Privacy and data governance
We use only the data we need, with a lawful basis, and protect it through the whole life cycle.

5. Safety, security and robustness
AI systems are tested before use, monitored in use, and can be stopped safely.

6. Accountability
Each AI system has an accountable owner; decisions and their reasons are recorded.

7. Societal and environmental wellbeing
We weigh the wider effects of AI systems, including their environmental cost.

8. Putting the principles into practice
[How the principles are checked: impact assessments, stage gates, audits, training.]""",
    },
    "acceptable-use": {
        "label": "Acceptable use of AI",
        "kind": "acceptable_use",
        "title": "Acceptable use of AI tools",
        "purpose": "Tells staff which AI tools they may use, for what, and with which data.",
        "applies_to": "All staff, contractors and temporary workers.",
        "body": """1. Approved tools
Use only the AI tools on the approved list [link]; request others through [process].

2. Permitted uses
[Drafting, summarising, coding assistance, research ...] with a person checking the output.

3. Prohibited uses
- Entering personal, confidential or client data into tools not approved for that data.
- Using AI output as the sole basis for decisions about people (hiring, credit, discipline ...).
- Presenting AI-generated content as human work where that would mislead.
- Any practice prohibited by law, including those listed in Art. 5 of the EU AI Act.

4. Data
Classify data before use; [Confidential] and [Restricted] data never go into public AI tools.

5. Checking output
You are responsible for what you use: check facts, sources, bias and licences.

6. Reporting
Report incidents, misuse or concerns through the concern reporting page.

7. Consequences
Breaches are handled under [disciplinary policy].""",
    },
}


def _unwrap(text: str) -> str:
    """The bodies above are wrapped to fit the source; a paragraph's continuation lines are joined so
    the text flows on the page. A section heading ("3. Principles") and "- " bullets start new lines."""
    out = []
    for block in text.split("\n\n"):
        lines = []
        for line in block.splitlines():
            if lines and not line.startswith("- ") and not (lines[0] == lines[-1] and lines[0][:1].isdigit()):
                lines[-1] += " " + line.strip()
            else:
                lines.append(line.strip())
        out.append("\n".join(lines))
    return "\n\n".join(out)


for _template in TEMPLATES.values():
    _template["body"] = _unwrap(_template["body"])
