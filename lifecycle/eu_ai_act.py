"""EU AI Act classification (Regulation (EU) 2024/1689) as a guided questionnaire: prohibited
practices (Art. 5), Annex I products, Annex III areas with the Art. 6(3) exception and its profiling
rule, the Art. 50 transparency triggers, and who the organisation is (a public body, a private entity
providing public services). `classify` turns a full set of answers into a tier, the reasons that led
there, and the duties that follow for the organisation's role (lifecycle.eu_ai_act_duties), so the
result is explained, stored and shown, never a bare label.

Every question is answered yes or no (Annex III: one area or none): a question left unanswered is never
read as "no" (`unanswered`). The questions paraphrase the Act in our own words;
../shared/reference/iso42001.md section 5(c) lists the facts. This is a screening aid for the AIMS, not
legal advice, and the page says so."""

from dataclasses import dataclass, field

from .eu_ai_act_duties import DEPLOYER, PROVIDER, Duty, duties_for, eu_role, role_reason

PROHIBITED = {
    "p_manipulation": ("Art. 5(1)(a)", "uses subliminal, purposefully manipulative or deceptive techniques that "
                       "materially distort people's behaviour and cause, or are likely to cause, them significant "
                       "harm"),
    "p_vulnerability": ("Art. 5(1)(b)", "exploits the vulnerabilities of people due to their age, a disability or "
                        "their social or economic situation to distort their behaviour, causing or likely to cause "
                        "significant harm"),
    "p_social_scoring": ("Art. 5(1)(c)", "scores or classifies people over time on their social behaviour or on "
                         "known, inferred or predicted personal characteristics, where the score leads to "
                         "detrimental or unfavourable treatment in social contexts unrelated to the contexts in "
                         "which the data was generated or collected, or to treatment that is unjustified or "
                         "disproportionate to their behaviour or its gravity"),
    "p_crime_prediction": ("Art. 5(1)(d)", "assesses or predicts the risk that a person will commit a crime "
                           "solely from profiling or from their personality traits and characteristics"),
    "p_face_scraping": ("Art. 5(1)(e)", "creates or expands facial-recognition databases by untargeted scraping "
                        "of facial images from the internet or CCTV footage"),
    "p_emotion_work": ("Art. 5(1)(f)", "infers the emotions of people at the workplace or in education "
                       "institutions (other than for medical or safety reasons)"),
    "p_biometric_sensitive": ("Art. 5(1)(g)", "sorts individual people into categories from their biometric data "
                              "to deduce or infer their race, political opinions, trade union membership, "
                              "religious or philosophical beliefs, sex life or sexual orientation (labelling or "
                              "filtering lawfully acquired biometric datasets, e.g. in law enforcement, excepted)"),
    "p_realtime_biometric": ("Art. 5(1)(h)", "identifies people remotely and in real time in publicly accessible "
                             "spaces for law enforcement, outside the narrow exceptions the Act allows"),
}  # fmt: skip

# Annex III point 5 is split into its sub-points: the FRIA (Art. 27) turns on 5(b) and 5(c). No label holds
# parentheses: the reasons quote a label inside parentheses of their own.
ANNEX_III = {
    "none": "None of these areas",
    "biometrics": "1. Biometrics: remote identification, categorisation by sensitive attributes, emotion recognition",
    "infrastructure": "2. Safety component of critical infrastructure: critical digital infrastructure, road "
    "traffic, water, gas, heating, electricity",
    "education": "3. Education: admission, evaluating learning, level of education, proctoring tests",
    "employment": "4. Employment: recruitment and selection; decisions on terms, promotion, termination, tasks, "
    "monitoring of workers",
    "essential_benefits": "5(a). Essential public services: eligibility for public assistance benefits and "
    "services, healthcare included, or granting, reducing, revoking or reclaiming them",
    "essential_credit": "5(b). Creditworthiness of natural persons or their credit score, fraud detection excepted",
    "essential_insurance": "5(c). Risk assessment and pricing for natural persons in life and health insurance",
    "essential_emergency": "5(d). Emergency calls: evaluating and classifying them, dispatching or prioritising "
    "first response by police, firefighters or medical aid, emergency healthcare patient triage",
    "law_enforcement": "6. Law enforcement",
    "migration": "7. Migration, asylum and border control",
    "justice": "8. Administration of justice and democratic processes, influencing elections included",
}

