"""EU AI Act classification (Regulation (EU) 2024/1689) as a guided questionnaire: prohibited
practices (Art. 5), Annex I products, Annex III areas with the Art. 6(3) exception and its profiling
rule, and the Art. 50 transparency duties. `classify` turns answers into a tier, the reasons that led
there, and the duties that follow, so the result is explained, stored and shown, never a bare label.

The questions paraphrase the Act in our own words; ../shared/reference/iso42001.md section 5(c) lists
the facts. This is a screening aid for the AIMS, not legal advice, and the page says so."""

from dataclasses import dataclass

PROHIBITED = {
    "p_manipulation": ("Art. 5(1)(a)", "uses subliminal, manipulative or deceptive techniques that distort "
                       "people's behaviour and cause them significant harm"),
    "p_vulnerability": ("Art. 5(1)(b)", "exploits people's vulnerabilities (age, disability, social or economic "
                        "situation) to distort their behaviour and cause significant harm"),
    "p_social_scoring": ("Art. 5(1)(c)", "scores people on their social behaviour or personal traits, leading to "
                         "unjustified or disproportionate detrimental treatment"),
    "p_crime_prediction": ("Art. 5(1)(d)", "predicts whether a person will commit a crime from profiling or "
                           "personality traits alone"),
    "p_face_scraping": ("Art. 5(1)(e)", "builds facial-recognition databases by untargeted scraping of images "
                        "from the internet or CCTV"),
    "p_emotion_work": ("Art. 5(1)(f)", "infers emotions of people at work or in education (other than for "
                       "medical or safety reasons)"),
    "p_biometric_sensitive": ("Art. 5(1)(g)", "categorises people by biometrics to infer race, political opinions, "
                              "union membership, religion, sex life or orientation"),
    "p_realtime_biometric": ("Art. 5(1)(h)", "identifies people remotely and in real time in public spaces for law "
                             "enforcement, outside the narrow exceptions"),
}  # fmt: skip

ANNEX_III = {
    "none": "None of these areas",
    "biometrics": "1. Biometrics: remote identification, categorisation by sensitive attributes, emotion recognition",
    "infrastructure": "2. Safety component of critical infrastructure (digital, road traffic, water, gas, heating, "
    "electricity)",
    "education": "3. Education: admission, evaluating learning, level of education, proctoring tests",
    "employment": "4. Employment: recruitment and selection; decisions on terms, promotion, termination, tasks, "
    "monitoring of workers",
    "essential_services": "5. Essential services: public benefits, creditworthiness and credit scores (not fraud "
    "detection), life and health insurance pricing, emergency triage",
    "law_enforcement": "6. Law enforcement",
    "migration": "7. Migration, asylum and border control",
    "justice": "8. Administration of justice and democratic processes (including influencing elections)",
}

EXCEPTIONS = {
    "x_narrow_task": "performs only a narrow procedural task",
    "x_improves_human": "only improves the result of an activity a person has already completed",
    "x_detects_patterns": "only detects decision patterns or deviations, without replacing or influencing the human "
    "assessment without proper human review",
    "x_preparatory": "only performs a preparatory task to an assessment in one of these areas",
}

TRANSPARENCY = {
    "t_interacts": ("Art. 50(1)", "interacts directly with people",
                    "Tell people they are interacting with an AI system, unless obvious from the context."),
    "t_synthetic": ("Art. 50(2)", "generates synthetic audio, images, video or text",
                    "Mark the outputs in a machine-readable way as artificially generated or manipulated."),
    "t_emotion": ("Art. 50(3)", "recognises emotions or categorises people by biometrics",
                  "Inform the people exposed to it, and process their personal data lawfully."),
    "t_deepfake": ("Art. 50(4)", "produces deep fakes, or text published to inform the public on matters of public "
                   "interest", "Disclose that the content was artificially generated or manipulated."),
}  # fmt: skip

PROVIDER_DUTIES = [
    "Risk management system across the life cycle (Art. 9)",
    "Data and data governance for training, validation and testing (Art. 10)",
    "Technical documentation (Art. 11) and record-keeping with automatic logs (Art. 12)",
    "Transparency and instructions for deployers (Art. 13)",
    "Human oversight designed in (Art. 14); accuracy, robustness and cybersecurity (Art. 15)",
    "Quality management system (Art. 17)",
    "Conformity assessment, EU declaration of conformity and CE marking (Arts. 43, 47, 48)",
    "Registration in the EU database (Art. 49)",
    "Post-market monitoring (Art. 72) and serious-incident reporting (Art. 73)",
]
DEPLOYER_DUTIES = [
    "Use it according to the provider's instructions, with competent human oversight (Art. 26(1)-(2))",
    "Ensure input data is relevant and representative where under your control (Art. 26(4))",
    "Monitor operation, keep the logs under your control for at least six months (Art. 26(5)-(6))",
    "Inform workers' representatives and affected workers before use at work (Art. 26(7))",
    "Inform people that decisions about them are made with its help (Art. 26(11))",
    "Fundamental rights impact assessment before first use, for public bodies and for credit scoring and "
    "insurance pricing (Art. 27)",
    "Report serious incidents to the provider and the authority (Arts. 26(5), 73)",
]


