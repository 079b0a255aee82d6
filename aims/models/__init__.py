from .activity import ApiToken, Job, Notification
from .catalogue import Crosswalk, Requirement, Standard
from .records import BaseRecord, Change, RecordQuerySet, ReferenceCounter, ReviewCadence
from .users import User

__all__ = [
    "ApiToken",
    "BaseRecord",
    "Change",
    "Crosswalk",
    "Job",
    "Notification",
    "RecordQuerySet",
    "ReferenceCounter",
    "Requirement",
    "ReviewCadence",
    "Standard",
    "User",
]
