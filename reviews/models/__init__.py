"""Act: management reviews (9.3), nonconformities and corrective actions (10.2), lessons learned (10.1)."""

from .improvement import (
    CorrectiveAction,
    Feedback,
    ImprovementAction,
    Lesson,
    Nonconformity,
    PreventiveAction,
)
from .review import ManagementReview, ReviewAction, ReviewInputs

__all__ = [
    "CorrectiveAction",
    "Feedback",
    "ImprovementAction",
    "Lesson",
    "ManagementReview",
    "Nonconformity",
    "PreventiveAction",
    "ReviewAction",
    "ReviewInputs",
]
