"""Record actions beyond edit and archive -- submit, approve, publish, triage, reject ... -- declared
once and offered both as a button on the record's page and as a POST endpoint in the API.

A register lists its actions in `actions = (...)` and its viewset in `record_actions = (...)`;
the service behind each one still checks permissions, so `available` only decides what is shown."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Input:
    """A value the person gives with the action (a reason, a summary of changes ...)."""

    name: str
    label: str
    required: bool = True
    help_text: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # a select on the page, a choice field in the API
    # Clause and control codes ("8.1, A.6.2.6"): the requirement picker on the page, the codes as text (or a
    # list of codes) in the API; the service reads one string either way.
    requirements: bool = False

    def value_from(self, data) -> str:
        if self.requirements:
            many = data.getlist(self.name) if hasattr(data, "getlist") else data.get(self.name)
            if isinstance(many, list | tuple):
                return ", ".join(str(code or "").strip() for code in many if str(code or "").strip())
        return str(data.get(self.name, "") or "").strip()


@dataclass(frozen=True)
class RecordAction:
    name: str  # URL segment and API action: /<prefix>/<ref>/<name>/ and /api/v1/<prefix>/<ref>/<name>/
    label: str  # the button
    service: Callable  # service(record, *, actor, expected_version, **inputs) -> record
    available: Callable  # available(user, record) -> bool: whether to show the button
    done: str = "{reference} updated."
    inputs: tuple[Input, ...] = field(default_factory=tuple)
    style: str = ""  # "primary" or "danger" for the button
    # The question a person answers before an action that cannot simply be undone (retire, reject, close,
    # sign off ...): asked in the browser (data-confirm, static/js/aims.js), not by the API.
    confirm: str = ""
    description: str = ""  # one line for the API docs

    def clean_inputs(self, data) -> dict:
        """The action's inputs from a form or API body; a missing required one is a field error."""
        from django.core.exceptions import ValidationError

        values, errors = {}, {}
        for spec in self.inputs:
            value = spec.value_from(data)
            if "\x00" in value:  # PostgreSQL cannot store it: a field error, never a 500
                errors[spec.name] = f"{spec.label} contains a NUL character."
            elif spec.required and not value:
                errors[spec.name] = f"{spec.label} is required."
            elif value and spec.choices and value not in dict(spec.choices):
                allowed = ", ".join(key for key, _ in spec.choices)
                errors[spec.name] = f"{spec.label}: choose one of {allowed}."
            values[spec.name] = value
        if errors:
            raise ValidationError(errors)
        return values
