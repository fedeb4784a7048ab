"""The manifest of one repository: a small file saying what its compacted file must be, written with each
compaction and before the very first save.

It is how a repository remembers that it has held data: with a manifest, a missing, empty or different
``records.json`` (or a missing log) is damage, never an empty repository, and ``seed`` never writes there.

``compacted`` describes the compacted file (None before the first compaction): its SHA-256, size, the last
save it holds (``seq``), its record count and the next reference. ``previous`` is the one before: a crash
during a compaction, after the manifest was written and before the file was renamed into place, leaves the
previous file, which is then still good (the log still holds every save since it).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from engine.store.durable import replace_file

FORMAT = 1


class ManifestDamaged(Exception):
    pass


@dataclass(frozen=True)
class Compacted:
    sha256: str
    size: int
    seq: int
    records: int
    next_reference: int


@dataclass(frozen=True)
class Manifest:
    generation: int
    compacted: Compacted | None
    previous: Compacted | None = None

    def match(self, sha256: str | None) -> tuple[bool, Compacted | None]:
        """Whether a compacted file with this checksum (None: there is no file) is one this manifest allows,
        and which compaction it is (None: none yet, the log holds every save)."""
        allowed = [self.compacted, self.previous] if self.compacted is not None else [None]
        for known in allowed:
            if (known.sha256 if known is not None else None) == sha256:
                return True, known
        return False, None

    @property
    def next_reference(self) -> int:
        return max((known.next_reference for known in (self.compacted, self.previous) if known), default=1)


def read_manifest(path: Path) -> Manifest | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        value = json.loads(raw)
        if value.get("manifest") != FORMAT:
            raise ValueError
        return Manifest(int(value["generation"]), _compacted(value.get("compacted")),
                        _compacted(value.get("previous")))
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ManifestDamaged("it is not a manifest written by this service") from error


def _compacted(value: Any) -> Compacted | None:
    return None if value is None else Compacted(**value)


def write_manifest(path: Path, manifest: Manifest) -> None:
    value = {"manifest": FORMAT, "generation": manifest.generation,
             "compacted": asdict(manifest.compacted) if manifest.compacted else None,
             "previous": asdict(manifest.previous) if manifest.previous else None}
    replace_file(path, [json.dumps(value, indent=1).encode("ascii") + b"\n"])
