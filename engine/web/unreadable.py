"""Repositories whose data is damaged, as pages meet them: logged once per request for the service team, and
left out of the pages that read several repositories at once (an instance's home page, the trust-wide search,
My submissions, the bin, related records), which say so in plain words and still answer. A page about the
damaged repository itself answers 503 (``engine.web.errors``).

A store raises ``DataDamaged`` from any of its methods rather than serve damaged data as an empty repository,
so one damaged file must not take every page that merely counts or searches it down with it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, TypeVar

from flask import current_app, g, has_app_context, has_request_context, request

from engine.errors import DataDamaged
from engine.web.site import HostedRepository

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeftOut:
    """A repository a page could not read and went on without."""
    hosted: HostedRepository

    @property
    def sentence(self) -> str:
        return (f"{self.hosted.rtype.title_plural} ({self.hosted.instance.title}) could not be read and is not "
                "included.")


def each_readable(repositories: Iterable[HostedRepository], read: Callable[[HostedRepository], T]
                  ) -> Iterator[tuple[HostedRepository, T]]:
    """``(repository, read(repository))`` for each repository whose data could be read; one whose store raises
    ``DataDamaged`` is logged, noted for the page (``left_out``) and skipped. ``read`` must finish its reading
    (a list rather than a lazy iterator), so that damage met later is not met outside this guard."""
    for hosted in repositories:
        try:
            found = read(hosted)
        except DataDamaged as damaged:
            leave_out(hosted, damaged)
            continue
        yield hosted, found


def read_or(hosted: HostedRepository, read: Callable[[HostedRepository], T], default: T) -> T:
    """``read(hosted)``, or ``default`` when its data is damaged: for a page about one repository that only
    looks something up in another (the options of a reference picker, whether to link a reference)."""
    for _, found in each_readable((hosted,), read):
        return found
    return default


def leave_out(hosted: HostedRepository, damaged: DataDamaged) -> None:
    log_damage(damaged, f"{hosted.instance.name}/{hosted.name}")
    if has_app_context():
        noted = g.setdefault("repo_engine_left_out", {})
        noted.setdefault((hosted.instance.name, hosted.name), LeftOut(hosted))


def left_out() -> tuple[LeftOut, ...]:
    """The repositories this request could not read and went on without, in the order it met them."""
    return tuple(g.get("repo_engine_left_out", {}).values()) if has_app_context() else ()


def log_damage(damaged: DataDamaged, where: str | None = None) -> None:
    """At ERROR, the repository (when known), the file and what is wrong with it; once per request, however
    many times the request meets the same damage."""
    line = f"Repository data damaged{f' ({where})' if where else ''}: {damaged.report()}"
    if not has_app_context():
        log.error(line)
        return
    logged = g.setdefault("repo_engine_damage_logged", set())
    if line not in logged:
        logged.add(line)
        current_app.logger.error(line)


def named_here() -> str | None:
    """The repository this request's URL names (``instance/repo``), or the instance alone; None for neither."""
    if not has_request_context():
        return None
    named = request.view_args or {}
    return "/".join(str(named[key]) for key in ("instance", "repo") if key in named) or None
