"""The browse page's URL: reading ``?q= ?<field>= ?sort= ?page= ?per_page= ?state=`` into a store ``Query``, the
sentence that says what is shown, and the links that change one thing (remove a filter, sort, page).

A field whose type reads ranges (a date) may also be asked for as the filter panel's two boxes,
``?start_date_from=2025-01-01&start_date_to=2025-12-31``: one more value of that field's filter, as
``?start_date=2025-01-01..2025-12-31`` would be, said as "start date from 1 January 2025 to 31 December 2025".
Either box may be left empty, and each takes a day (31/12/2025), a month (2025-03) or a year (2025).

Bad values never reach the store: each becomes a message for the user, filed under the parameter it is about
(the API refuses with those), and is left out of the query.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Mapping
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
CONTROL = frozenset({"q", "sort", "page", "per_page", "state"})
#: The most records one page may show, asked for by ``?per_page=`` on the browse page and the API alike.
MAX_PER_PAGE = 100
#: A page number or size: the digits 0 to 9 (``str.isdigit`` also takes "²", which ``int`` cannot read).
WHOLE = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class ActiveFilter:
    facet: Facet
    raw: str
    words: str          # 'In progress': what its removable tag says
    phrase: str         # 'is In progress': its part of the sentence
    remove_url: str
    lead: str = ""      # what a screen reader hears before ``words``: 'Remove filter: division is '


class Said:
    """What could not be read of a URL, each message under the parameter it is about, in the order found."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[str]] = {}

    def about(self, name: str) -> list[str]:
        """The messages about one parameter: a list the readers (``read_page``, ...) append to."""
        return self.by_name.setdefault(name, [])

    def messages(self) -> tuple[str, ...]:
        """Every message once (one about two parameters is filed under both)."""
        return tuple(dict.fromkeys(message for said in self.by_name.values() for message in said))

    def refused(self) -> dict[str, str]:
        return {name: " ".join(said) for name, said in self.by_name.items() if said}


@dataclass(frozen=True)
class Browse:
    query: Query
    active: tuple[ActiveFilter, ...]
    problems: tuple[str, ...]
    args: MultiDict
    refused: Mapping[str, str] = field(default_factory=dict)      # parameter -> what is wrong with it
    typed: Mapping[str, str] = field(default_factory=dict)        # range box parameter -> what was typed

    def selected(self, name: str) -> frozenset[str]:
        return frozenset(self.args.getlist(name))

    def error(self, name: str) -> str:
        """What is wrong with one parameter ('' for nothing): the filter panel says it beside the box."""
        return self.refused.get(name, "")

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
    if WHOLE.fullmatch(raw) and int(raw) >= 1:
        return int(raw)
    problems.append(f"“{raw}” is not a page number; showing the first page.")
    return 1


def read_per_page(raw: str | None, default: int, problems: list[str]) -> int:
    """``?per_page=``: 1 to ``MAX_PER_PAGE``; without it, the listing's own number."""
    if not raw:
        return default
    if WHOLE.fullmatch(raw) and 1 <= int(raw) <= MAX_PER_PAGE:
        return int(raw)
    problems.append(f"per_page must be a whole number from 1 to {MAX_PER_PAGE}; showing {default} a page.")
    return default


def read_state(raw: str | None, problems: list[str]) -> str | None:
    if raw and raw not in STATES:
        problems.append(f"“{raw}” is not a choice here: use open (under way now) or closed (done before).")
        return None
    return raw or None


def _last(args: MultiDict, name: str) -> str:
    """The last value given for ``name`` (a copied URL may repeat one), stripped; '' for none."""
    values = args.getlist(name)
    return values[-1].strip() if values else ""


