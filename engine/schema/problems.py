"""Collecting schema problems as ``file:line: message`` lines, and the words that help authors fix them."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable

from pathlib import Path

from engine.schema.yamlfile import Document, YamlProblem, display_path, load_document


@dataclass(frozen=True)
class Spot:
    """A place in a YAML document: the document and the JSON path of a value in it."""
    doc: Document
    path: tuple = ()

    def __truediv__(self, part) -> "Spot":
        """``spot / "choices" / 2``: a place inside this one."""
        return Spot(self.doc, self.path + (part,))

    @property
    def line(self) -> int:
        return self.doc.line(self.path)

    def __str__(self) -> str:
        return self.doc.where(self.path)


class Problems:
    """Every problem found, once each (an inherited field's problem is found again in each child type)."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, int, str], None] = {}

    def add(self, spot: Spot, message: str) -> None:
        self._found[(spot.doc.shown_path, spot.line, message)] = None

    def add_line(self, shown_path: str, line: int, message: str) -> None:
        self._found[(shown_path, line, message)] = None

    def messages_at(self, spot: Spot) -> list[str]:
        return [m for path, line, m in self._found if path == spot.doc.shown_path and line == spot.line]

    def __bool__(self) -> bool:
        return bool(self._found)

    def __len__(self) -> int:
        return len(self._found)

    def lines(self) -> list[str]:
        """Sorted by file and line, so authors can work down each file."""
        return [f"{path}:{line}: {message}" for path, line, message in sorted(self._found)]


def read_yaml(path: Path, problems: Problems) -> Spot | None:
    """The document's root, or None after reporting why the file cannot be read."""
    try:
        return Spot(load_document(path))
    except YamlProblem as problem:
        problems.add_line(display_path(path), problem.line, str(problem))
        return None


def did_you_mean(word: object, options: Iterable[str]) -> str:
    """`` (did you mean 'required'?)`` when a close option exists, else ''."""
    # Short names differ by a larger share for one wrong letter: 'qj' is 50% like 'qi'.
    cutoff = 0.5 if len(str(word)) <= 3 else 0.6
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=cutoff)
    return f" (did you mean '{close[0]}'?)" if close else ""


def quoted_list(values: Iterable[object]) -> str:
    return ", ".join(f"'{v}'" for v in values)
