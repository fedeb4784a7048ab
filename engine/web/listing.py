"""The browse page's URL: reading ``?q= ?<field>= ?sort= ?page= ?state=`` into a store ``Query``, the sentence
that says what is shown, and the links that change one thing (remove a filter, sort, page).

Bad values never reach the store: each becomes a message for the user and is left out of the query.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from engine.fields.base import CellError
from engine.schema.model import SYSTEM_FIELDS
from engine.search.parse import parse
from engine.store.base import Query
from engine.web.columns import Facet
from engine.web.site import HostedRepository

STATES = {"open": "under way now", "closed": "done before"}
#: ``?sort=relevance``: the most relevant first, as a search is sorted when no other sort is asked for.
RELEVANCE = "relevance"
CONTROL = frozenset({"q", "sort", "page", "state"})


@dataclass(frozen=True)
class ActiveFilter:
    facet: Facet
    raw: str
    words: str          # 'In progress': what its removable tag says
    phrase: str         # 'is In progress': its part of the sentence
    remove_url: str


@dataclass(frozen=True)
class Browse:
    query: Query
    active: tuple[ActiveFilter, ...]
    problems: tuple[str, ...]
    args: MultiDict

    def selected(self, name: str) -> frozenset[str]:
        return frozenset(self.args.getlist(name))

    @cached_property
    def _encoded(self) -> tuple[tuple[str, str], ...]:
        """Each parameter but ``page`` with its encoded ``name=value``: a page has a dozen links, one encoding."""
        return tuple((k, urlencode([(k, v)])) for k, v in self.args.items(multi=True) if k != "page")

    def url(self, **changes: Any) -> str:
        """This page's query string with some parameters replaced (``None`` removes one)."""
        parts = [part for k, part in self._encoded if k not in changes]
        added = urlencode([(k, v) for k, v in changes.items() if v not in (None, "")])
        if added:
            parts.append(added)
        return "?" + "&".join(parts) if parts else ""

    def sort_url(self, name: str) -> str:
        """Ascending first; a second click on the sorted column reverses it."""
        return self.url(sort=f"-{name}" if self.query.sort == name else name)

    def aria_sort(self, name: str) -> str:
        if self.query.sort == name:
            return "ascending"
        if self.query.sort == f"-{name}":
            return "descending"
        return "none"


def _sort(hosted: HostedRepository, raw: str | None, searching: bool, problems: list[str]) -> str | None:
    """The sort asked for; None for relevance, which a search is sorted by unless another is asked for."""
    default = None if searching else hosted.rtype.listing.sort
    if not raw or (raw == RELEVANCE and searching):
        return default
    name = raw.removeprefix("-")
    if name in hosted.rtype.field_map or name in SYSTEM_FIELDS:
        return raw
    shown = "relevance" if default is None else default.removeprefix("-")
    problems.append(f"The list cannot be sorted by “{raw}”; it is sorted by {shown}.")
    return default


def read_page(raw: str | None, problems: list[str]) -> int:
    if not raw:
        return 1
    if raw.isdigit() and int(raw) >= 1:
        return int(raw)
    problems.append(f"“{raw}” is not a page number; showing the first page.")
    return 1


def read_state(raw: str | None, problems: list[str]) -> str | None:
    if raw and raw not in STATES:
        problems.append(f"“{raw}” is not a choice here: use open (under way now) or closed (done before).")
        return None
    return raw or None


def _filters(hosted: HostedRepository, args: MultiDict, problems: list[str]):
    filters: dict[str, tuple[Any, ...]] = {}
    active: list[ActiveFilter] = []
    for name in args:
        facet = hosted.filters.get(name)
        if facet is None:
            if name not in CONTROL:
                problems.append(f"There is no field called “{name}” to filter on.")
            continue
        for raw in dict.fromkeys(v for v in args.getlist(name) if v != ""):
            try:
                wanted = facet.parse(raw)
            except CellError as error:
                problems.append(f"{facet.label}: {error}")
                continue
            filters[name] = filters.get(name, ()) + (wanted,)
            active.append(ActiveFilter(facet, raw, facet.describe_key(raw), facet.describe(wanted),
                                       _without(args, name, raw)))
    return filters, active


