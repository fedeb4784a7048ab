"""Jinja set-up: templates compiled once, and the few helpers templates call (formatting, asset URLs,
the options of a reference picker, the repositories a page could not read, people's names)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlencode

from flask import Flask, current_app, g, request, url_for

from engine.fields.values import lower_first, plural, with_article
from engine.errors import RecordNotFound
from engine.schema.model import Choice, Field, Instance, Section
from engine.web.columns import when
from engine.web.forms import optional_marks
from engine.web.finding import similar_message
from engine.web.listing import page_window
from engine.web.site import HostedRepository
from engine.web.unreadable import left_out, read_or


def form_text(bound) -> str:
    """What a text-like input shows: exactly what was typed when the form came back, else the value."""
    if bound.raw_data:
        return bound.raw_data[0]
    value = bound._value() if hasattr(bound, "_value") else bound.data
    return as_text(value)


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def selected(bound) -> frozenset[str]:
    """The values a choice-like input has ticked, as strings."""
    data = bound.data
    if data is None:
        return frozenset()
    if isinstance(data, (list, tuple, set, frozenset)):
        return frozenset(str(v) for v in data)
    return frozenset({str(data)})


def form_choices(field, chosen: frozenset[str]) -> tuple[Choice, ...]:
    """The options a form offers for ``field``: today's, then any value the record holds that is no longer
    offered (retired, or since removed from the type), so that an edit keeps it unless the person changes it."""
    offered = field.offered_choices
    values = {choice.value for choice in offered}
    held = [Choice(value, f"{field.choice_label(value)} (no longer offered)") for value in sorted(chosen)
            if value not in values]
    return (*offered, *held)


def earlier_values(rtype, record) -> list[tuple[str, Any]]:
    """Values a record holds under names its type no longer has (a field removed without a path): shown as
    they were, so that nothing a person saved vanishes from the record page."""
    return [(name, value) for name, value in record.values.items()
            if name not in rtype.field_map and value not in (None, "", [])]


#: Above this many records a drop-down stops helping: the picker becomes a box to type the reference in.
PICKER_LIMIT = 500


def reference_options(instance: Instance, field: Field) -> list[tuple[str, str]] | None:
    """Records of the field's target repository in the same instance, for a reference picker; None when
    there are too many to list, or the target's data cannot be read (the reference is then typed)."""
    site = current_app.extensions["repo_engine"]
    target = site.repository(instance.name, field.target)

    def options(target) -> list[tuple[str, str]] | None:
        store = site.store(target)
        if store.count() > PICKER_LIMIT:
            return None
        return [(r.reference, f"{r.reference}: {target.title_of(r)}") for r in store.iter_all()]
    return read_or(target, options, None)


@dataclass(frozen=True)
class LinkedRecord:
    """A live record a reference names, as its link says it: "QI-0001: Reducing falls"."""
    reference: str
    title: str

    @property
    def words(self) -> str:
        return self.reference if self.title == self.reference else f"{self.reference}: {self.title}"


def linked_record(instance: Instance, target: str, reference: str) -> LinkedRecord | bool | None:
    """The live record ``reference`` names in ``target`` here, for a record page to link to by reference and
    title. False when there is none: old data may name a record that was since deleted or never existed, shown
    as its reference without a dead link. None when ``target``'s data cannot be read, so nobody can say."""
    site = current_app.extensions["repo_engine"]
    if not instance.has_repository(target):
        return False
    hosted = site.repository(instance.name, target)

    def find(hosted: HostedRepository) -> LinkedRecord | bool:
        try:
            return LinkedRecord(reference, hosted.title_of(site.store(hosted).get(reference)))
        except RecordNotFound:
            return False
    return read_or(hosted, find, None)


def record_sections(hosted: HostedRepository, record) -> list[tuple[Section | None, tuple[Field, ...]]]:
    """The record page's fields by section (``HostedRepository.record_groups``), leaving out each field its
    ``show_when`` hides and that holds nothing; a section left with no field is left out with its heading."""
    shown = []
    for section, fields in hosted.record_groups:
        kept = tuple(f for f in fields if not f.kind.is_empty(record.values.get(f.name))
                     or hosted.validator.shown(f, record.values, record.status))
        if kept:
            shown.append((section, kept))
    return shown


def filter_link(hosted: HostedRepository, field: Field) -> Callable[[str], str]:
    """The browse page of ``hosted`` filtered on one of ``field``'s facet keys, for a value shown as a link."""
    base = url_for("browse.browse", instance=hosted.instance.name, repo=hosted.name)
    return lambda key: f"{base}?{urlencode({field.name: key})}"


def person_name(username: str | None) -> str:
    """The name a person is shown by: their account's display name ("Chris Jones"), else what was stored
    (an imported record's creator who has no account here, a sample's "seed"). Records keep usernames, so a
    name changed on the account shows everywhere at once; each name is looked up once per request."""
    if not username:
        return ""
    known = g.setdefault("person_names", {})
    if username not in known:
        account = current_app.extensions["repo_engine"].accounts.get(username)
        known[username] = account.display_name if account else username
    return known[username]


def configure(app: Flask, *, frontend_version: str) -> None:
    env = app.jinja_env
    env.auto_reload = app.debug         # templates are compiled once and kept, except while developing
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters.update(when=when, as_text=as_text, form_text=form_text, selected=selected,
                       person_name=person_name, lower_first=lower_first, with_article=with_article,
                       plural=plural)

    def asset_url(path: str) -> str:
        # Built by hand, not url_for: every page asks for several and the answer never changes.
        return f"{request.script_root}/assets/{path}?v={frontend_version}"

    env.globals.update(asset_url=asset_url, reference_options=reference_options, linked_record=linked_record,
                       form_choices=form_choices, earlier_values=earlier_values, optional_marks=optional_marks,
                       record_sections=record_sections, filter_link=filter_link,
                       page_window=page_window, similar_message=similar_message, left_out=left_out,
                       frontend_css=f"nhsuk-frontend-{frontend_version}.min.css",
                       frontend_js=f"nhsuk-frontend-{frontend_version}.min.js")
