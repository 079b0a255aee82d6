"""What the Check registers plug into the core: navigation, API routes, reminders, jobs."""

from aims.api.router import router
from aims.plugins import install
from aims.registry import registry

from . import standard
from .pack import build  # noqa: F401  registers the evidence pack job runner
from .pack.api import EvidencePackViewSet

install(standard, cycle="Check")
registry.add_menu_link("Check", "Evidence packs", "evidencepack-list")
router.register("evidence-packs", EvidencePackViewSet, basename="evidencepack")