def _filters(hosted: HostedRepository, args: MultiDict, boxes: Mapping[str, Facet], said: Said):
    """The filters asked for by ``?<field>=`` (each value) and by the range boxes, and their tags."""
    filters: dict[str, tuple[Any, ...]] = {}
    active: list[ActiveFilter] = []
    for name in args:
        facet = hosted.filters.get(name)
        if facet is None:
            if name not in CONTROL and name not in boxes:
                said.about(name).append(f"There is no field called “{name}” to filter on.")
            continue
        for raw in dict.fromkeys(v for v in args.getlist(name) if v != ""):
            try:
                wanted = facet.parse(raw)
            except CellError as error:
                said.about(name).append(f"{facet.label}: {error}")
                continue
            filters[name] = filters.get(name, ()) + (wanted,)
            active.append(ActiveFilter(facet, raw, facet.describe_key(raw), facet.describe(wanted),
                                       _without(args, lambda k, v: k == name and v == raw),
                                       f"Remove filter: {facet.label.lower()} is "))
    for facet in dict.fromkeys(boxes.values()):
        typed = tuple(_last(args, box) for box, _ in facet.range_inputs)
        wanted = _read_range(facet, typed, said) if any(typed) else None
        if wanted is not None:      # one more value of the field's filter, as ``?<field>=a..b`` would be
            filters[facet.name] = filters.get(facet.name, ()) + (wanted,)
            active.append(_range_filter(facet, wanted, typed, args))
    return filters, active


def _range_boxes(hosted: HostedRepository) -> dict[str, Facet]:
    """Each range box's parameter (``start_date_from``) -> its field's filter."""
    return {box: facet for facet in hosted.filters.values() for box, _ in facet.range_inputs
            if box not in hosted.filters}      # a field of that very name is that field


def _read_range(facet: Facet, typed: tuple[str, str], said: Said) -> Any | None:
    """The range the two boxes ask for; None when either cannot be read, each message filed under its own
    box. A range that ends before it starts is about both."""
    (start, end), failed = typed, False
    for (box, label), alone in zip(facet.range_inputs, ((start, ""), ("", end))):
        try:
            if any(alone):
                facet.parse_range(*alone)
        except CellError as error:
            said.about(box).append(f"{facet.label} {label.lower()}: {error}")
            failed = True
    if failed:
        return None
    try:
        return facet.parse_range(start, end)
    except CellError as error:
        for box, _ in facet.range_inputs:
            said.about(box).append(f"{facet.label}: {error}")
        return None


def _range_filter(facet: Facet, wanted: Any, typed: tuple[str, str], args: MultiDict) -> ActiveFilter:
    """A typed range's tag says its field ('Start date from 1 January 2025 to ...'): a date alone is unclear."""
    phrase = facet.describe(wanted)
    boxes = {box for box, _ in facet.range_inputs}
    return ActiveFilter(facet, "..".join(typed), f"{facet.label} {phrase}", phrase,
                        _without(args, lambda k, v: k in boxes), "Remove filter: ")


def read_browse(hosted: HostedRepository, args: MultiDict) -> Browse:
    said, boxes = Said(), _range_boxes(hosted)
    filters, active = _filters(hosted, args, boxes, said)
    q = args.get("q", "").strip()
    search = parse(q, hosted.thesaurus) if q else None
    query = Query(
        q=q, search=search, filters=filters, state=read_state(args.get("state"), said.about("state")),
        sort=_sort(hosted, args.get("sort"), bool(search), said.about("sort")),
        page=read_page(args.get("page"), said.about("page")),
        per_page=read_per_page(_last(args, "per_page"), hosted.rtype.listing.per_page, said.about("per_page")),
    )
    typed = {box: _last(args, box) for box in boxes if _last(args, box)}
    return Browse(query, tuple(active), said.messages(), args, said.refused(), typed)


def _without(args: MultiDict, dropped: Callable[[str, str], bool]) -> str:
    """This page's query string without the parameters ``dropped(name, value)`` picks, and without its page."""
    pairs = [(k, v) for k, v in args.items(multi=True) if not dropped(k, v) and k != "page"]
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
