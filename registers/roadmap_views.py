"""The implementation roadmap page (see registers.roadmap)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from . import roadmap


class RoadmapView(LoginRequiredMixin, TemplateView):
    """Every signed-in person may see how far the implementation is; the counts behind it name no record."""

    template_name = "registers/roadmap.html"

    def get_context_data(self, **kwargs):
        steps = roadmap.steps()
        return super().get_context_data(
            steps=steps,
            done=sum(1 for s in steps if s.status == roadmap.DONE),
            **kwargs,
        )
