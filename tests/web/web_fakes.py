"""Stand-ins for the parts the pages call that are not in the engine yet: ``Stores``, ``RecordValidator`` and
``Records``, each as small as the documented contract allows (the real TinyDB store does the storing).

They go when ``engine.store.Stores``, ``engine.schema.compile.RecordValidator`` and ``engine.records.Records``
land; ``conftest.py`` then uses ``engine.web.parts.default_parts()``.
"""
from __future__ import annotations

from typing import Any, Mapping

from engine.errors import ValidationFailed
from engine.fields import default_registry
from engine.schema import load_project
from engine.schema.model import RepositoryType
from engine.store.tinydb import TinyDBStore
from engine.web.parts import Parts


class Stores:
    def __init__(self, paths):
        self.paths = paths
        self.opened: dict[tuple[str, str], TinyDBStore] = {}

    def get(self, instance, rtype):
        key = (instance.name, rtype.name)
        if key not in self.opened:
            self.opened[key] = TinyDBStore(rtype, self.paths.instance_data(instance.name))
        return self.opened[key]

    def close(self):
        for store in self.opened.values():
            store.close()


class RecordValidator:
    def __init__(self, rtype: RepositoryType):
        self.rtype = rtype

    def validate(self, values: Mapping[str, Any], status: str) -> dict[str, str]:
        context = {**values, "status": status}
        errors = {}
        for field in self.rtype.fields:
            value = values.get(field.name)
            if field.show_when and not field.show_when.holds(context):
                continue
            required = field.required or (field.required_when and field.required_when.holds(context))
            if field.kind.is_empty(value):
                if required:
                    errors[field.name] = f"Enter {field.label.lower()}"
            elif (problem := field.kind.problem(field, value)) is not None:
                errors[field.name] = problem
        return errors


class Records:
    def __init__(self, rtype, store, validator):
        self.rtype, self.store, self.validator = rtype, store, validator

    def _stage(self, values, uploads, user, kept=None):
        staged = []
        values = dict(values)
        for name, files in (uploads or {}).items():
            for upload in files:
                staged.append(self.store.stage_attachment(name, upload.filename, upload.stream, user=user))
        for field in self.rtype.fields:
            if field.type_name == "file":
                ids = [a.id for a in staged if a.field == field.name]
                values[field.name] = [*(kept or {}).get(field.name, []), *ids] or None
        return values, staged

    def create(self, values, *, user, status=None, uploads=None):
        status = status or self.rtype.initial_status
        values, staged = self._stage(values, uploads, user)
        errors = self.validator.validate(values, status)
        if errors:
            self.store.discard_staged(staged)
            raise ValidationFailed(errors)
        return self.store.insert(values, user=user, status=status, attachments=staged)

    def update(self, reference, values, *, user, expected_version, status=None, uploads=None,
               remove_attachments=()):
        current = self.store.get(reference)
        kept = {f.name: [i for i in (current.values.get(f.name) or []) if i not in remove_attachments]
                for f in self.rtype.fields if f.type_name == "file"}
        values, staged = self._stage(values, uploads, user, kept)
        errors = self.validator.validate(values, status or current.status)
        if errors:
            self.store.discard_staged(staged)
            raise ValidationFailed(errors)
        return self.store.update(reference, values, user=user, expected_version=expected_version,
                                 status=status, attachments=staged)


def parts() -> Parts:
    return Parts(load_project=lambda paths: load_project(paths, default_registry()), open_stores=Stores,
                 validator=RecordValidator, records=Records)
