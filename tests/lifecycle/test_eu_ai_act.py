"""The EU AI Act screening (Regulation (EU) 2024/1689), from the text of each rule: the tier from Arts. 5,
6 and 50, and exactly which article duties the organisation's role (provider, deployer, neither) and the
system's route (Annex I, Annex III by area, the Art. 6(3) exception) bring, and which they do not."""

import pytest

from lifecycle import eu_ai_act
from lifecycle.eu_ai_act import ANNEX_III, PROHIBITED, classify, unanswered


def answers(area="none", *yes):
    """Every question answered: yes to those named, no to the others."""
    return {**{k: k in yes for k in eu_ai_act.yes_no_keys()}, "annex_iii": area}


# Art. 16 (provider of a high-risk system): Arts. 9-15, 17, 43 (with 47, 48), 72, 73.
PROVIDER_HIGH = {"Art. 9", "Art. 10", "Art. 11", "Art. 12", "Art. 13", "Art. 14", "Art. 15", "Art. 17", "Art. 43",
                 "Art. 72", "Art. 73"}  # fmt: skip
# Art. 26 (deployer of a high-risk system), for every route.
DEPLOYER_HIGH = {
    "Art. 26(1)",
    "Art. 26(2)",
    "Art. 26(4)",
    "Art. 26(5)",
    "Art. 26(6)",
    "Art. 26(7)",
    "Art. 26(9)",
}
LITERACY = {"Art. 4"}
PUBLIC, PUBLIC_SERVICE = "o_public_authority", "o_public_service"

