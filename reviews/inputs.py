"""The management review inputs (ISO/IEC 42001 9.3.2), each a section compiled from the registers for the
period a review covers, and frozen with the review (reviews.services.freeze_inputs).

Input sources form a small registry so that other apps add sections without this module knowing them:

    add_input_source(key, title, builder)   # builder(since: date, until: date) -> dict

A builder returns {"summary": str, "figures": [(label, value), ...], "items": [{"reference", "title",
"url", "detail"}, ...]}, every key optional, or {"available": False, "summary": why} while the register
behind it is not in use. Adding a key that exists replaces that section in place (same position): that is
how a real builder takes over from a placeholder."""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from .input_sections import (
    context_changes,
    incidents,
    monitoring,
    objectives,
    opportunities,
    previous_actions,
    risks,
    soa_changes,
)

log = logging.getLogger(__name__)

Builder = Callable[[dt.date, dt.date], dict]


@dataclass(frozen=True)
class InputSource:
    key: str
    title: str
    builder: Builder


_sources: list[InputSource] = []


def add_input_source(key: str, title: str, builder: Builder) -> None:
    """Add a section to every later freeze, or replace the section with this key where it stands."""
    source = InputSource(key, title, builder)
    for index, existing in enumerate(_sources):
        if existing.key == key:
            _sources[index] = source
            return
    _sources.append(source)


def input_sources() -> list[InputSource]:
    return list(_sources)


def _text(value) -> str:
    return "" if value is None else str(value)


def _section(source: InputSource, data: dict) -> dict:
    """A builder's answer in the one JSON shape every page and the report read."""
    return {
        "key": source.key,
        "title": source.title,
        "available": bool(data.get("available", True)),
        "summary": _text(data.get("summary", "")),
        "figures": [[_text(label), _text(value)] for label, value in data.get("figures", ())],
        "items": [
            {
                "reference": _text(item.get("reference")),
                "title": _text(item.get("title")),
                "url": _text(item.get("url")),
                "detail": _text(item.get("detail")),
            }
            for item in data.get("items", ())
        ],
    }


def compile_inputs(since: dt.date, until: dt.date) -> list[dict]:
    """Every input section for the period, as JSON-ready dicts in the registry's order."""
    sections = []
    for source in _sources:
        try:
            data = source.builder(since, until)
        except Exception as exc:  # noqa: BLE001 - one broken source must not stop the review
            log.exception("Management review input %s could not be compiled", source.key)
            data = {
                "available": False,
                "summary": f"Could not be compiled ({type(exc).__name__}); see the log.",
            }
        sections.append(_section(source, data))
    return sections


def not_yet_available(what: str) -> Builder:
    """A placeholder builder for a register not in use yet; it says so in the frozen inputs."""

    def build(since: dt.date, until: dt.date) -> dict:
        return {"available": False, "summary": f"Not yet available: {what} are not recorded in AIMS yet."}

    build.__name__ = f"not_yet_available_{what.split()[0]}"
    return build


# The 9.3.2 inputs, in the order a review walks through them (our own short titles).
add_input_source("previous_actions", "Status of actions from previous management reviews", previous_actions)
add_input_source(
    "context_changes", "Changes in external and internal issues and interested parties", context_changes
)
add_input_source(
    "nonconformities",
    "Nonconformities and corrective actions",
    not_yet_available("nonconformities and corrective actions"),
)
add_input_source("monitoring", "Monitoring and measurement results, KPI trends", monitoring)
add_input_source("audit_results", "Audit results", not_yet_available("internal audit results"))
add_input_source("objectives", "Fulfilment of AI objectives", objectives)
add_input_source("feedback", "Feedback from interested parties", not_yet_available("feedback records"))
add_input_source("risks", "AI risks and their movement", risks)
add_input_source("incidents", "AI incidents", incidents)
add_input_source("soa_changes", "Changes to the Statement of Applicability", soa_changes)
add_input_source("opportunities", "Opportunities for continual improvement", opportunities)
