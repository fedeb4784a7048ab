"""The files of one repository, and the latest snapshot of them in this process.

Layout, in ``<data>/<instance>/<repository>/``:

- ``records.log``: the write-ahead log (``log.py``). A save appends one line and fsyncs it: its cost does
  not grow with the repository. Other processes catch up by reading the lines added since they last looked.
- ``records.json``: every save up to one point, in TinyDB's layout (plain ``tinydb.TinyDB`` reads it). It is
  rewritten only by a compaction: once the log outgrows a quarter of it (at least ``MIN_LOG_BYTES``), at
  shutdown, and by ``repo-engine compact``. The file is written beside the old one without holding the
  write lock (saves go on meanwhile), then, under the lock: the manifest, the rename, and a new log holding
  the saves made during the compaction.
- ``manifest.json`` (``manifest.py``): what ``records.json`` must be. Written before the first save, so a
  repository that has held data is never again read as empty.

Reading is refused, never guessed: a missing, empty or unreadable file, a file that differs from its
manifest, a damaged line in the middle of the log or a gap in its numbering makes every read and write of
this repository raise ``DataDamaged`` (logged once), until the files are repaired (``repo-engine recover``).
A damaged state is rechecked only when one of the files changes.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from engine.errors import DataDamaged, StoreError, as_out_of_space
from engine.store import log as wal
from engine.store.documents import reference_number
from engine.store.durable import (Signature, fsync_folder, read_bytes, remove_quietly, replace_file,
                                  signature)
from engine.store.locking import WriteLock
from engine.store.log import LogDamaged
from engine.store.manifest import Compacted, Manifest, ManifestDamaged, read_manifest, write_manifest
from engine.store.snapshot import RECORDS, TABLES, Changes, Reading, Snapshot

FILE, LOG, MANIFEST, LOCK, COMPACT_LOCK = ("records.json", "records.log", "manifest.json", "records.lock",
                                           "compact.lock")
OLD_JOURNAL = "records.journal"         # the catch-up log of earlier versions: never read, removed on adoption
#: A table of ``records.json`` saying which save it holds up to (for ``recover`` and anyone reading the file).
COMPACTED = "compacted"
MIN_LOG_BYTES = 1 << 20
LOG_SHARE = 0.25                        # compact once the log is this share of the compacted file
logger = logging.getLogger("engine.store")
Seen = tuple[Signature | None, Signature | None, Signature | None]     # manifest, records.json, log


@dataclass(frozen=True)
class State:
    seen: Seen | None                   # the files' signatures this state was read from (None: never read)
    snapshot: Snapshot
    manifest: Manifest | None = None    # None: no save yet, or a file of an earlier version (``legacy``)
    legacy: bool = False
    seq: int = 0                        # the last save this snapshot holds
    end: int = 0                        # where in the log reading stopped (just past save ``seq``)
    lines: int = 0                      # log lines read so far (for messages)
    compacted_size: int = 0
    file: Compacted | None = None       # which compaction records.json is (None: none yet)
    damage: DataDamaged | None = None

    @property
    def file_seq(self) -> int:
        return self.file.seq if self.file is not None else 0


class RepositoryFiles:
    def __init__(self, folder: Path, upkeep: Callable[[Snapshot], object] | None = None,
                 reading: Reading | None = None):
        """``upkeep(snapshot)`` runs once the files are first read in this process and after each
        compaction (the store sweeps abandoned uploads then). ``reading`` says how stored documents read
        today (see ``Snapshot``): applied as they are loaded and as saves are replayed."""
        self.folder = Path(folder)
        self.path = self.folder / FILE
        self.log_path = self.folder / LOG
        self.manifest_path = self.folder / MANIFEST
        self.lock = WriteLock(self.folder / LOCK)
        self._compacting = WriteLock(self.folder / COMPACT_LOCK)
        self._upkeep = upkeep
        self._as_read = reading
        self._state = State(None, Snapshot.empty(reading))
        self._reading = threading.Lock()

    # -- reading ----------------------------------------------------------------------------------------------
    def current(self) -> Snapshot:
        """The snapshot of the files as they are now (three ``stat`` calls when nothing changed)."""
        state = self._state
        if self._seen() != state.seen:
            with self._reading:
                state = self._state
                seen = self._seen()
                if seen != state.seen:
                    first = state.seen is None
                    state = self._state = self._refresh(state, seen)
                    if first and state.damage is None:
                        self._tidy(state.snapshot)
        if state.damage is not None:
            raise state.damage
        return state.snapshot

    def has_held_data(self) -> bool:
        """Whether this repository ever held a record (damaged or not): ``seed`` never writes into one."""
        return any(path.exists() for path in (self.manifest_path, self.path, self.log_path))

    def verify(self) -> list[DataDamaged]:
        """Every fault of the files, read afresh from disk (not from this process's memory)."""
        try:
            with self.lock.held():
                RepositoryFiles(self.folder)._load(self._seen(), Snapshot.empty())
        except DataDamaged as damage:
            return [damage]
        return []

    def _seen(self) -> Seen:
        return signature(self.manifest_path), signature(self.path), signature(self.log_path)

    def _refresh(self, state: State, seen: Seen) -> State:
        try:
            if state.damage is None and state.manifest is not None:
                caught = self._catch_up(state, seen) or self._follow_compaction(state, seen)
                if caught is not None:
                    return caught
            try:
                return self._load(seen, state.snapshot)
            except DataDamaged:     # perhaps a compaction swapped files while we read: read again, under the lock
                with self.lock.held():
                    return self._load(self._seen(), state.snapshot)
        except DataDamaged as damage:
            logger.error("Repository data refused: %s", damage.report())
            return State(seen, Snapshot.empty(self._as_read), damage=damage)

    def _catch_up(self, state: State, seen: Seen) -> State | None:
        """Saves appended to the same log since ``state``; None when the log is another one now."""
        manifest_sig, file_sig, log_sig = seen
        was = state.seen
        if was is None or (manifest_sig, file_sig) != was[:2] or log_sig is None or was[2] is None \
                or log_sig.inode != was[2].inode or log_sig.size < state.end or log_sig.size == was[2].size:
            return None         # another log, or this one changed without growing: not a save, read it all
        raw = self._read_log(log_sig.inode, state.end)
        if raw is None:
            return None
        try:
            entries, end = wal.read_entries(raw, 0, state.seq, first_line=state.lines + 1)
        except LogDamaged as damage:
            raise DataDamaged(self.log_path, f"{damage}.") from None
        return replace(state, seen=seen, **self._applied(state.snapshot, entries, state.end + end,
                                                         state.lines + len(entries), state.seq))

    def _follow_compaction(self, state: State, seen: Seen) -> State | None:
        """Another process compacted from the very file this state was read from, up to a save this state
        already holds: only the new log's later saves are needed, not the whole file again."""
        try:
            manifest = read_manifest(self.manifest_path)
        except ManifestDamaged:
            return None
        if manifest is None or manifest.compacted is None or manifest.previous != state.file \
                or manifest.compacted.seq > state.seq or seen[2] is None:
            return None
        raw = self._read_log(seen[2].inode, 0)
        try:
            header = wal.read_header(raw or b"")
            if header.after != manifest.compacted.seq:
                return None
            entries, end = wal.read_entries(raw, header.end, header.after)
        except LogDamaged:
            return None
        later = [entry for entry in entries if entry.seq > state.seq]
        if len(entries) - len(later) != state.seq - header.after:
            return None
        return replace(state, seen=seen, manifest=manifest, compacted_size=manifest.compacted.size,
                       file=manifest.compacted,
                       **self._applied(state.snapshot, later, end, 1 + len(entries), state.seq))

    @staticmethod
    def _applied(snapshot: Snapshot, entries: list[wal.Entry], end: int, lines: int, seq: int) -> dict[str, Any]:
        if entries:
            snapshot = snapshot.apply(_merged(entry.changes for entry in entries))
            seq = entries[-1].seq
        return {"snapshot": snapshot, "seq": seq, "end": end, "lines": lines}

    def _read_log(self, inode: int, start: int) -> bytes | None:
        try:
            with open(self.log_path, "rb") as source:
                if os.fstat(source.fileno()).st_ino != inode:
                    return None
                source.seek(start)
                return source.read()
        except FileNotFoundError:
            return None

    def _load(self, seen: Seen, previous: Snapshot) -> State:
        """Read every file afresh and check each against the others."""
        try:
            manifest = read_manifest(self.manifest_path)
        except ManifestDamaged as damage:
            raise DataDamaged(self.manifest_path, f"is not readable: {damage}.") from None
        raw = read_bytes(self.path)
        log_raw = read_bytes(self.log_path)
        if manifest is None:
            return self._load_unmanaged(seen, raw, log_raw, previous)
        checksum = hashlib.sha256(raw).hexdigest() if raw is not None else None
        allowed, compacted = manifest.match(checksum)
        if not allowed:
            if raw is None:
                raise DataDamaged(self.path, "is missing, but this repository has held records (see "
                                             "manifest.json).", _RESTORE)
            read_tables(self.path, raw)     # an empty or garbled file is said to be so
            raise DataDamaged(self.path, "does not match its manifest: it was changed, cut short or replaced "
                                         "after it was written.", _RESTORE)
        tables = read_tables(self.path, raw)[0] if raw is not None else {}
        base = compacted.seq if compacted is not None else 0
        if log_raw is None:
            if raw is None:
                raise DataDamaged(self.path, "is missing, and so is records.log, but this repository has held "
                                             "records (see manifest.json).", _RESTORE)
            raise DataDamaged(self.log_path, "is missing: the saves since the last compaction are not there.",
                              _RESTORE)
        try:
            header = wal.read_header(log_raw)
            entries, end = wal.read_entries(log_raw, header.end, header.after)
        except LogDamaged as damage:
            raise DataDamaged(self.log_path, f"{damage}.") from None
        if header.after > base:         # the log follows a compacted file that is not the one here
            if raw is None:
                raise DataDamaged(self.path, "is missing, but this repository has held records (see "
                                             "manifest.json).", _RESTORE)
            raise DataDamaged(self.path, f"is an older copy: it holds saves up to {base}, and the log goes on "
                                         f"from save {header.after}.", _RESTORE)
        last = entries[-1].seq if entries else header.after
        if last < base:
            raise DataDamaged(self.log_path, f"ends at save {last}, before save {base} held by records.json: "
                                             "the log is older than the file.", _RESTORE)
        snapshot = Snapshot.of(tables, self._as_read)
        later = [entry for entry in entries if entry.seq > base]
        state = State(seen, snapshot, manifest, seq=base, compacted_size=len(raw or b""), file=compacted)
        state = replace(state, **self._applied(snapshot, later, end, 1 + len(entries), base))
        state.snapshot.follow(previous)
        return state

    def _load_unmanaged(self, seen: Seen, raw: bytes | None, log_raw: bytes | None, previous: Snapshot) -> State:
        """No manifest: a repository never written to, or a file of an earlier version of this service."""
        if log_raw is not None:
            raise DataDamaged(self.manifest_path, "is missing, but the repository has a log of saves.",
                              _RESTORE)
        if raw is None:
            return State(seen, Snapshot.empty(self._as_read))
        tables, compacted = read_tables(self.path, raw)
        if compacted is not None:
            raise DataDamaged(self.manifest_path, "is missing, but records.json was written by a compaction.",
                              _RESTORE)
        if not tables.get(RECORDS):
            raise DataDamaged(self.path, "holds no records, yet it exists: it was emptied or replaced.", _RESTORE)
        snapshot = Snapshot.of(tables, self._as_read)
        snapshot.follow(previous)
        return State(seen, snapshot, legacy=True, compacted_size=len(raw))

    # -- writing ----------------------------------------------------------------------------------------------
    def commit(self, base: Snapshot, changes: Changes) -> Snapshot:
        """Append ``changes`` to the log durably, then make ``base`` plus them current. Call under the write
        lock with ``base`` from ``current()``; if writing fails nothing changes, on disk or here. Tables
        with nothing to put are left out of the line."""
        changes = {table: docs for table, docs in changes.items() if docs}
        state = self._state
        if base is not state.snapshot or state.damage is not None:
            raise StoreError("The repository changed during the save; nothing was saved. Try again.")
        if state.manifest is None:
            with _io_faults():
                state = self._begin(state)
        following = state.snapshot.apply(changes)
        line = wal.entry_line(state.seq + 1, changes, next_reference(following))
        written = wal.append(self.log_path, state.end, line)
        seen = (state.seen[0], state.seen[1], Signature.of(written)) if state.seen else None
        self._state = replace(state, seen=seen, snapshot=following, seq=state.seq + 1,
                              end=state.end + len(line), lines=state.lines + 1)
        return following

    def _begin(self, state: State) -> State:
        """Before the first save (or the first one since an earlier version wrote the file): the manifest,
        then an empty log. From now on this repository is known to hold data."""
        compacted = None
        if state.legacy:
            raw = self.path.read_bytes()
            compacted = _describe(raw, 0, state.snapshot)
        manifest = Manifest(0, compacted)
        write_manifest(self.manifest_path, manifest)
        replace_file(self.log_path, [wal.header_line(0, 0)])
        old = self.folder / OLD_JOURNAL
        if old.exists():
            old.unlink()
        return replace(state, seen=self._seen(), manifest=manifest, legacy=False, seq=0, file=compacted,
                       end=len(wal.header_line(0, 0)), lines=1)

    # -- compaction ---------------------------------------------------------------------------------------------
    def compaction_due(self) -> bool:
        return self.has_unsaved_log() and self._state.end > max(MIN_LOG_BYTES,
                                                                LOG_SHARE * self._state.compacted_size)

    def has_unsaved_log(self) -> bool:
        """Whether the log holds saves that ``records.json`` does not (as this process last read it)."""
        state = self._state
        return state.damage is None and state.manifest is not None and \
            state.seq > state.file_seq

    def compact(self) -> bool:
        """Bring ``records.json`` up to the latest save and start a new log; False when there was nothing to
        do or another process is compacting. Saves go on while the file is written."""
        with self._compacting.taken_if_free() as mine:
            if not mine:
                return False
            with self.lock.held():
                self.current()
                state = self._state
                if state.manifest is None and state.legacy:
                    with _io_faults():
                        state = self._state = self._begin(state)
                if not self.has_unsaved_log():
                    return False
            self._remove_stale_temps()
            with _io_faults():
                temp, compacted = write_compacted(self.folder, state.snapshot, state.seq,
                                                 state.manifest.generation + 1)
            try:
                with self.lock.held(), _io_faults():
                    self._swap(state, temp, compacted)
            finally:
                remove_quietly(temp)
        self._tidy(self._state.snapshot)
        return True

    def _tidy(self, snapshot: Snapshot) -> None:
        if self._upkeep is not None:
            try:
                self._upkeep(snapshot)
            except OSError as error:        # tidying up must never cost anyone a page or a save
                logger.warning("Upkeep of %s failed: %s", self.folder, error)

    def _swap(self, at: State, temp: Path, compacted: Compacted) -> None:
        """Under the lock: the manifest first, then the file, then the log of the saves made meanwhile.
        A crash between any two steps leaves files that load to the same data (see ``manifest.py``)."""
        self.current()
        now = self._state
        if now.manifest != at.manifest:
            return          # the files were replaced meanwhile (a recovery): this compaction is stale
        manifest = Manifest(now.manifest.generation + 1, compacted, now.file)
        carried = read_bytes(self.log_path)[at.end:now.end]
        header = wal.header_line(compacted.seq, manifest.generation)
        write_manifest(self.manifest_path, manifest)
        os.replace(temp, self.path)
        fsync_folder(self.folder)
        replace_file(self.log_path, [header, carried])
        self._state = replace(now, seen=self._seen(), manifest=manifest, end=len(header) + len(carried),
                              lines=1 + now.seq - compacted.seq, compacted_size=compacted.size, file=compacted)

    def _remove_stale_temps(self) -> None:
        """Temporary files of a compaction killed mid-way (the compaction lock is ours: none is live)."""
        for stale in self.folder.glob(f".{FILE}.*.tmp"):
            remove_quietly(stale)


_RESTORE = "Run `repo-engine recover INSTANCE REPO` to rebuild it from what is good (the damaged files are kept)."


def read_tables(path: Path, raw: bytes) -> tuple[dict[str, dict[str, dict[str, Any]]], int | None]:
    """The tables of a compacted file, checked for the shape this service writes, and the last save it
    says it holds (None: a file of an earlier version, which does not say)."""
    if not raw.strip():
        raise DataDamaged(path, "is empty.", _RESTORE)
    try:
        value = json.loads(raw)
    except ValueError:
        raise DataDamaged(path, "is not readable JSON: it was cut short or garbled.", _RESTORE) from None
    if not isinstance(value, dict) or not value:
        raise DataDamaged(path, "is not a repository file: it holds no tables.", _RESTORE)
    tables = {}
    for name in TABLES:
        docs = value.get(name, {})
        if not isinstance(docs, dict):
            raise DataDamaged(path, f"table '{name}' is not a table of documents.", _RESTORE)
        for doc_id, doc in docs.items():
            if not isinstance(doc, dict) or not doc_id.isdigit() or (name == RECORDS and not _is_record(doc_id, doc)):
                raise DataDamaged(path, f"document {doc_id} of table '{name}' is not a stored "
                                        f"{'record' if name == RECORDS else 'document'}.", _RESTORE)
        tables[name] = docs
    compacted = value.get(COMPACTED)
    seq = compacted.get("1", {}).get("seq") if isinstance(compacted, dict) else None
    return tables, (seq if isinstance(seq, int) else 0) if compacted is not None else None


def _is_record(doc_id: str, doc: dict[str, Any]) -> bool:
    """A record is stored under its reference's number (``QI-0042`` as document 42)."""
    return isinstance(doc.get("reference"), str) and reference_number(doc["reference"]) == int(doc_id)


def write_compacted(folder: Path, snapshot: Snapshot, seq: int, generation: int) -> tuple[Path, Compacted]:
    """``snapshot`` (which holds every save up to ``seq``) written and fsync'd to a temporary file in
    ``folder``, and its description for the manifest; the caller renames it into place."""
    extra = {COMPACTED: {"1": {"seq": seq, "generation": generation}}}
    digest, size = hashlib.sha256(), 0
    fd, name = tempfile.mkstemp(prefix=f".{FILE}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in snapshot.chunks(extra):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        remove_quietly(name)
        raise
    return Path(name), _summary(digest.hexdigest(), size, seq, snapshot)


@contextmanager
def _io_faults() -> Iterator[None]:
    """An ``OSError`` of a full disk as ``OutOfSpace``, any other as a ``StoreError`` in plain words."""
    try:
        yield
    except OSError as error:
        raise (as_out_of_space(error) or StoreError(
            f"The repository's files could not be written ({error.strerror}); nothing was saved.")) from error


def _merged(changes: Iterable[Changes]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for one in changes:
        for table, docs in one.items():
            merged.setdefault(table, {}).update(docs)
    return merged


def _summary(checksum: str, size: int, seq: int, snapshot: Snapshot) -> Compacted:
    return Compacted(checksum, size, seq, len(snapshot.tables[RECORDS]), next_reference(snapshot))


def _describe(raw: bytes, seq: int, snapshot: Snapshot) -> Compacted:
    return _summary(hashlib.sha256(raw).hexdigest(), len(raw), seq, snapshot)


def next_reference(snapshot: Snapshot) -> int:
    """The number the next new record gets: past the counter and past every stored record."""
    return max(snapshot.meta.get("next_reference", 1), snapshot.tables[RECORDS].last + 1)