EXCEPTIONS = {
    "x_narrow_task": "performs only a narrow procedural task",
    "x_improves_human": "only improves the result of an activity a person has already completed",
    "x_detects_patterns": "only detects decision patterns or deviations, without replacing or influencing the human "
    "assessment without proper human review",
    "x_preparatory": "only performs a preparatory task to an assessment in one of these areas",
}

TRANSPARENCY = {
    "t_interacts": ("Art. 50(1)", "interacts directly with people"),
    "t_synthetic": ("Art. 50(2)", "generates synthetic audio, images, video or text"),
    "t_emotion": ("Art. 50(3)", "recognises emotions or categorises people by biometrics"),
    "t_deepfake": ("Art. 50(4)", "produces deep fakes, or text published to inform the public on matters of public "
                   "interest"),
}  # fmt: skip

ORGANISATION = {
    "o_public_authority": "Is the organisation a public authority, agency or other body governed by public law, "
    "or does it act on behalf of one?",
    "o_public_service": "Is the organisation a private entity providing public services (such as education, "
    "healthcare, social services, housing or the administration of justice)?",
}


def yes_no_keys() -> list[str]:
    """Every question answered yes or no, in the questionnaire's order."""
    return [*PROHIBITED, "annex_i", *EXCEPTIONS, "profiling", *TRANSPARENCY, *ORGANISATION]


def question_keys() -> list[str]:
    """Every question, the Annex III area included: each needs an explicit answer."""
    return [*PROHIBITED, "annex_i", "annex_iii", *EXCEPTIONS, "profiling", *TRANSPARENCY, *ORGANISATION]


def question_texts() -> dict[str, str]:
    texts = {k: q for _, items in questions() for k, q in items}
    texts["annex_iii"] = ANNEX_III_QUESTION
    return {k: texts[k] for k in question_keys()}


def unanswered(answers: dict) -> list[str]:
    """The questions without an explicit answer, in order: a yes/no question not True or False, an
    Annex III area not one of the list."""
    area = answers.get("annex_iii")
    return [
        k
        for k in question_keys()
        if not (
            isinstance(area, str) and area in ANNEX_III
            if k == "annex_iii"
            else isinstance(answers.get(k), bool)
        )
    ]


@dataclass
class Result:
    tier: str
    reasons: list[str]
    duties: list[Duty] = field(default_factory=list)

    @property
    def articles(self) -> list[str]:
        """The article each duty rests on ("Art. 26(9)"), in the order the duties are listed."""
        return [d.article for d in self.duties]

    def as_dict(self, answers: dict) -> dict:
        return {
            "answers": answers,
            "tier": self.tier,
            "reasons": self.reasons,
            "duties": [d.text for d in self.duties],
            "articles": self.articles,
        }


def _yes(answers: dict, key: str) -> bool:
    return answers.get(key) is True


