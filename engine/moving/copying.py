"""A whole site copied from one backend to the other, and checked: the copy is trusted only once every table
of every repository, every file and every site document reads back from the target as it was read from the
source (counts, and a SHA-256 over the canonical JSON of each table's documents, and of each file).

Both sides offer the same few operations (``EmbeddedSite``, ``PostgresSite``): ``repositories``, ``read``,
``content``, ``site`` to read; ``check_empty``, ``writing``, ``write``, ``write_site`` to write. The source
is read whole first (the embedded store holds a repository in memory to read it anyway), so that nothing is
written before the source is known to read; then each repository is written and the site's documents last;
then the target is read back and compared, inside ``writing``: a failure or a difference undoes the copy.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol

from engine.moving.holding import MoveFailed, Repository, Site, Tally, file_digest

#: Makes a progress bar: (what it counts, its total) -> an object with ``update(n)`` and ``close()``.
Progress = Callable[[str, int], Any]


class Side(Protocol):
    def describe(self) -> str: ...
    def repositories(self) -> list[tuple[str, str]]: ...
    def read(self, instance: str, name: str) -> Repository: ...
    def content(self, repository: Repository, file_id: str) -> Iterator[bytes]: ...
    def site(self) -> Site: ...
    def check_empty(self) -> None: ...
    def writing(self) -> Any: ...
    def write(self, repository: Repository, contents: Callable[[str], Iterator[bytes]]) -> None: ...
    def write_site(self, site: Site) -> None: ...


@dataclass(frozen=True)
class Copied:
    repositories: int
    documents: int
    files: int
    file_bytes: int
    site_documents: int


class _Quiet:
    def update(self, count: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def copy_site(source: Side, target: Side, progress: Progress | None = None) -> Copied:
    """Copy everything ``source`` holds into ``target``, which must be empty (``TargetNotEmpty``), and check
    it; ``MoveFailed`` (target left as it was) when anything cannot be read, written or does not match."""
    bar = progress or (lambda what, total: _Quiet())
    target.check_empty()
    repositories, site = _read(source, bar)
    expected = {repository.key: Tally.of_repository(repository) for repository in repositories}
    copying = bar("copying", sum(repository.size() for repository in repositories))
    with target.writing():
        for repository in repositories:
            target.write(repository, _hashed(source, repository, expected[repository.key]))
            copying.update(repository.size())
        target.write_site(site)
        copying.close()
        _check(target, repositories, expected, Tally.of_site(site), bar)
    tallies = expected.values()
    return Copied(len(repositories), sum(r.size() for r in repositories), sum(len(t.files) for t in tallies),
                  sum(size for t in tallies for _, size in t.files.values()), len(site.documents))


def _read(source: Side, bar: Progress) -> tuple[list[Repository], Site]:
    keys = source.repositories()
    reading = bar("reading", len(keys))
    repositories = []
    for key in keys:
        repository = source.read(*key)
        if not repository.is_empty():
            repositories.append(repository)
        reading.update(1)
    reading.close()
    return repositories, source.site()


def _hashed(source: Side, repository: Repository, tally: Tally) -> Callable[[str], Iterator[bytes]]:
    """The source's files as they are copied, each one's SHA-256 and size noted in ``tally`` on the way."""
    def contents(file_id: str) -> Iterator[bytes]:
        hashed, size = hashlib.sha256(), 0
        for chunk in source.content(repository, file_id):
            hashed.update(chunk)
            size += len(chunk)
            yield chunk
        tally.files[file_id] = (hashed.hexdigest(), size)
    return contents


def _check(target: Side, repositories: list[Repository], expected: dict[tuple[str, str], Tally],
           site: Tally, bar: Progress) -> None:
    """Read the copy back and compare; ``MoveFailed`` naming every difference."""
    checking = bar("checking", len(repositories) + 1)
    problems = []
    for repository in repositories:
        copied = target.read(*repository.key)
        found = Tally.of_repository(copied)
        for doc in copied.tables["attachments"]:
            found.files[doc["id"]] = file_digest(target.content(copied, doc["id"]))
        problems += [f"{repository.where}: {said}" for said in expected[repository.key].differences(found)]
        checking.update(1)
    problems += [f"site: {said}" for said in site.differences(Tally.of_site(target.site()))]
    checking.update(1)
    checking.close()
    if problems:
        raise MoveFailed(f"The copy in {target.describe()} does not match what was read from the source, so it "
                         "was undone:\n  " + "\n  ".join(problems[:20]))
