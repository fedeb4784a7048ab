"""The site: the loaded project, its stores, and per hosted repository what its pages need, built once.

Start-up does all per-repository work (form class, validator, columns, facets, which template renders each
field and page); a request only looks these up by ``(instance, repository)``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping

from flask import current_app, has_app_context
from jinja2 import Environment
from wtforms import Form

from engine.access.accounts import Accounts
from engine.config import Paths
from engine.records import ReferenceLookup, Records, live_references, open_records
from engine.errors import InstanceNotFound, RepositoryNotFound
from engine.schema.compile import RecordValidator
from engine.schema.model import Condition, Field, Instance, Project, RepositoryType, Section
from engine.search.thesaurus import EMPTY, Thesaurus
from engine.store import Stores
from engine.store.drafts import Drafts, DraftStores
from engine.store.places import Place, site_place
from engine.web.columns import Column, Facet, build_columns, build_filters
from engine.web.fragments import BODY_LIMIT, FragmentCache

PAGES = ("browse", "browse_body", "record", "form", "history")


@dataclass(frozen=True)
class HostedRepository:
    """One repository type as one instance hosts it (instances may adapt a type, so this is per instance)."""
    instance: Instance
    rtype: RepositoryType
    form_class: type[Form]
    validator: RecordValidator
    columns: tuple[Column, ...]
    filters: Mapping[str, Facet]            # every name a browse URL may filter on
    facets: tuple[Facet, ...]               # the ones offered with counts
    field_templates: Mapping[str, tuple[str, str]]  # field name -> (form snippet, display snippet)
    page_templates: Mapping[str, str]       # 'browse' -> 'browse-qi-project.html' or 'browse.html'
    show_when: Mapping[str, str]            # field name -> its condition as JSON, for the browser
    thesaurus: Thesaurus                    # the site's, which every search here is read with

    form_groups: tuple[tuple[Section | None, tuple[Field, ...]], ...]     # the form's fields by section
    record_groups: tuple[tuple[Section | None, tuple[Field, ...]], ...]   # the record page's, retired included

    @property
    def name(self) -> str:
        return self.rtype.name

    @property
    def description_field(self) -> str | None:
        """The field saying what a record is about beside its title (its first describing field, an aim):
        what similar records are found by."""
        for field in self.rtype.fields:
            if field.kind.describes and field.name != self.rtype.record_title:
                return field.name
        return None

    @property
    def title_group(self) -> int:
        """Which of ``form_groups`` holds the record's title field (the first when none does): the form asks
        "Has this been done before?" right after it, once the title is given."""
        return next((index for index, (_, fields) in enumerate(self.form_groups)
                     if any(f.name == self.rtype.record_title for f in fields)), 0)

    def title_of(self, record) -> str:
        """The record's title field as text, or its reference when that is empty."""
        field = self.rtype.field_map.get(self.rtype.record_title)
        text = field.kind.display_text(field, record.values.get(field.name)) if field else ""
        return text or record.reference


def condition_json(condition: Condition | None) -> str:
    """The condition for engine.js, which decides it in the browser the way ``Condition.holds`` does."""
    return "" if condition is None else json.dumps(condition.as_json())


def form_fields(rtype: RepositoryType) -> tuple[Field, ...]:
    """The fields a form fills in: every field but the retired ones, which are kept but no longer filled in."""
    return tuple(f for f in rtype.fields if not f.retired)


def form_class_for(rtype: RepositoryType) -> type[Form]:
    fields = {f.name: f.kind.form_field(f) for f in form_fields(rtype)}
    return type(f"{rtype.name.title().replace('-', '')}Form", (Form,), fields)


Groups = tuple[tuple[Section | None, tuple[Field, ...]], ...]


def grouped(rtype: RepositoryType, fields: tuple[Field, ...]) -> Groups:
    """``fields`` by section: those without a section first, then each section in the order the type declares
    its sections, holding its fields in ``fields:`` order. A section is one group however its fields are spread
    through the YAML, so its heading is shown once; a section without any of ``fields`` is left out."""
    loose = tuple(f for f in fields if not f.section)
    groups = [(None, loose)] if loose else []
    for section in rtype.sections:
        inside = tuple(f for f in fields if f.section == section.name)
        if inside:
            groups.append((section, inside))
    return tuple(groups)


