"""Write services for registers with no rules beyond their model's: create, update, archive, restore,
with the permission checks. A register with transitions of its own writes services the way
registers/services.py does for risks, on the same aims.records functions."""

from django.core.exceptions import ValidationError
from django.db import transaction

from aims import permissions, records
from aims.policies import policy_of, require
from aims.records import Action


class RecordServices:
    def __init__(self, model, fields: list[str]):
        self.model = model
        self.fields = set(fields)

    def _only_editable(self, fields: dict) -> dict:
        return {k: v for k, v in fields.items() if k in self.fields}

    def derive(self, fields: dict, record) -> dict:
        """A register's own rules on the way in (a file's name and hash, an expiry from the course ...);
        `record` is None on create. Runs after the permission check, before the save."""
        return fields

    @transaction.atomic
    def create(self, *, actor, fields: dict, requirements=None, action: str = Action.CREATED, note: str = ""):
        permissions.require_add(actor, self.model)
        data = self._only_editable(self.derive(dict(fields), None))
        data.setdefault("owner", actor)
        return records.create_record(
            self.model, actor=actor, fields=data, requirements=requirements, action=action, note=note
        )

    @transaction.atomic
    def update(
        self, record, *, actor, expected_version: int, fields: dict, requirements=None, prepare=None, note=""
    ):
        require(policy_of(record), "edit", actor, record)
        if not getattr(record, "is_editable", True):  # publishable: content changes only in a draft
            raise ValidationError(
                f"{record.reference} is {record.get_status_display().lower()}; start a revision to change it."
            )
        return records.update_record(
            record,
            actor=actor,
            expected_version=expected_version,
            fields=self._only_editable(self.derive(dict(fields), record)),
            requirements=requirements,
            prepare=prepare,
            note=note,
        )

    def archive(self, record, *, actor, expected_version: int):
        permissions.require(actor, "archive", record)
        return records.archive_record(record, actor=actor, expected_version=expected_version)

    def restore(self, record, *, actor, expected_version: int):
        permissions.require(actor, "archive", record)
        return records.restore_record(record, actor=actor, expected_version=expected_version)

    def mark_reviewed(self, record, *, actor, expected_version: int):
        permissions.require(actor, "change", record)
        return records.mark_reviewed(record, actor=actor, expected_version=expected_version)