SCENARIOS = [
    # (role, area, yes, tier, articles): role x route x area
    # -- providers (AiRole provider and producer) of high-risk systems: Art. 49(1) for Annex III but point 2
    ("producer", "employment", [], "high", PROVIDER_HIGH | {"Art. 49(1)"} | LITERACY),
    ("provider", "essential_credit", [], "high", PROVIDER_HIGH | {"Art. 49(1)"} | LITERACY),
    ("provider", "essential_benefits", [PUBLIC], "high", PROVIDER_HIGH | {"Art. 49(1)"} | LITERACY),
    ("provider", "infrastructure", [], "high", PROVIDER_HIGH | {"Art. 49(5)"} | LITERACY),  # registered nationally
    ("provider", "none", ["annex_i"], "high", PROVIDER_HIGH | LITERACY),  # Art. 6(1): no Art. 49 registration
    ("producer", "education", ["annex_i"], "high", PROVIDER_HIGH | {"Art. 49(1)"} | LITERACY),
    ("provider", "employment", ["t_interacts", "t_synthetic", "t_emotion"], "high",
     PROVIDER_HIGH | {"Art. 49(1)", "Art. 50(1)", "Art. 50(2)"} | LITERACY),
    # -- deployers (customer): Art. 26; 26(11) for Annex III only; 26(8)/49(3) for public bodies; Art. 27
    ("customer", "employment", [], "high", DEPLOYER_HIGH | {"Art. 26(11)"} | LITERACY),
    ("customer", "employment", [PUBLIC], "high", DEPLOYER_HIGH | {"Art. 26(11)", "Art. 49(3)", "Art. 27"} | LITERACY),
    ("customer", "employment", [PUBLIC_SERVICE], "high", DEPLOYER_HIGH | {"Art. 26(11)", "Art. 27"} | LITERACY),
    ("customer", "essential_credit", [], "high", DEPLOYER_HIGH | {"Art. 26(11)", "Art. 27"} | LITERACY),  # 5(b)
    ("customer", "essential_insurance", [], "high", DEPLOYER_HIGH | {"Art. 26(11)", "Art. 27"} | LITERACY),  # 5(c)
    ("customer", "essential_benefits", [], "high", DEPLOYER_HIGH | {"Art. 26(11)"} | LITERACY),  # 5(a), private
    ("customer", "essential_emergency", [], "high", DEPLOYER_HIGH | {"Art. 26(11)"} | LITERACY),  # 5(d), private
    ("customer", "essential_benefits", [PUBLIC], "high",
     DEPLOYER_HIGH | {"Art. 26(11)", "Art. 49(3)", "Art. 27"} | LITERACY),
    ("customer", "infrastructure", [PUBLIC, PUBLIC_SERVICE], "high", DEPLOYER_HIGH | {"Art. 26(11)"} | LITERACY),
    ("customer", "none", ["annex_i", PUBLIC], "high", DEPLOYER_HIGH | LITERACY),  # Annex I: no 26(11), 27, 49(3)
    ("customer", "justice", ["t_interacts", "t_emotion", "t_deepfake"], "high",
     DEPLOYER_HIGH | {"Art. 26(11)", "Art. 50(3)", "Art. 50(4)"} | LITERACY),
    ("customer", "employment", ["x_preparatory", "profiling"], "high", DEPLOYER_HIGH | {"Art. 26(11)"} | LITERACY),
    # -- the Art. 6(3) exception: not high-risk; Art. 6(4) and 49(2) are the provider's alone
    ("provider", "employment", ["x_preparatory"], "minimal", {"Art. 6(4)", "Art. 49(2)"} | LITERACY),
    ("customer", "employment", ["x_preparatory", PUBLIC], "minimal", LITERACY),
    ("provider", "education", ["x_narrow_task", "t_synthetic"], "limited",
     {"Art. 6(4)", "Art. 49(2)", "Art. 50(2)"} | LITERACY),
    # -- transparency (Art. 50): (1) and (2) bind providers, (3) and (4) deployers
    ("provider", "none", ["t_interacts", "t_synthetic", "t_emotion", "t_deepfake"], "limited",
     {"Art. 50(1)", "Art. 50(2)"} | LITERACY),
    ("customer", "none", ["t_interacts", "t_synthetic", "t_emotion", "t_deepfake"], "limited",
     {"Art. 50(3)", "Art. 50(4)"} | LITERACY),
    ("customer", "none", ["t_interacts", "t_synthetic"], "limited", LITERACY),
    # -- minimal risk: Art. 4 AI literacy still binds every provider and deployer
    ("provider", "none", [], "minimal", LITERACY),
    ("producer", "none", [PUBLIC], "minimal", LITERACY),
    ("customer", "none", [PUBLIC_SERVICE], "minimal", LITERACY),
    # -- partner, subject, authority: neither provider nor deployer, so no duty of either
    ("partner", "employment", [PUBLIC], "high", set()),
    ("subject", "essential_credit", [], "high", set()),
    ("authority", "none", ["annex_i"], "high", set()),
    ("partner", "none", ["t_interacts", "t_deepfake"], "limited", set()),
    ("authority", "none", [], "minimal", set()),
]  # fmt: skip


@pytest.mark.parametrize("role, area, yes, tier, articles", SCENARIOS)
def test_duties_follow_role_route_and_area_arts_4_6_26_27_49_50(role, area, yes, tier, articles):
    """Arts. 4, 6(4), 16, 26(1)-(11), 27(1), 49(1)-(5), 50(1)-(4): exactly these article duties, no other."""
    result = classify(answers(area, *yes), role=role)
    assert result.tier == tier
    assert set(result.articles) == articles
    assert len(result.articles) == len(set(result.articles))  # each duty listed once
    for article, text in zip(result.articles, [d.text for d in result.duties], strict=True):
        assert article in text  # the text cites the article it rests on


@pytest.mark.parametrize("role", ["partner", "subject", "authority"])
def test_a_partner_subject_or_authority_is_told_it_is_not_a_deployer(role):
    """Art. 3(4): a deployer uses a system under its authority; Art. 26 binds no one else."""
    result = classify(answers("employment"), role=role)
    assert result.duties == []
    assert any("neither its provider nor its deployer" in r for r in result.reasons)