def form_groups(rtype: RepositoryType) -> Groups:
    """The fields a form fills in, by section (each section one fieldset)."""
    return grouped(rtype, form_fields(rtype))


def _first(env: Environment, names: list[str]) -> str:
    return env.select_template(names).name


def build_repository(instance: Instance, rtype: RepositoryType, env: Environment,
                     thesaurus: Thesaurus = EMPTY) -> HostedRepository:
    filters = build_filters(rtype)
    templates = {
        f.name: (_first(env, [f"fields/form/{f.kind.template}.html", "fields/form/default.html"]),
                 _first(env, [f"fields/display/{f.kind.template}.html", "fields/display/default.html"]))
        for f in rtype.fields
    }
    return HostedRepository(
        instance=instance,
        rtype=rtype,
        form_class=form_class_for(rtype),
        validator=RecordValidator(rtype),
        columns=build_columns(rtype),
        filters=filters,
        facets=tuple(filters[name] for name in rtype.listing.facets),
        field_templates=templates,
        page_templates={page: _first(env, [f"{page}-{rtype.name}.html", f"{page}.html"]) for page in PAGES},
        show_when={f.name: condition_json(f.show_when) for f in rtype.fields if f.show_when},
        form_groups=form_groups(rtype),
        record_groups=grouped(rtype, rtype.fields),
        thesaurus=thesaurus,
    )


class Site:
    """Held in ``app.extensions['repo_engine']``; ``close()`` releases the stores."""

    def __init__(self, project: Project, paths: Paths, env: Environment, place: Place | None = None):
        self.project = project
        self.paths = paths
        self.place = place if place is not None else site_place(paths)   # accounts, alerts: the site's own
        self.repositories = {
            (instance.name, rtype.name): build_repository(instance, rtype, env, project.thesaurus)
            for instance in project.instances.values() for rtype in instance.repositories
        }
        self._records: dict[tuple[str, str], Records] = {}
        self.fragments = FragmentCache()
        self.bodies = FragmentCache(BODY_LIMIT)
        self.stores = Stores(paths)
        self.draft_stores = DraftStores(paths)
        self.accounts = Accounts(self.place)

    def instance(self, name: str) -> Instance:
        try:
            return self.project.instances[name]
        except KeyError:
            raise InstanceNotFound(f"There is no instance called “{name}”.") from None

    def repository(self, instance: str, repo: str) -> HostedRepository:
        found = self.repositories.get((instance, repo))
        if found is None:
            self.instance(instance)
            raise RepositoryNotFound(f"The {instance} instance has no repository called “{repo}”.")
        return found

    def hosted_in(self, instance: Instance) -> tuple[HostedRepository, ...]:
        """Every repository ``instance`` hosts, in the order its instance.yaml lists them."""
        return tuple(self.repositories[(instance.name, rtype.name)] for rtype in instance.repositories)

    def store(self, hosted: HostedRepository):
        return self.stores.get(hosted.instance, hosted.rtype)

    def drafts(self, hosted: HostedRepository) -> Drafts:
        """The unfinished new records people saved in one hosted repository, opened on first use and kept."""
        return self.draft_stores.get(hosted.instance, hosted.rtype)

    def records(self, hosted: HostedRepository) -> Records:
        """The write path for one hosted repository, made on first use and kept: its notices go to the
        site's accounts, their unsubscribe links signed with the app's secret key."""
        key = (hosted.instance.name, hosted.name)
        if key not in self._records:
            secret = current_app.config.get("SECRET_KEY") if has_app_context() else None
            self._records[key] = open_records(self.stores, hosted.instance, hosted.rtype,
                                              validator=hosted.validator, people=self.accounts, secret=secret)
        return self._records[key]

    def references(self, instance: Instance) -> ReferenceLookup:
        """Whether a reference names a live record of a repository of ``instance`` (see ``Records``)."""
        return live_references(self.stores, instance)

    def close(self) -> None:
        self.stores.close()
