"""How the OpenAPI document describes the API to the people and generators that read it.

Operations are grouped by register ("AI risks", "Nonconformities" ...), in the order of the menu, so
/api/docs/ reads like the app; filters are described on the lists they narrow, not on a record's
history; and `tags` lists the groups with what each register is for."""

from drf_spectacular.openapi import AutoSchema

# Groups of the core's own endpoints, after the registers'; a viewset may name its own (`api_tag`).
CORE_TAGS = {
    "me": "Account",
    "notifications": "Account",
    "jobs": "Jobs",
    "requirements": "Catalogue",
    "certification-readiness": "Certification readiness",
}
CYCLES = ("Plan", "Do", "Check", "Act")


def register_of(view):
    """The declared register a view serves, or None (the core's endpoints)."""
    from aims.registry import registry

    serializer = getattr(view, "serializer_class", None)
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    return registry.register_for(model) if model is not None else None


def _purpose(register) -> str:
    """What a register is for: the lead its list page shows, else its API's own description."""
    if getattr(register, "lead", ""):
        return register.lead
    viewset = getattr(register, "viewset", None)
    return (vars(viewset).get("__doc__") or "") if viewset is not None else ""


class RecordAutoSchema(AutoSchema):
    def get_tags(self) -> list[str]:
        named = getattr(self.view, "api_tag", None)
        if named:
            return [named]
        info = register_of(self.view)
        if info is not None:
            return [info.label]
        # /api/v1/<first part>/...: a core endpoint, grouped by what it is about
        first = next((part for part in self.path.split("/")[3:] if part), "")
        return [CORE_TAGS.get(first, first.replace("-", " ").capitalize())]

    def get_filter_backends(self):
        # A record's history, versions or checklist is one record's: the list's filters do not apply there.
        if getattr(self.view, "detail", None):
            return []
        return super().get_filter_backends()


def describe_tags(result, generator, request, public):
    """drf-spectacular postprocessing hook: `tags` in menu order (Plan, Do, Check, Act, then the core's),
    each register's with its cycle and what it is for, so /api/docs/ lists them as the menu does."""
    from aims.registry import registry

    used = {
        tag for item in result.get("paths", {}).values() for op in item.values() for tag in op.get("tags", ())
    }
    tags, seen = [], set()
    for cycle in CYCLES:
        for info in registry.registers:
            if info.cycle == cycle and info.label in used and info.label not in seen:
                tags.append(
                    {"name": info.label, "description": f"{cycle}. {_purpose(info.register)}".strip()}
                )
                seen.add(info.label)
    tags += [{"name": name} for name in sorted(used - seen)]
    result["tags"] = tags
    return result
