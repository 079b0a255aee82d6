"""Where a system stands under the EU AI Act, read from its classification in one place: the tier, our
role for it (provider or deployer), the Annex III area, whether Annex I applies and whether we use it as
a public body. The classification rules live in lifecycle.eu_ai_act; this module only reads what they
stored, so a change there is met by a change here and nowhere else in the obligations."""

from dataclasses import dataclass

from lifecycle.models.obligations import DEPLOYER, PROVIDER
from registers.models.choices import AiRole

# Our AI role (ISO/IEC 22989 terms) as the Act's role: who places it on the market, who uses it.
ACT_ROLE = {
    AiRole.PROVIDER: PROVIDER,
    AiRole.PRODUCER: PROVIDER,
    AiRole.CUSTOMER: DEPLOYER,
}  # partners, subjects and authorities carry neither role's obligations
HIGH = "high"
NO_AREA = "none"
BIOMETRICS = "biometrics"  # Annex III point 1: the only area a notified body may assess (Art. 43(1))
INFRASTRUCTURE = "infrastructure"  # Annex III point 2: registered nationally (Art. 49(5)), no FRIA


@dataclass(frozen=True)
class Position:
    tier: str
    role: str  # PROVIDER, DEPLOYER or "" (neither)
    annex_iii: str  # the Annex III area's key, or "none"
    annex_i: bool  # an Annex I product or its safety component (Art. 6(1))
    public_body: bool | None  # None: the classification does not say

    @property
    def high_risk(self) -> bool:
        return self.tier == HIGH

    @property
    def role_label(self) -> str:
        return {PROVIDER: "provider", DEPLOYER: "deployer"}.get(self.role, "neither provider nor deployer")


def eu_position(system) -> Position:
    answers = (system.eu_classification or {}).get("answers") or {}
    public_body = answers.get("public_body")
    return Position(
        tier=system.eu_tier,
        role=ACT_ROLE.get(system.ai_role, ""),
        annex_iii=answers.get("annex_iii") or NO_AREA,
        annex_i=answers.get("annex_i") is True,
        public_body=public_body if isinstance(public_body, bool) else None,
    )
