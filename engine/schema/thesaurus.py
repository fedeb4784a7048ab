"""``schemas/thesaurus.yaml`` read, checked against its meta-schema and for meaning, and frozen for search.

The file is optional (no file: no equivalents). Every problem is reported at its file and line with the
repository types' problems, so one run of ``repo-engine check`` lists them all.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from engine.schema import meta
from engine.schema.problems import Problems, Spot, read_yaml
from engine.search.analysis import stems
from engine.search.thesaurus import EMPTY, Entry, Thesaurus

THESAURUS_FILE = "thesaurus.yaml"


def load_thesaurus(folder: Path, problems: Problems) -> Thesaurus:
    path = Path(folder) / THESAURUS_FILE
    if not path.is_file():
        return EMPTY
    read = read_yaml(path, problems)
    spot = read and meta.validate(read, meta.THESAURUS, problems)
    if spot is None:
        return EMPTY
    groups = [_checked(group, problems) for group in _groups(spot)]
    _check_overlaps(spot, problems)
    return Thesaurus(tuple(group for group in groups if len(group) > 1))


def _groups(spot: Spot) -> Iterator[list[tuple[Spot, str]]]:
    """Each group of equivalent terms with where each term was written."""
    data = spot.doc.data
    for number, group in enumerate(data.get("synonyms") or []):
        yield [(spot / "synonyms" / number / index, term) for index, term in enumerate(group)]
    for short, long in (data.get("abbreviations") or {}).items():
        where = spot / "abbreviations" / short
        longs = long if isinstance(long, list) else [long]
        yield [(where, short), *((where / index if isinstance(long, list) else where, term)
                                 for index, term in enumerate(longs))]
    for uk, us in (data.get("spellings") or {}).items():
        yield [(spot / "spellings" / uk, uk), (spot / "spellings" / uk, us)]


def _checked(group: list[tuple[Spot, str]], problems: Problems) -> tuple[Entry, ...]:
    """The group's entries; a term with no words, or the same as another of its group once analysed,
    is reported (it would find nothing more)."""
    entries: dict[tuple[str, ...], Entry] = {}
    for where, text in group:
        terms = tuple(stems(text))
        if not terms:
            problems.add(where, f"'{text}' has no letters or digits to search for")
        elif terms in entries:
            problems.add(where, f"'{text}' is the same search term as '{entries[terms].text}' (case, accents "
                                f"and word endings are ignored): remove one")
        else:
            entries[terms] = Entry(text, terms)
    return tuple(entries.values())


def _check_overlaps(spot: Spot, problems: Problems) -> None:
    """A term in two synonym groups joins them in search; say so, so the library team merges them."""
    first: dict[tuple[str, ...], int] = {}
    for number, group in enumerate(spot.doc.data.get("synonyms") or []):
        for index, text in enumerate(group):
            terms = tuple(stems(text))
            if terms in first and first[terms] != number:
                earlier = spot / "synonyms" / first[terms]
                problems.add(spot / "synonyms" / number / index,
                             f"'{text}' is also in the synonym group on line {earlier.line}: merge the two groups")
            first.setdefault(terms, number)
