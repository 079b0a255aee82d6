"""Act: management reviews (9.3), nonconformities and corrective actions (10.2), lessons learned (10.1)."""

from .review import ManagementReview, ReviewAction, ReviewInputs

__all__ = ["ManagementReview", "ReviewAction", "ReviewInputs"]
