"""Act: management reviews (9.3), nonconformities and corrective actions (10.2), lessons learned (10.1)."""

from .improvement import (
    CorrectiveAction,
    Feedback,
    ImprovementAction,
    Lesson,
    Nonconformity,
    PreventiveAction,
)

__all__ = [
    "CorrectiveAction",
    "Feedback",
    "ImprovementAction",
    "Lesson",
    "Nonconformity",
    "PreventiveAction",
]
