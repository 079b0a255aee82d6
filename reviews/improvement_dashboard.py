"""The board dashboard's improvement panel (10.2): open nonconformities by grade, corrective actions with
an overdue action, effectiveness checks due. A fixed number of queries however many records there are."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from aims import roles
from aims.registry import registry
from aims.text import plural

from .models import CorrectiveAction, Nonconformity
from .selectors import checks_due, with_overdue_actions


def improvement_panel(request) -> dict:
    today = timezone.localdate()
    user = request.user
    ncs = Nonconformity.objects.restrict(user, "view").live()
    counts = ncs.aggregate(
        open_count=Count("pk", filter=Q(status__in=Nonconformity.OPEN_STATUSES)),
        **{
            f"grade_{g}": Count("pk", filter=Q(status__in=Nonconformity.OPEN_STATUSES, grade=g))
            for g in Nonconformity.Grade.values
        },
    )
    cas = CorrectiveAction.objects.restrict(user, "view").live()
    overdue = with_overdue_actions(cas, today).select_related("owner", "nonconformity").order_by("reference")
    due = checks_due(cas, today).select_related("owner").order_by("actions_done_on", "reference")
    nc_url, ca_url = reverse("nonconformity-list"), reverse("correctiveaction-list")
    return {
        "template": "reviews/improvement_panel.html",
        "nc_url": nc_url,
        "ca_url": ca_url,
        "open_count": counts["open_count"],
        "by_grade": [
            (g, plural(counts[f"grade_{g}"], *Nonconformity.GRADE_NOUNS[g]), counts[f"grade_{g}"])
            for g in Nonconformity.Grade.values
        ],
        "overdue": list(overdue[:10]),
        "overdue_count": overdue.count(),
        "checks_due": list(due[:10]),
        "checks_due_count": due.count(),
    }


registry.add_dashboard_panel(improvement_panel, roles=(roles.MANAGER, roles.BOARD), order=60)
