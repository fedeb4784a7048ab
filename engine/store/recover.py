"""``recover``: rebuild a damaged repository from what is good, keeping the damaged files beside it.

What is good: ``records.json`` if it still reads as a repository file (even if it no longer matches its
manifest), else a backup copy of it the operator names; then every line of the log whose checksum holds, for
the saves after the ones that file holds. The result is checked to be complete: no save missing between
the file and the last good line of the log. An incomplete recovery is written only when asked for
(``partial``), and it never reuses a reference: the next one stays past every reference the manifest, the
file or the log has seen. The damaged files are moved, never deleted, to ``damaged-<time>/``.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from engine.errors import DataDamaged
from engine.store import log as wal
from engine.store.disk import (FILE, LOCK, LOG, MANIFEST, next_reference, read_tables,
                               write_compacted)
from engine.store.documents import reference_number
from engine.store.durable import fsync_folder, read_bytes, replace_file
from engine.store.locking import WriteLock
from engine.store.manifest import Manifest, ManifestDamaged, read_manifest, write_manifest
from engine.store.snapshot import META, META_ID, RECORDS, Snapshot


#: The counter as even a damaged line of the log may still show it.
NEXT_MENTIONED = re.compile(rb'"next(?:_reference)?": ?(\d{1,18})[,}]')


@dataclass
class Recovery:
    records: int = 0
    replayed: int = 0                               # saves taken from the log
    source: str = ""                                # where the records before them came from
    problems: list[str] = field(default_factory=list)   # what could not be recovered
    notes: list[str] = field(default_factory=list)      # what was found damaged but did not cost anything
    kept_in: Path | None = None
    written: bool = False
    floor: int = 1                                  # no new record may get a number below this

    @property
    def complete(self) -> bool:
        return not self.problems


def recover(folder: Path, *, backup: Path | None = None, partial: bool = False) -> Recovery:
    folder = Path(folder)
    with WriteLock(folder / LOCK).held():
        found = Recovery()
        manifest = _manifest(folder, found)
        tables, base = _base(folder, backup, found)
        snapshot = Snapshot.of(tables)
        raw_log = read_bytes(folder / LOG)
        last = base
        compacted_up_to = manifest.compacted.seq if manifest is not None and manifest.compacted else 0
        if raw_log is None:
            if manifest is not None:
                found.problems.append(f"{LOG} is missing: every save since the last compaction is lost, and the "
                                      "references those saves gave new records are not known (put the log "
                                      "back from a backup if there is one).")
            missing = _gaps(base, [], compacted_up_to)
            if missing:
                found.problems.append(f"saves {_ranges(missing)} are in neither a readable {FILE} nor the log: "
                                      "what they changed is lost.")
        else:
            scan = wal.scan(raw_log)
            if scan.header is None:
                found.notes.append(f"{LOG}: its first line is not a log header; its saves are read anyway.")
            later = sorted(seq for seq in scan.entries if seq > base)
            after = scan.header.after if scan.header else 0
            missing = _gaps(base, later, max(compacted_up_to, after))
            compacted = [seq for seq in missing if seq <= after]    # the log never had them: records.json did
            logged = [seq for seq in missing if seq > after]
            if compacted:
                found.problems.append(f"saves {_ranges(compacted)} were compacted into {FILE}, which cannot be "
                                      "read, and are not in the log: what they changed is lost without a backup.")
            if logged:
                found.problems.append(f"{LOG}: saves {_ranges(logged)} are missing or damaged: what they "
                                      "changed is lost.")
            torn = scan.bad_lines[-1:] == [raw_log.count(b"\n") + (0 if raw_log.endswith(b"\n") else 1)]
            damaged = scan.bad_lines[:-1] if torn else scan.bad_lines
            if damaged:
                found.notes.append(f"{LOG}: line{'s' if len(damaged) > 1 else ''} {_ranges(damaged)} failed "
                                   "their checksum and were left out.")
            if torn:
                found.notes.append(f"{LOG}: the last line was cut short by a crash (that save was never "
                                   "confirmed to anyone).")
            merged: dict[str, dict] = {}
            for seq in later:
                for table, docs in scan.entries[seq].changes.items():
                    merged.setdefault(table, {}).update(docs)
            snapshot = snapshot.apply(merged)
            found.floor = max([found.floor, *(entry.next_reference for entry in scan.entries.values()),
                               *(int(number) for number in NEXT_MENTIONED.findall(raw_log))])
            found.replayed = len(later)
            last = later[-1] if later else base
        found.records = len(snapshot.tables[RECORDS])
        if found.problems and not partial:
            return found
        if found.records == 0 and (manifest is not None or raw_log is not None):
            found.problems.append("nothing could be recovered, so nothing was written: an empty repository "
                                  "would only hide what was lost.")
            return found
        _write(folder, snapshot, last, manifest, found)
        return found


def _manifest(folder: Path, found: Recovery) -> Manifest | None:
    try:
        return read_manifest(folder / MANIFEST)
    except ManifestDamaged:
        found.notes.append(f"{MANIFEST} is not readable; it is written afresh.")
        return None


def _base(folder: Path, backup: Path | None, found: Recovery) -> tuple[dict, int]:
    """The tables of the best compacted file, and the last save it holds."""
    for path, name in ((folder / FILE, FILE), (backup, f"the backup {backup}")):
        if path is None:
            continue
        raw = read_bytes(path)
        if raw is None:
            if path == folder / FILE:
                found.notes.append(f"{FILE} is missing.")
            continue
        try:
            tables, holds = read_tables(path, raw)
        except DataDamaged as damage:
            found.notes.append(f"{name}: {damage.fault}")
            continue
        found.source = name
        return tables, holds or 0
    found.source = "nothing (no readable records.json)"
    return {}, 0


def _gaps(base: int, later: list[int], known: int) -> list[int]:
    """Saves after ``base`` up to the last one known to exist that are not in ``later``."""
    wanted = range(base + 1, max(later[-1] if later else base, known) + 1)
    have = set(later)
    return [seq for seq in wanted if seq not in have]


def _ranges(numbers: list[int]) -> str:
    parts, start = [], None
    for index, number in enumerate(numbers):
        if start is None:
            start = number
        if index + 1 == len(numbers) or numbers[index + 1] != number + 1:
            parts.append(str(start) if start == number else f"{start}-{number}")
            start = None
    return ", ".join(parts)


def _write(folder: Path, snapshot: Snapshot, seq: int, manifest: Manifest | None, found: Recovery) -> None:
    """Move the old files aside, then write a compacted file, a manifest and an empty log."""
    highest = max([reference_number(ref) or 0 for ref in snapshot.docs] + [0])
    floor = max(next_reference(snapshot), manifest.next_reference if manifest else 1, highest + 1, found.floor)
    snapshot = snapshot.apply({META: {META_ID: {**snapshot.meta, "next_reference": floor}}})
    kept = folder / f"damaged-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}"
    kept.mkdir(exist_ok=True)
    for name in (FILE, LOG, MANIFEST, "records.journal"):
        if (folder / name).exists():
            os.replace(folder / name, kept / name)
    fsync_folder(folder)
    generation = (manifest.generation if manifest else 0) + 1
    temp, compacted = write_compacted(folder, snapshot, seq, generation)
    write_manifest(folder / MANIFEST, Manifest(generation, compacted))
    os.replace(temp, folder / FILE)
    replace_file(folder / LOG, [wal.header_line(seq, generation)])
    found.kept_in, found.written = kept, True
