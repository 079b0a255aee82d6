"""The bias assessment checklist: our own wording of the guide's items, each with the control it serves,
and the answers as the API and the record page take and show them."""

from django.core.exceptions import ValidationError

# Our own wording of the guide's bias assessment checklist: (key, item, what "yes" means, control).
CHECKLIST = [
    ("representativeness", "Data representativeness",
     "Training and test data represent the people the system is used on; known gaps are recorded.", "A.7.4"),
    ("protected_attributes", "Protected attributes identified",
     "The protected characteristics that matter here (sex, age, ethnicity, disability ...) are listed.", "A.5.4"),
    ("proxies", "Proxies checked",
     "Features that can stand in for a protected attribute (postcode, first name, school) were looked for "
     "and handled.", "A.7.4"),
    ("labels", "Labels reviewed for bias",
     "Past decisions used as labels were reviewed for the unfairness they may carry forward.", "A.7.4"),
    ("metrics", "Fairness metrics chosen and justified",
     "The measures fit the decision and its harms, and why they were chosen is written down.", "A.6.2.4"),
    ("thresholds", "Thresholds set",
     "Pass and fail levels were agreed before testing (for example the four-fifths ratio).", "A.6.2.4"),
    ("per_subgroup", "Tested per subgroup",
     "Rates and errors were measured for each group, not only overall.", "A.6.2.4"),
    ("intersectional", "Intersectional checks",
     "Combinations of attributes (for example older women) were checked where the data allows.", "A.6.2.4"),
    ("mitigation", "Mitigation applied",
     "Where a gap was found it was mitigated (reweighting, thresholds, features removed) and re-tested.",
     "6.1.3"),
    ("human_review", "Human review of edge cases",
     "People review cases near the decision boundary and those the system is least sure of.", "A.9.2"),
    ("documentation", "Documentation",
     "Method, data, results and decisions are recorded so someone else could repeat the assessment.",
     "A.6.2.7"),
    ("monitoring", "Monitoring in production",
     "Group rates are measured in operation; drift triggers a new assessment.", "A.6.2.6"),
]  # fmt: skip
ANSWERS = (("yes", "Yes"), ("partly", "Partly"), ("no", "No"))


def clean_checklist(value) -> dict:
    """{key: {"answer": yes|partly|no|"", "note": str}} with known keys only; a bad value is named."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValidationError({"checklist": "Send the checklist as an object: item key -> answer and note."})
    known, allowed, clean = dict((k, label) for k, label, *_ in CHECKLIST), dict(ANSWERS), {}
    for key, item in value.items():
        if key not in known:
            raise ValidationError(
                {"checklist": f"'{key}' is not a checklist item. Items: {', '.join(known)}."}
            )
        item = item if isinstance(item, dict) else {"answer": item}
        answer, note = str(item.get("answer") or "").strip(), str(item.get("note") or "").strip()
        if answer and answer not in allowed:
            raise ValidationError({"checklist": f"{known[key]}: answer yes, partly or no (not '{answer}')."})
        if answer or note:
            clean[key] = {"answer": answer, "note": note[:2000]}
    return clean


def checklist_rows(assessment) -> list[dict]:
    given = assessment.checklist or {}
    return [
        {"key": key, "label": label, "help": help_text, "control": control,
         "answer": dict(ANSWERS).get(given.get(key, {}).get("answer", ""), ""),
         "note": given.get(key, {}).get("note", "")}
        for key, label, help_text, control in CHECKLIST
    ]  # fmt: skip
