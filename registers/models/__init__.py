from .risk import Risk, RiskCategory, RiskCriteria

__all__ = ["Risk", "RiskCategory", "RiskCriteria"]
