"""The EU AI Act screening: each path through Art. 5, Art. 6 and Art. 50 gives its tier and says why."""

import pytest

from lifecycle.eu_ai_act import ANNEX_III, DEPLOYER_DUTIES, PROVIDER_DUTIES, classify


def test_a_prohibited_practice_wins_over_everything_else():
    result = classify(
        {"p_social_scoring": True, "annex_iii": "essential_services", "t_interacts": True}, provider=True
    )
    assert result.tier == "prohibited" and "Art. 5(1)(c)" in result.reasons[0]
    assert result.duties == ["It must not be placed on the market, put into service or used (Art. 5)."]


@pytest.mark.parametrize("provider, duties", [(True, PROVIDER_DUTIES), (False, DEPLOYER_DUTIES)])
def test_credit_scoring_is_high_risk_with_the_duties_of_our_role(provider, duties):
    result = classify({"annex_iii": "essential_services"}, provider=provider)
    assert result.tier == "high" and "Art. 6(2)" in result.reasons[0]
    assert result.duties == duties


def test_the_art_6_3_exception_makes_an_annex_iii_system_not_high_risk_but_documented():
    result = classify({"annex_iii": "employment", "x_preparatory": True}, provider=False)
    assert result.tier == "minimal"
    assert "Art. 6(3)" in result.reasons[0] and any("Art. 6(4)" in d for d in result.duties)


def test_profiling_overrides_the_exception():
    result = classify({"annex_iii": "employment", "x_preparatory": True, "profiling": True}, provider=False)
    assert result.tier == "high" and "profiles natural persons" in result.reasons[0]


def test_an_annex_i_product_is_high_risk():
    assert classify({"annex_i": True}, provider=True).tier == "high"


def test_a_chatbot_has_transparency_duties():
    result = classify({"t_interacts": True, "t_synthetic": True}, provider=False)
    assert result.tier == "limited"
    assert any("Art. 50(1)" in d for d in result.duties) and any("Art. 50(2)" in d for d in result.duties)


def test_a_high_risk_system_keeps_its_transparency_duties_too():
    result = classify({"annex_iii": "essential_services", "t_interacts": True}, provider=False)
    assert result.tier == "high" and any("Art. 50(1)" in d for d in result.duties)


def test_nothing_triggered_is_minimal_with_ai_literacy():
    result = classify({"annex_iii": "none"}, provider=True)
    assert result.tier == "minimal" and "Art. 4" in result.duties[-1]


def test_every_annex_iii_area_is_offered():
    assert len(ANNEX_III) == 9 and ANNEX_III["none"]
