"""The duties an EU AI Act classification puts on the organisation (Regulation (EU) 2024/1689), by its
role for the system and the route by which the system is high-risk.

The role comes from the system's ai_role (ISO/IEC 22989 terms): provider and producer make it the
system's provider under the Act, customer its deployer; a partner, a subject or an authority is neither,
and no provider or deployer duty is listed for it. The route: an Annex I product (Art. 6(1)), an Annex
III use (Art. 6(2)), or an Annex III use that the Art. 6(3) exception takes out of high-risk.

Each duty names the article it rests on (`Duty.article`), which its text cites too, so a page, the API
and a test can tell exactly which articles apply. Paraphrased in our own words; not legal advice."""

from dataclasses import dataclass

from registers.models.choices import AiRole

PROVIDER, DEPLOYER = "provider", "deployer"
EU_ROLES = {AiRole.PROVIDER: PROVIDER, AiRole.PRODUCER: PROVIDER, AiRole.CUSTOMER: DEPLOYER}
CRITICAL_INFRASTRUCTURE = "infrastructure"  # Annex III point 2: Arts. 27(1), 49(1) and 49(3) leave it out
FRIA_AREAS = ("essential_credit", "essential_insurance")  # Annex III 5(b), 5(c): Art. 27 for every deployer


@dataclass(frozen=True)
class Duty:
    article: str  # "Art. 26(9)": the provision the duty rests on
    text: str


def _duty(article: str, text: str, *more: str) -> Duty:
    return Duty(article, f"{text} ({', '.join((article, *more))}).")


def eu_role(role: str) -> str | None:
    """PROVIDER, DEPLOYER, or None for a role that is neither under the Act."""
    return EU_ROLES.get(role)


def role_reason(role: str) -> str:
    label = dict(AiRole.choices).get(role, role)
    who = eu_role(role)
    if who:
        return f"Our role for it is {label}: under the Act the organisation is its {who}, so its {who}'s duties are listed."
    return (
        f"Our role for it is {label}: under the Act the organisation is neither its provider nor its deployer, "
        "so no provider or deployer duties are listed for us; they fall on whoever provides or deploys it."
    )


STOP = _duty("Art. 5", "Do not place it on the market, put it into service or use it: stop it")
LITERACY = _duty("Art. 4", "AI literacy: make sure the staff and others who operate or use it on the "
                 "organisation's behalf know enough about AI for their role and the context of use")  # fmt: skip

PROVIDER_HIGH = [
    _duty("Art. 9", "Run a risk management system across its whole life cycle"),
    _duty("Art. 10", "Govern the training, validation and testing data: relevant, representative, examined for bias"),
    _duty("Art. 11", "Draw up the technical documentation before placing it on the market and keep it for ten years",
          "Art. 18"),
    _duty("Art. 12", "Design it to record events automatically, and keep the logs under our control", "Art. 19"),
    _duty("Art. 13", "Give deployers instructions for use and the information they need to use it properly"),
    _duty("Art. 14", "Design it so that people can oversee it effectively while it is in use"),
    _duty("Art. 15", "Achieve an appropriate level of accuracy, robustness and cybersecurity"),
    _duty("Art. 17", "Put a quality management system in place"),
    _duty("Art. 43", "Complete the conformity assessment, draw up the EU declaration of conformity and affix the CE "
          "marking", "Art. 47", "Art. 48"),
]  # fmt: skip
PROVIDER_AFTER_MARKET = [
    _duty("Art. 72", "Monitor it after placing it on the market, following a post-market monitoring plan"),
    _duty("Art. 73", "Report serious incidents to the market surveillance authority"),
]
EU_REGISTRATION = _duty("Art. 49(1)", "Register the organisation and the system in the EU database before placing "
                        "it on the market or putting it into service")  # fmt: skip
NATIONAL_REGISTRATION = _duty("Art. 49(5)", "Register it at national level: as critical infrastructure (Annex III "
                              "point 2) it is not registered in the EU database")  # fmt: skip
NOT_HIGH_RISK = [
    _duty("Art. 6(4)", "Document the assessment that it is not high-risk before placing it on the market or putting "
          "it into service, and give it to the authorities on request"),
    _duty("Art. 49(2)", "Register the organisation and the system in the EU database, although it is not high-risk"),
]  # fmt: skip

