"""The life-cycle part of the demo organisation, in the order the records depend on each other:
suppliers, then the AI systems they supply (linked to the risks and concerns that name them), then incidents on those systems, KPIs that monitor them and the EU AI Act obligations of the high-risk ones."""

from aims.demo import first_time

from .demo import _incidents, _suppliers
from .demo_assessments import seed_assessments
from .demo_bias_soa import seed_bias_soa
from .demo_kpis import seed_kpis
from .demo_obligations import seed_obligations
from .demo_systems import seed_systems
from .system_links import link_named_systems


def seed_lifecycle(users) -> int:
    made = _suppliers(users) + seed_systems(users)
    # The Plan app's demo risks and concerns name their systems in text, as people did before the
    # inventory existed; the inventory now matches them (the same matcher as the data migration).
    if first_time("lifecycle:link-named-systems"):  # later runs leave links people changed alone
        link_named_systems(users["manager"])
    made += seed_assessments(users) + _incidents(users) + seed_kpis(users) + seed_obligations(users)
    return made + sum(seed_bias_soa(users).values())