def test_a_deployer_is_told_whose_transparency_duty_art_50_1_is():
    """Art. 50(1) binds the provider of a system that interacts with people, not its deployer."""
    result = classify(answers("none", "t_interacts"), role="customer")
    assert any("Art. 50(1)" in r and "provider's, not ours" in r for r in result.reasons)
    assert "Art. 50(1)" not in result.articles


@pytest.mark.parametrize("key", list(PROHIBITED))
@pytest.mark.parametrize("role", ["provider", "customer", "partner"])
def test_each_art_5_1_practice_is_prohibited_whatever_else_and_names_its_point(key, role):
    """Art. 5(1)(a)-(h): prohibited for anyone, whatever the Annex III area or transparency answers."""
    result = classify(answers("essential_credit", key, "t_interacts", "annex_i"), role=role)
    assert result.tier == "prohibited"
    assert result.reasons == [f"It {PROHIBITED[key][1]} ({PROHIBITED[key][0]}): a prohibited practice."]
    assert result.articles == ["Art. 5"]


def test_art_5_1_c_social_scoring_reads_in_full():
    """Art. 5(1)(c): the score leads to detrimental treatment in unrelated social contexts, or to
    unjustified or disproportionate treatment."""
    article, text = PROHIBITED["p_social_scoring"]
    assert article == "Art. 5(1)(c)"
    for part in ("social behaviour", "personal characteristics", "detrimental or unfavourable treatment",
                 "social contexts unrelated to the contexts in which the data was generated",
                 "unjustified or disproportionate"):  # fmt: skip
        assert part in text


def test_art_5_1_g_biometric_categorisation_names_every_sensitive_trait():
    """Art. 5(1)(g): race, political opinions, trade union membership, religious or philosophical beliefs,
    sex life or sexual orientation."""
    article, text = PROHIBITED["p_biometric_sensitive"]
    assert article == "Art. 5(1)(g)"
    for trait in ("race", "political opinions", "trade union membership", "religious or philosophical beliefs",
                  "sex life", "sexual orientation"):  # fmt: skip
        assert trait in text


def test_no_answer_is_read_as_no():
    """Nothing answered gives no tier: every question, the Annex III area included, needs an answer."""
    assert unanswered({}) == eu_ai_act.question_keys()
    with pytest.raises(ValueError, match="Unanswered"):
        classify({}, role="provider")
    almost = answers("none")
    del almost["o_public_service"]
    assert unanswered(almost) == ["o_public_service"]
    assert unanswered({**answers("none"), "p_manipulation": "no"}) == ["p_manipulation"]  # not a boolean


def test_annex_iii_point_5_is_asked_by_sub_point():
    """Annex III 5(a)-(d) are separate choices (Art. 27(1) turns on 5(b) and 5(c))."""
    assert [k for k in ANNEX_III if k.startswith("essential")] == [
        "essential_benefits", "essential_credit", "essential_insurance", "essential_emergency",
    ]  # fmt: skip
    assert "essential_services" not in ANNEX_III
    assert (
        ANNEX_III["essential_credit"].startswith("5(b).")
        and "fraud detection excepted" in ANNEX_III["essential_credit"]
    )


def test_the_art_6_3_exception_does_not_lift_an_annex_i_product():
    """Art. 6(3) derogates from Art. 6(2) only: an Annex I product stays high-risk under Art. 6(1)."""
    result = classify(answers("employment", "annex_i", "x_narrow_task"), role="provider")
    assert result.tier == "high" and "Art. 6(4)" not in result.articles
    assert any("concerns Annex III only" in r for r in result.reasons)


def test_the_organisation_questions_are_asked():
    keys = eu_ai_act.question_keys()
    assert "o_public_authority" in keys and "o_public_service" in keys
    texts = eu_ai_act.question_texts()
    assert "public authority" in texts["o_public_authority"] and "on behalf" in texts["o_public_authority"]
    assert "private entity providing public services" in texts["o_public_service"]
