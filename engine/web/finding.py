"""Finding earlier work across the trust: one ranked list over every repository a person may read.

``search_trust`` answers ``/search`` and ``GET /api/v1/search``; ``similar`` answers "Has this been done
before?" on the new-record form and "Related records" on a record page. Each asks every readable hosted
repository's store the same ``Query`` (so each backend ranks its own records, with its own engine) and
merges the answers by score. Reading is decided by the one access policy: a repository the person may not
read is never asked, so none of its records, counts or snippets can reach them. A repository whose data is
damaged is left out (``engine.web.unreadable``): the others are still searched, and the page says which was not.

Facets: department (instance) and repository type count every match whatever is chosen in that same facet,
as the browse page's facets do; status and year come from the stores' own facet counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from werkzeug.datastructures import MultiDict

from engine.access import User, can
from engine.search.parse import SearchQuery, similar_to
from engine.search.snippets import Snippet
from engine.store.base import Page, Query, Record
from engine.store.index import STATUS, YEAR
from engine.web.listing import read_page, read_state
from engine.web.site import HostedRepository, Site
from engine.web.unreadable import each_readable

INSTANCE, TYPE = "instance", "repository"
#: The facets, each with its URL parameter, on the page and in the API (``YEAR`` is an internal name).
PARAMETERS = {INSTANCE: "instance", TYPE: "repository", STATUS: "status", YEAR: "year"}
SIMILAR_SHOWN = 5


@dataclass(frozen=True)
class TrustQuery:
    """What ``/search`` (the page or the API) was asked: the words, the ticked facets, open or closed, the
    page; ``problems`` names each parameter that could not be read, in the browse page's words."""
    q: str
    chosen: Mapping[str, tuple[str, ...]]
    state: str | None
    page: int
    problems: Mapping[str, str]


def read_trust_query(args: MultiDict) -> TrustQuery:
    """The one reading of a trust-wide search's URL, for the page and the API alike."""
    problems: dict[str, str] = {}

    def read(name: str, reader):
        said: list[str] = []
        value = reader(args.get(name), said)
        if said:
            problems[name] = " ".join(said)
        return value
    chosen = {name: tuple(dict.fromkeys(value for value in args.getlist(parameter) if value))
              for name, parameter in PARAMETERS.items()}
    return TrustQuery(args.get("q", "").strip(), chosen, read("state", read_state), read("page", read_page),
                      problems)


@dataclass(frozen=True)
class Hit:
    hosted: HostedRepository
    record: Record
    score: float
    snippets: Mapping[str, Snippet] = field(default_factory=dict)  # its page's, made only for hits shown

    @property
    def snippet(self) -> Snippet | None:
        return self.snippets.get(self.record.reference)

    @property
    def title(self) -> str:
        return self.hosted.title_of(self.record)

    @property
    def closed(self) -> bool:
        return self.record.status in self.hosted.rtype.closed_statuses

    @property
    def lead(self) -> str:
        """The person the record names first (its lead), as text; '' when it names nobody."""
        for field in self.hosted.rtype.fields:
            if field.kind.names_person and self.record.values.get(field.name):
                return field.kind.display_text(field, self.record.values[field.name])
        return ""


@dataclass(frozen=True)
class TrustResults:
    hits: tuple[Hit, ...]
    total: int
    page: int
    per_page: int
    facets: Mapping[str, list[tuple[str, str, int]]]     # facet -> (key, label, count), most first
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def readable(site: Site, person: User) -> tuple[HostedRepository, ...]:
    """Every hosted repository ``person`` may read, instance by instance."""
    return tuple(hosted for instance in site.project.instances.values() if can(person, instance, "read")
                 for hosted in site.hosted_in(instance))


