"""The EU AI Act questionnaire now asks Annex III point 5 by sub-point -- 5(a) public benefits, 5(b)
credit, 5(c) life and health insurance, 5(d) emergency calls and triage -- because the fundamental rights
impact assessment (Art. 27) turns on 5(b) and 5(c); and it asks whether the organisation is a public body
or a private entity providing public services (Arts. 26(8), 27, 49(3)). Old answers are not guessed into
the new questions: the single "essential_services" answer becomes a question to re-answer, and every
classification made so far awaits the answers to the new questions. The tier in effect stays what it was;
each system's history says what changed."""

from django.db import migrations

from aims.migration_history import record_in_history

NEW_QUESTIONS = ("o_public_authority", "o_public_service")
OLD_AREA = "essential_services"
SUB_POINTS = ("essential_benefits", "essential_credit", "essential_insurance", "essential_emergency")
NOTE = (
    "EU AI Act questionnaire extended: {what}. The classification awaits these answers; the tier in effect "
    "stays what it was until a new classification is confirmed."
)


def ask_again(apps, schema_editor):
    AISystem = apps.get_model("lifecycle", "AISystem")
    for system in AISystem.objects.exclude(eu_classification={}).order_by("pk"):
        answers = dict((system.eu_classification or {}).get("answers") or {})
        if not answers:
            continue
        what = []
        if answers.get("annex_iii") == OLD_AREA:
            del answers["annex_iii"]
            what.append(
                "Annex III point 5 is now asked by sub-point (5(a) to 5(d)), so the area needs re-answering"
            )
        if any(key not in answers for key in NEW_QUESTIONS):
            what.append(
                "whether the organisation is a public body, or a private entity providing public services"
            )
        for key in NEW_QUESTIONS:
            answers.pop(key, None)
        system.eu_proposal = {"answers": answers}
        system.proposed_tier = ""
        system.classification_status = "awaiting_answers"
        system.save(update_fields=["eu_proposal", "proposed_tier", "classification_status"])
        area = (system.eu_classification.get("answers") or {}).get("annex_iii", "")
        record_in_history(
            apps,
            system,
            note=NOTE.format(what="; ".join(what)),
            changes=[
                {"field": "classification_status", "label": "EU AI Act classification", "old": "",
                 "new": "Classification awaiting answers"},
                {"field": "eu_classification", "label": "EU AI Act answers", "old": f"Annex III: {area}",
                 "new": f"Annex III: {answers.get('annex_iii') or 'to re-answer'}; to answer: "
                 + ", ".join(NEW_QUESTIONS)},
            ],
        )  # fmt: skip


def back_to_one_area(apps, schema_editor):
    """Backwards: the sub-points fold into the single area again; nothing awaits answers."""
    AISystem = apps.get_model("lifecycle", "AISystem")
    for system in AISystem.objects.all():
        stored = dict(system.eu_classification or {})
        answers = dict(stored.get("answers") or {})
        if answers.get("annex_iii") in SUB_POINTS:
            stored["answers"] = {**answers, "annex_iii": OLD_AREA}
            system.eu_classification = stored
        system.eu_proposal, system.proposed_tier = {}, ""
        system.classification_status = "unanswered" if system.eu_tier == "unclassified" else "confirmed"
        system.save(
            update_fields=["eu_classification", "eu_proposal", "proposed_tier", "classification_status"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("aims", "0005_crosswalk_standards"),
        ("lifecycle", "0008_classification_confirmation"),
    ]

    operations = [migrations.RunPython(ask_again, back_to_one_area)]
