"""Certification readiness: no AI system in the AIMS scope is a prohibited practice (EU AI Act Art. 5).
ISO/IEC 42001 4.1 names prohibited uses of AI among the legal requirements the organisation determines;
a system classified as prohibited -- confirmed, or proposed and awaiting confirmation (models.prohibited_q,
as the gates and the dashboard read it) -- that is not decommissioned leaves the row missing, naming each
one as a link. One query."""

from django.db.models import BooleanField, ExpressionWrapper

from aims.certification import met, missing, partial
from aims.registry import registry
from registers.certification_checks import link

from .models import AISystem, Stage, Tier, prohibited_q

KEY, CODE, TITLE = (
    "4.1-prohibited",
    "4.1",
    "No AI system in scope is a prohibited practice (EU AI Act Art. 5)",
)
NAMED = 10  # systems named as links; the last link lists them all


def _named(rows, status, say: str, everyone: tuple[str, str]):
    """`status(reason, links...)`: the first NAMED systems by reference and title, each one a link."""
    names = "; ".join(f"{r['reference']} {r['title']}" for r in rows[:NAMED])
    links = [link(r["reference"], "aisystem-detail", args=[r["reference"]]) for r in rows[:NAMED]]
    return status(say.format(names=names), *links, everyone)


def no_prohibited_practice(today):
    rows = list(
        AISystem.objects.live()
        .filter(in_scope=True)
        .exclude(stage=Stage.DECOMMISSIONED)
        .annotate(prohibited=ExpressionWrapper(prohibited_q(), output_field=BooleanField()))
        .order_by("reference")
        .values("reference", "title", "eu_tier", "prohibited")
    )
    if not rows:
        return missing(
            "No AI system in the inventory yet, so none has been screened.",
            link("Record an AI system", "aisystem-add"),
        )
    banned = [r for r in rows if r["prohibited"]]
    if banned:
        say = (f"{len(banned)} of {len(rows)} AI systems in scope are classified as a prohibited practice and not "
               "decommissioned: {names}. Stop and decommission them, or correct their classification.")  # fmt: skip
        everyone = link("All of them", "aisystem-list", "in_scope=true&prohibited=not_stopped")
        return _named(banned, missing, say, everyone)
    unscreened = [r for r in rows if r["eu_tier"] == Tier.UNCLASSIFIED]
    if unscreened:
        say = (f"None classified as a prohibited practice, but {len(unscreened)} of {len(rows)} AI systems in "
               "scope have no confirmed EU AI Act classification yet: {names}.")  # fmt: skip
        everyone = link("Not yet classified", "aisystem-list", "in_scope=true&eu_tier=unclassified")
        return _named(unscreened, partial, say, everyone)
    return met(
        f"All {len(rows)} AI systems in scope are classified under the EU AI Act; none is a prohibited practice.",
        link("AI systems", "aisystem-list", "in_scope=true"),
    )


def register() -> None:
    registry.add_readiness_check(CODE, TITLE, no_prohibited_practice, key=KEY)
