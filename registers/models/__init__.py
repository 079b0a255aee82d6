from .risk import IMPACT_LABELS, LIKELIHOOD_LABELS, Band, Risk, RiskCategory, RiskCriteria

__all__ = ["IMPACT_LABELS", "LIKELIHOOD_LABELS", "Band", "Risk", "RiskCategory", "RiskCriteria"]