DEPLOYER_HIGH = [
    _duty("Art. 26(1)", "Use it according to the provider's instructions for use, with the technical and "
          "organisational measures that takes"),
    _duty("Art. 26(2)", "Give its human oversight to people with the competence, training, authority and support "
          "it needs"),
    _duty("Art. 26(4)", "Make sure the input data under our control is relevant and representative enough for its "
          "purpose"),
    _duty("Art. 26(5)", "Monitor its operation; tell the provider of risks, suspend use and inform the provider and "
          "the authority when it presents a risk or a serious incident occurs"),
    _duty("Art. 26(6)", "Keep the logs it generates under our control for at least six months"),
    _duty("Art. 26(7)", "Before using it at the workplace, inform the workers' representatives and the workers "
          "affected"),
    _duty("Art. 26(9)", "Use the information the provider gives about it to carry out the data protection impact "
          "assessment the GDPR requires (its Article 35), where one is required"),
]  # fmt: skip
INFORM_PEOPLE = _duty("Art. 26(11)", "Inform the people it makes decisions about, or helps to make decisions "
                      "about, that it is used for them")  # fmt: skip
PUBLIC_REGISTRATION = _duty("Art. 49(3)", "As a public body (or acting for one), register the organisation and "
                            "this use of the system in the EU database before using it, and do not use it if the "
                            "provider has not registered it", "Art. 26(8)")  # fmt: skip
FRIA = _duty("Art. 27", "Carry out a fundamental rights impact assessment before its first use, and notify the "
             "market surveillance authority of the results")  # fmt: skip

TRANSPARENCY = {
    "Art. 50(1)": (PROVIDER, _duty("Art. 50(1)", "Design it so that people are told they are interacting with an AI "
                                   "system, unless that is obvious from the context")),
    "Art. 50(2)": (PROVIDER, _duty("Art. 50(2)", "Mark its synthetic outputs in a machine-readable way as "
                                   "artificially generated or manipulated")),
    "Art. 50(3)": (DEPLOYER, _duty("Art. 50(3)", "Inform the people exposed to the emotion recognition or biometric "
                                   "categorisation, and process their personal data lawfully")),
    "Art. 50(4)": (DEPLOYER, _duty("Art. 50(4)", "Disclose that the deep fake, or the text published on matters of "
                                   "public interest, was artificially generated or manipulated")),
}  # fmt: skip


def duties_for(tier: str, *, role: str, area="none", route=None, transparency=(), answers=None) -> list[Duty]:
    """What the organisation must do, given the tier, its role and the route (`route`: {"annex_i",
    "annex_iii_high", "exempt"}), the Annex III `area`, the Art. 50 articles triggered and the answers
    about the organisation (public body, private entity providing public services)."""
    if tier == "prohibited":
        return [STOP]  # Art. 5 forbids placing on the market, putting into service and use alike
    who = eu_role(role)
    if who is None:
        return []
    route, answers = route or {}, answers or {}
    high = route.get("annex_i") or route.get("annex_iii_high")
    annex_iii_high = bool(route.get("annex_iii_high"))
    national = area == CRITICAL_INFRASTRUCTURE
    duties = []
    if who == PROVIDER:
        if high:
            duties += PROVIDER_HIGH
            if annex_iii_high:  # an Annex I product is not registered under Art. 49 (Art. 6(1) route)
                duties.append(NATIONAL_REGISTRATION if national else EU_REGISTRATION)
            duties += PROVIDER_AFTER_MARKET
        if route.get("exempt"):
            duties += NOT_HIGH_RISK
    else:
        public_body = answers.get("o_public_authority") is True
        public_service = answers.get("o_public_service") is True
        if high:
            duties += DEPLOYER_HIGH
        if annex_iii_high:
            duties.append(INFORM_PEOPLE)
            if public_body and not national:
                duties.append(PUBLIC_REGISTRATION)
            if not national and (public_body or public_service or area in FRIA_AREAS):
                duties.append(FRIA)
    duties += [
        duty for article, (bound, duty) in TRANSPARENCY.items() if article in transparency and bound == who
    ]
    duties.append(LITERACY)  # every provider and deployer, whatever the tier (Art. 4)
    return duties
