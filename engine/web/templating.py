"""Jinja set-up: templates compiled once, and the few helpers templates call (formatting, asset URLs,
the options of a reference picker, the repositories a page could not read)."""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request

from engine.schema.model import Choice, Field, Instance
from engine.web.columns import when
from engine.web.finding import similar_message
from engine.web.listing import page_window
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


def record_exists(instance: Instance, target: str, reference: str) -> bool | None:
    """Is ``reference`` a live record of ``target`` here? A record page links only those: old data may name a
    record that was since deleted or never existed, shown as its reference without a dead link. None when
    ``target``'s data cannot be read, so nobody can say."""
    site = current_app.extensions["repo_engine"]
    if not instance.has_repository(target):
        return False
    return read_or(site.repository(instance.name, target),
                   lambda _: site.references(instance)(target, reference), None)


def configure(app: Flask, *, frontend_version: str) -> None:
    env = app.jinja_env
    env.auto_reload = app.debug         # templates are compiled once and kept, except while developing
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.filters.update(when=when, as_text=as_text, form_text=form_text,
                       selected=selected)

    def asset_url(path: str) -> str:
        # Built by hand, not url_for: every page asks for several and the answer never changes.
        return f"{request.script_root}/assets/{path}?v={frontend_version}"

    env.globals.update(asset_url=asset_url, reference_options=reference_options, record_exists=record_exists,
                       form_choices=form_choices, earlier_values=earlier_values,
                       page_window=page_window, similar_message=similar_message, left_out=left_out,
                       frontend_css=f"nhsuk-frontend-{frontend_version}.min.css",
                       frontend_js=f"nhsuk-frontend-{frontend_version}.min.js")