def classify(answers: dict, *, role: str) -> Result:
    """`answers`: {question key: bool} plus "annex_iii": an ANNEX_III key; every question answered
    (`unanswered` is empty). `role`: the system's ai_role (registers AiRole): provider and producer are
    its provider under the Act, customer its deployer; partner, subject and authority are neither.
    The tier is the system's, whoever we are; the duties are our role's."""
    if unanswered(answers):
        raise ValueError(f"Unanswered: {', '.join(unanswered(answers))}")
    banned = [PROHIBITED[k] for k in PROHIBITED if _yes(answers, k)]
    if banned:
        reasons = [f"It {what} ({article}): a prohibited practice." for article, what in banned]
        return Result("prohibited", reasons, duties_for("prohibited", role=role))

    reasons, route = [], {"annex_i": False, "annex_iii_high": False, "exempt": False}
    if _yes(answers, "annex_i"):
        route["annex_i"] = True
        reasons.append("It is, or is a safety component of, a product under Annex I legislation that needs "
                       "third-party conformity assessment (Art. 6(1)).")  # fmt: skip
    area = answers["annex_iii"]
    if area != "none":
        reasons.append(_annex_iii_reason(answers, area, route, role))

    transparency = [TRANSPARENCY[k] for k in TRANSPARENCY if _yes(answers, k)]
    ours = {"Art. 50(1)": PROVIDER, "Art. 50(2)": PROVIDER, "Art. 50(3)": DEPLOYER, "Art. 50(4)": DEPLOYER}
    for article, what in transparency:
        bound = ours[article]
        whose = "ours" if eu_role(role) == bound else f"its {bound}'s, not ours"
        reasons.append(f"It {what} ({article}): a transparency duty that is {whose}.")
    high = route["annex_i"] or route["annex_iii_high"]
    tier = "high" if high else "limited" if transparency else "minimal"
    if tier == "minimal" and not reasons:
        reasons.append("No prohibited practice, no Annex I product, no Annex III area and no transparency "
                       "trigger; voluntary codes of conduct may still be applied (Art. 95).")  # fmt: skip
    triggers = {article for article, _ in transparency}
    reasons.append(role_reason(role))
    duties = duties_for(tier, role=role, area=area, route=route, transparency=triggers, answers=answers)
    return Result(tier, reasons, duties)


def _annex_iii_reason(answers, area, route, role) -> str:
    label = ANNEX_III[area]
    exceptions = [EXCEPTIONS[k] for k in EXCEPTIONS if _yes(answers, k)]
    if _yes(answers, "profiling"):
        route["annex_iii_high"] = True
        return (f"It is used in an Annex III area ({label}) and profiles natural persons, so it is high-risk "
                "whatever its task (Art. 6(3), last subparagraph).")  # fmt: skip
    if exceptions and route["annex_i"]:
        return (f"It is used in an Annex III area ({label}); the Art. 6(3) exception ({'; '.join(exceptions)}) "
                "concerns Annex III only: as an Annex I product it stays high-risk (Art. 6(1)).")  # fmt: skip
    if exceptions:
        route["exempt"] = True
        who = "we document" if eu_role(role) == PROVIDER else "its provider documents"
        return (f"It is used in an Annex III area ({label}) but poses no significant risk because it "
                f"{'; '.join(exceptions)} (Art. 6(3)); {who} that assessment (Art. 6(4)).")  # fmt: skip
    route["annex_iii_high"] = True
    return f"It is used in an Annex III area: {label} (Art. 6(2))."


ANNEX_III_QUESTION = "Annex III: is it used in one of these areas (Art. 6(2))?"


def questions() -> list[tuple[str, list[tuple[str, str]]]]:
    """The yes/no questionnaire as (section heading, [(key, question)]) for the page; the Annex III
    area is a choice, asked after the second section (ANNEX_III_QUESTION)."""
    return [
        ("Prohibited practices (Art. 5). Answer yes or no to each: the system …", [(k, f"… {what}") for k, (_, what) in PROHIBITED.items()]),
        ("Products (Art. 6(1), Annex I)", [("annex_i", "Is it a product, or a safety component of a product, "
                                            "covered by Annex I legislation that needs third-party conformity "
                                            "assessment (machinery, toys, medical devices, vehicles …)?")]),
        ("The Art. 6(3) exception, for Annex III areas (no area: answer no). Answer yes or no to each: the system …",
         [(k, f"… {what}") for k, what in EXCEPTIONS.items()]
         + [("profiling", "… profiles natural persons (evaluates aspects of their lives from personal data)")]),
        ("Transparency (Art. 50). Answer yes or no to each: the system …",
         [(k, f"… {what}") for k, (_, what) in TRANSPARENCY.items()]),
        ("The organisation (Arts. 26(8), 27, 49(3))", list(ORGANISATION.items())),
    ]  # fmt: skip
