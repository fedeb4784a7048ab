"""The JSON text of a repository file, kept per document so that a write re-encodes only what it changed.

TinyDB's layout is ``{"<table>": {"<id>": {document}, ...}, ...}``. ``Encoded`` holds, for each table, the
text of each document (``"<id>": {...}``) and the text of all of them joined. A write that only adds
documents (an insert, and every history entry) extends the joined text; one that changes a document in
place (an edit) rejoins that table from the kept texts. Either way no unchanged document is serialised
again, so rewriting a 10 MB file costs a copy rather than a ``json.dumps`` of the whole repository.

``parse`` reads a file into tables *and* texts in one pass (the text of each document is the slice of the
file it was read from), so a process that reloads after another's write can write again at once.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterator, Mapping

Tables = dict[str, dict[str, dict[str, Any]]]
Changes = Mapping[str, Mapping[str, dict[str, Any]]]
_SPACE = re.compile(r"[ \t\n\r]*")
_decode = json.JSONDecoder().raw_decode


def encode(value: Any) -> bytes:
    return json.dumps(value, allow_nan=False).encode("ascii")


def _fragment(doc_id: str, doc: dict[str, Any]) -> bytes:
    return encode(doc_id) + b": " + encode(doc)


class Encoded:
    """Texts of the documents of one snapshot's tables; partial is fine, missing texts are made on demand."""

    def __init__(self, fragments: dict[str, dict[str, bytes]] | None = None,
                 joined: dict[str, bytes] | None = None):
        self.fragments = fragments or {}
        self.joined = joined or {}

    def following(self, tables: Tables, changes: Changes) -> "Encoded":
        """The texts after ``changes`` are applied to ``tables`` (this snapshot's tables)."""
        fragments, joined = dict(self.fragments), dict(self.joined)
        for table, docs in changes.items():
            if not docs:
                continue
            before = tables.get(table, {})
            added = [_fragment(doc_id, doc) for doc_id, doc in docs.items()]
            fragments[table] = {**fragments.get(table, {}), **dict(zip(docs, added))}
            previous = joined.pop(table, None)
            if previous is not None and not any(doc_id in before for doc_id in docs):
                joined[table] = b", ".join([previous, *added] if previous else added)
        return Encoded(fragments, joined)

    def chunks(self, tables: Tables) -> Iterator[bytes]:
        """The whole file, in a few large pieces."""
        yield b"{"
        for position, (table, docs) in enumerate(tables.items()):
            yield (b", " if position else b"") + encode(table) + b": {"
            yield self._joined(table, docs)
            yield b"}"
        yield b"}"

    def _joined(self, table: str, docs: Mapping[str, dict[str, Any]]) -> bytes:
        text = self.joined.get(table)
        if text is None:
            known = self.fragments.setdefault(table, {})
            for doc_id, doc in docs.items():
                if doc_id not in known:
                    known[doc_id] = _fragment(doc_id, doc)
            text = self.joined[table] = b", ".join([known[doc_id] for doc_id in docs])
        return text


def parse(raw: bytes) -> tuple[Tables, Encoded]:
    """Tables and their texts from a file's bytes. A file that is not the object of objects TinyDB writes
    raises ``ValueError``."""
    text = raw.decode("utf-8")
    if not text.strip():
        return {}, Encoded()
    tables: Tables = {}
    encoded = Encoded()
    position = _expect(text, _skip(text, 0), "{")
    while text[position] != "}":
        name, position = _decode(text, position)
        position = _expect(text, _expect(text, position, ":"), "{")
        tables[name], encoded.fragments[name], encoded.joined[name], position = _table(text, position)
        position = _after_item(text, position)
    return tables, encoded


def _table(text: str, position: int) -> tuple[dict[str, Any], dict[str, bytes], bytes, int]:
    docs: dict[str, Any] = {}
    fragments: dict[str, bytes] = {}
    first = position
    while text[position] != "}":
        start = position
        doc_id, position = _decode(text, position)
        doc, position = _decode(text, _expect(text, position, ":"))
        if not isinstance(doc, dict):
            raise ValueError(f"document {doc_id} is not an object")
        docs[doc_id], fragments[doc_id] = doc, text[start:position].encode("utf-8")
        last, position = position, _after_item(text, _skip(text, position))
    joined = text[first:last].encode("utf-8") if docs else b""
    return docs, fragments, joined, position + 1


def _skip(text: str, position: int) -> int:
    return _SPACE.match(text, position).end()  # type: ignore[union-attr]


def _expect(text: str, position: int, mark: str) -> int:
    position = _skip(text, position)
    if text[position:position + 1] != mark:
        raise ValueError(f"expected {mark!r} at character {position}")
    return _skip(text, position + 1)


def _after_item(text: str, position: int) -> int:
    """Past a ',' between items, or at the closing '}' of the object."""
    position = _skip(text, position)
    if text[position:position + 1] == ",":
        return _skip(text, position + 1)
    if text[position:position + 1] != "}":
        raise ValueError(f"expected ',' or '}}' at character {position}")
    return position