@dataclass
class Result:
    tier: str
    reasons: list[str]
    duties: list[str]

    def as_dict(self, answers: dict) -> dict:
        return {"answers": answers, "tier": self.tier, "reasons": self.reasons, "duties": self.duties}


def _yes(answers: dict, key: str) -> bool:
    return answers.get(key) is True


def classify(answers: dict, *, provider: bool) -> Result:
    """`answers`: {question key: bool} plus "annex_iii": an ANNEX_III key. `provider`: whether the
    organisation provides the system (else it deploys it): the duties differ."""
    reasons, duties = [], []
    banned = [PROHIBITED[k] for k in PROHIBITED if _yes(answers, k)]
    if banned:
        reasons = [f"It {what} ({article}): a prohibited practice." for article, what in banned]
        return Result(
            "prohibited", reasons, ["It must not be placed on the market, put into service or used (Art. 5)."]
        )

    high = False
    if _yes(answers, "annex_i"):
        high = True
        reasons.append("It is, or is a safety component of, a product under Annex I legislation that needs "
                       "third-party conformity assessment (Art. 6(1)).")  # fmt: skip
    area = answers.get("annex_iii") or "none"
    if area != "none" and area in ANNEX_III:
        exceptions = [EXCEPTIONS[k] for k in EXCEPTIONS if _yes(answers, k)]
        if _yes(answers, "profiling"):
            high = True
            reasons.append(f"It is used in an Annex III area ({ANNEX_III[area]}) and profiles natural persons, so it "
                           "is high-risk whatever its task (Art. 6(3), last subparagraph).")  # fmt: skip
        elif exceptions:
            reasons.append(f"It is used in an Annex III area ({ANNEX_III[area]}) but poses no significant risk "
                           f"because it {'; '.join(exceptions)} (Art. 6(3)).")  # fmt: skip
            duties.append("Document this assessment before placing it on the market or using it (Art. 6(4)) and "
                          "register the system (Art. 49(2)).")  # fmt: skip
        else:
            high = True
            reasons.append(f"It is used in an Annex III area: {ANNEX_III[area]} (Art. 6(2)).")
    if high:
        duties.extend(PROVIDER_DUTIES if provider else DEPLOYER_DUTIES)

    transparency = [TRANSPARENCY[k] for k in TRANSPARENCY if _yes(answers, k)]
    for article, what, duty in transparency:
        reasons.append(f"It {what} ({article}).")
        duties.append(f"{duty} ({article})")
    if high:
        return Result("high", reasons, duties)
    if transparency:
        return Result("limited", reasons, duties)
    if not reasons:
        reasons.append(
            "No prohibited practice, no Annex I product, no Annex III area and no transparency trigger."
        )
    duties.append(
        "AI literacy of the people who operate and use it (Art. 4); voluntary codes of conduct (Art. 95)."
    )
    return Result("minimal", reasons, duties)


def questions() -> list[tuple[str, list[tuple[str, str]]]]:
    """The questionnaire as (section heading, [(key, question)]) for the page; Annex III is a choice."""
    return [
        ("Prohibited practices (Art. 5). Tick each that is true: the system …", [(k, f"… {what}") for k, (_, what) in PROHIBITED.items()]),
        ("Products (Art. 6(1), Annex I)", [("annex_i", "Is it a product, or a safety component of a product, "
                                            "covered by Annex I legislation that needs third-party conformity "
                                            "assessment (machinery, toys, medical devices, vehicles …)?")]),
        ("The Art. 6(3) exception, for Annex III areas only. Tick each that is true: the system …",
         [(k, f"… {what}") for k, what in EXCEPTIONS.items()]
         + [("profiling", "… profiles natural persons (evaluates aspects of their lives from personal data)")]),
        ("Transparency (Art. 50). Tick each that is true: the system …",
         [(k, f"… {what}") for k, (_, what, _) in TRANSPARENCY.items()]),
    ]  # fmt: skip


def yes_no_keys() -> list[str]:
    return [*PROHIBITED, "annex_i", *EXCEPTIONS, "profiling", *TRANSPARENCY]