def search_trust(site: Site, person: User, search: SearchQuery, *, chosen: Mapping[str, Iterable[str]],
                 state: str | None = None, page: int = 1, per_page: int = 20) -> TrustResults:
    chosen = {name: frozenset(values) for name, values in chosen.items() if values}
    filters = {name: tuple(chosen[name]) for name in (STATUS, YEAR) if name in chosen}
    wanted = page * per_page
    hits: list[Hit] = []
    totals: dict[tuple[str, str], int] = {}
    counted: dict[str, dict[str, int]] = {STATUS: {}, YEAR: {}}
    suggestion = None
    query = Query(q=search.text, search=search, filters=filters, state=state, per_page=wanted)

    def ask(hosted: HostedRepository) -> tuple[Page, dict[str, list[tuple[str, int]]]]:
        store = site.store(hosted)
        found = store.query(query)
        return found, store.facets(query, (STATUS, YEAR)) if _passes(hosted, chosen) else {}
    for hosted, (found, facets) in each_readable(readable(site, person), ask):
        totals[(hosted.instance.name, hosted.name)] = found.total
        suggestion = suggestion or found.suggestion
        if not _passes(hosted, chosen):
            continue
        hits.extend(Hit(hosted, record, found.scores.get(record.reference, 0.0), found.snippets)
                    for record in found.records)
        for name, buckets in facets.items():
            for key, count in buckets:
                counted[name][key] = counted[name].get(key, 0) + count
    hits.sort(key=lambda hit: (-hit.score, -hit.record.updated.timestamp()))
    shown = tuple(hits[(page - 1) * per_page:wanted])
    total = sum(count for (instance, repo), count in totals.items()
                if _passes(site.repository(instance, repo), chosen))
    facets = _facets(site, totals, chosen, counted)
    return TrustResults(shown, total, page, per_page, facets, suggestion if not total else None)


def _passes(hosted: HostedRepository, chosen: Mapping[str, frozenset[str]], leave_out: str = "") -> bool:
    return all(name == leave_out or name not in chosen or key in chosen[name]
               for name, key in ((INSTANCE, hosted.instance.name), (TYPE, hosted.name)))


def _facets(site: Site, totals: Mapping[tuple[str, str], int], chosen: Mapping[str, frozenset[str]],
            counted: Mapping[str, dict[str, int]]) -> dict[str, list[tuple[str, str, int]]]:
    places: dict[str, dict[str, tuple[str, int]]] = {INSTANCE: {}, TYPE: {}}
    for (instance, repo), count in totals.items():
        hosted = site.repository(instance, repo)
        for name, key, label in ((INSTANCE, instance, hosted.instance.title), (TYPE, repo, hosted.rtype.title_plural)):
            if _passes(hosted, chosen, leave_out=name):
                before = places[name].get(key, (label, 0))[1]
                places[name][key] = (label, before + count)
    facets = {name: [(key, label, count) for key, (label, count) in found.items() if count or key in chosen.get(name, ())]
              for name, found in places.items()}
    for name in (STATUS, YEAR):
        facets[name] = [(key, key, count) for key, count in counted[name].items()]
    for name, buckets in facets.items():
        buckets.sort(key=lambda bucket: (-int(bucket[0]) if name == YEAR else -bucket[2], bucket[1].casefold()))
    return facets


def similar(site: Site, person: User, title: str, text: str = "", *,
            leave_out: tuple[str, str, str] | None = None, limit: int = SIMILAR_SHOWN) -> tuple[Hit, ...]:
    """The records most like a title and description, open or closed, from anywhere ``person`` may read;
    ``leave_out`` (instance, repository, reference) is the record being shown itself."""
    search = similar_to(title, text, site.project.thesaurus)
    if not search:
        return ()
    hits: list[Hit] = []
    query = Query(q=search.text, search=search, per_page=limit + 1)
    for hosted, found in each_readable(readable(site, person), lambda hosted: site.store(hosted).query(query)):
        for record in found.records:
            if leave_out == (hosted.instance.name, hosted.name, record.reference):
                continue
            hits.append(Hit(hosted, record, found.scores.get(record.reference, 0.0)))
    hits.sort(key=lambda hit: -hit.score)
    return tuple(hits[:limit])


def related(site: Site, person: User, hosted: HostedRepository, record: Record) -> tuple[Hit, ...]:
    """"Related records" on a record page: the most similar others, from any instance the reader may read."""
    return similar_to_values(site, person, hosted, record.values,
                             leave_out=(hosted.instance.name, hosted.name, record.reference))


def similar_to_values(site: Site, person: User, hosted: HostedRepository, values: Mapping, *,
                      leave_out: tuple[str, str, str] | None = None) -> tuple[Hit, ...]:
    """The records most like one with these values (a stored record's, or a form's not yet saved): by its
    title and its description (``HostedRepository.description_field``); none without a title."""
    title = str(values.get(hosted.rtype.record_title) or "")
    name = hosted.description_field
    text = str(values.get(name) or "") if name else ""
    return similar(site, person, title, text, leave_out=leave_out) if title.strip() else ()


def similar_message(hits: tuple[Hit, ...]) -> str:
    if not hits:
        return "No similar records found"
    open_now = sum(1 for hit in hits if not hit.closed)
    found = "1 similar record found" if len(hits) == 1 else f"{len(hits)} similar records found"
    return f"{found}, {open_now} of them under way now" if len(hits) > 1 else \
        f"{found}: {'under way now' if open_now else 'done before'}"
