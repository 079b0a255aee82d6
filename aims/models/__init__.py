from .activity import ApiToken, Job, Notification
from .catalogue import Crosswalk, Requirement, Standard
from .demo import DemoRecord
from .records import BaseRecord, Change, RecordQuerySet, ReferenceCounter, ReviewCadence
from .signin import SignInPolicy, SignInPolicyChange
from .users import User
from .versions import Lifecycle, Publishable, RecordVersion
from .webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "ApiToken",
    "BaseRecord",
    "Change",
    "Crosswalk",
    "DemoRecord",
    "Job",
    "Lifecycle",
    "Notification",
    "Publishable",
    "RecordQuerySet",
    "RecordVersion",
    "ReferenceCounter",
    "Requirement",
    "ReviewCadence",
    "SignInPolicy",
    "SignInPolicyChange",
    "Standard",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
