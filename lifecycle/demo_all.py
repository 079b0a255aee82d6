"""The life-cycle part of the demo organisation, in the order the records depend on each other:
suppliers, then the AI systems they supply, then incidents on those systems."""

from .demo import _incidents, _suppliers
from .demo_systems import seed_systems


def seed_lifecycle(users) -> int:
    return _suppliers(users) + seed_systems(users) + _incidents(users)
