"""Where in the YAML a change to a type was made, so that what it strands is reported at that line.

The model keeps the line of each type (``RepositoryType.source``: its file, or its entry in an instance's
``repositories``) and of each field (``Field.source``: its ``- name:`` item), not of each key. A stranded value
is reported where the author changes it:

- a removed field at the ``drop_fields`` entry that dropped it, else at the ``fields:`` key of the type its
  chain of ``extends`` starts from (where a type's fields are first written);
- a removed choice at the field's ``choices:``, a changed type at its ``type:``; in both cases at the nearest
  ``change_fields`` of the type, or of a type it extends, that changed the key.

The files are read again for this, once each, and only when something is stranded.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Mapping

from engine.schema.model import Field, RepositoryType, Source
from engine.schema.yamlfile import Document, YamlProblem, load_document

Located = tuple[Document, tuple]


class Spots:
    """Lines of the project's YAML; ``types`` are the shared repository types, to follow ``extends``."""

    def __init__(self, types: Mapping[str, RepositoryType]):
        self.types = types
        self._documents: dict[str, Document | None] = {}

    def removed_field(self, rtype: RepositoryType, name: str) -> str:
        for located in self._chain(rtype):
            dropped = _at(located, "drop_fields")
            if isinstance(dropped, list) and name in dropped:
                return _where(located, "drop_fields", dropped.index(name))
        # Where the field was is not known: the type's fields were first written in the type it extends from,
        # so the ``fields:`` of the first type of the chain that has one.
        for located in reversed(list(self._chain(rtype))):
            if isinstance(_at(located, "fields"), list):
                return _where(located, "fields")
        return str(rtype.source or rtype.name)

    def field_key(self, rtype: RepositoryType, field: Field, key: str) -> str:
        """The line of ``key`` (``choices``, ``type``) of ``field``, as the type last set it."""
        for located in self._chain(rtype):
            change = _at(located, "change_fields", field.name)
            if isinstance(change, dict) and key in change:
                return _where(located, "change_fields", field.name, key)
        defined = self._field_item(field)
        if defined is not None:
            return _where(defined, key)
        return str(field.source or rtype.source or rtype.name)

    # -- finding the places again -----------------------------------------------------------------------------
    def _chain(self, rtype: RepositoryType) -> Iterator[Located]:
        """The type's own place, then each type it extends, nearest first."""
        seen: set[int] = set()
        current: RepositoryType | None = rtype
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            located = self._type_root(current.source) if current.source is not None else None
            if located is not None:
                yield located
            current = self.types.get(current.extends) if current.extends else None

    def _type_root(self, source: Source) -> Located | None:
        """A type's mapping: a whole schema file, or an entry of an instance's ``repositories``."""
        document = self._document(source.path)
        if document is None:
            return None
        for path, line in document.lines.items():
            if line == source.line and (path == () or (len(path) == 2 and path[0] == "repositories")) \
                    and isinstance(_value(document.data, path), dict):
                return document, path
        return None

    def _field_item(self, field: Field) -> Located | None:
        """The ``- name:`` item that defines ``field``, in its file."""
        document = self._document(field.source.path) if field.source is not None else None
        if document is None:
            return None
        for path, line in document.lines.items():
            if line == field.source.line and len(path) >= 2 and path[-2] == "fields" \
                    and isinstance(path[-1], int):
                item = _value(document.data, path)
                if isinstance(item, dict) and item.get("name") == field.name:
                    return document, path
        return None

    def _document(self, path: str) -> Document | None:
        if path not in self._documents:
            try:
                self._documents[path] = load_document(Path(path))
            except (OSError, UnicodeDecodeError, YamlProblem):
                self._documents[path] = None    # changed or gone since start-up: the model's line will do
        return self._documents[path]


def _at(located: Located, *keys: Any) -> Any:
    document, root = located
    return _value(document.data, root + keys)


def _where(located: Located, *keys: Any) -> str:
    """``file:line`` of the key at ``keys`` below the located mapping (its nearest written parent if absent)."""
    document, root = located
    return document.where(root + keys)


def _value(data: Any, path: tuple) -> Any:
    for key in path:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data