def read_browse(hosted: HostedRepository, args: MultiDict) -> Browse:
    problems: list[str] = []
    filters, active = _filters(hosted, args, problems)
    q = args.get("q", "").strip()
    search = parse(q, hosted.thesaurus) if q else None
    query = Query(
        q=q, search=search, filters=filters, state=read_state(args.get("state"), problems),
        sort=_sort(hosted, args.get("sort"), bool(search), problems), page=read_page(args.get("page"), problems),
        per_page=hosted.rtype.listing.per_page,
    )
    return Browse(query, tuple(active), tuple(problems), args)


def _without(args: MultiDict, name: str, raw: str) -> str:
    pairs = [(k, v) for k, v in args.items(multi=True) if not (k == name and v == raw) and k != "page"]
    return _query_string(pairs)


def _query_string(pairs: list[tuple[str, Any]]) -> str:
    return "?" + urlencode(pairs) if pairs else ""


def _lower_first(words: str) -> str:
    """'Quality improvement projects' -> 'quality improvement projects'; 'NICE guidance' stays."""
    if len(words) > 1 and words[1].islower():
        return words[0].lower() + words[1:]
    return words


def sentence(hosted: HostedRepository, browse: Browse, total: int) -> str:
    """'12 quality improvement projects under way now matching “falls” where status is In progress and
    division is Surgery'."""
    rtype = hosted.rtype
    parts = [f"{total:,} {_lower_first(rtype.title if total == 1 else rtype.title_plural)}"]
    if browse.query.state:
        parts.append(STATES[browse.query.state])
    if browse.query.q:
        parts.append(f"matching “{browse.query.q}”")
    grouped: dict[str, list[str]] = {}
    for active in browse.active:
        grouped.setdefault(active.facet.label, []).append(active.phrase)
    if grouped:
        terms = (f"{_lower_first(label)} {_either(phrases)}" for label, phrases in grouped.items())
        parts.append("where " + " and ".join(terms))
    return " ".join(parts)


def _either(phrases: list[str]) -> str:
    """['is Surgery', 'is Medicine'] -> 'is Surgery or Medicine'; mixed verbs are joined whole."""
    verbs = {phrase.split(" ", 1)[0] for phrase in phrases}
    if len(phrases) > 1 and len(verbs) == 1 and all(" " in p for p in phrases):
        return f"{verbs.pop()} " + " or ".join(p.split(" ", 1)[1] for p in phrases)
    return " or ".join(phrases)


@dataclass(frozen=True)
class FacetOption:
    id: str
    key: str            # what the URL carries
    label: str          # what the page says
    count: int
    checked: bool


def facet_options(hosted: HostedRepository, browse: Browse,
                  counts: dict[str, list[tuple[str, int]]]) -> list[tuple[Facet, list[FacetOption]]]:
    """Each facet's checkboxes: the store's buckets, most frequent first, then any chosen value that no
    longer matches anything (so it can still be unticked)."""
    shown = []
    for facet in hosted.facets:
        chosen = browse.selected(facet.name)
        buckets = counts.get(facet.name, [])
        counted = {key for key, _ in buckets}
        buckets = buckets + [(key, 0) for key in sorted(chosen - counted)]
        shown.append((facet, [
            FacetOption(f"filter-{facet.name}-{number}", key, facet.describe_key(key), count, key in chosen)
            for number, (key, count) in enumerate(buckets, 1)
        ]))
    return shown


def page_window(current: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and those near the current one; None marks a gap."""
    shown = sorted({1, pages, *range(max(1, current - around), min(pages, current + around) + 1)})
    window: list[int | None] = []
    for number in shown:
        if window and number - (window[-1] or 0) > 1:
            window.append(None)
        window.append(number)
    return window
