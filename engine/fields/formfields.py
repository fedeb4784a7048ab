"""WTForms fields the field types build: the NHS.UK date input, numbers and keywords typed as text, choices
where choosing nothing is allowed, checkboxes, and the file type/size check.

None of them says a value is required: the record validator does, so every "is required" message has one
source. They do report input that cannot be read at all ("must be a real date", "must be a number").
"""
from __future__ import annotations

import os
import re
from datetime import date
from typing import Iterable

from markupsafe import Markup
from werkzeug.datastructures import FileStorage
from wtforms import Field, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.utils import unset_value
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from engine.fields.values import as_list, parse_number, unique


class DateInputWidget:
    """A plain rendering of the three boxes; the web templates use the NHS.UK date input with ``field.parts``."""

    def __call__(self, field: "DateInputField", **kwargs) -> Markup:
        boxes = [
            Markup('<label for="{0}-{1}">{2}</label> <input id="{0}-{1}" name="{3}-{1}" inputmode="numeric" '
                   'value="{4}">').format(field.id, part, part.title(), field.name, field.parts[part])
            for part in DateInputField.PARTS
        ]
        return Markup(" ").join(boxes)


class DateInputField(Field):
    """Day, month and year boxes posted as ``<name>-day``, ``<name>-month``, ``<name>-year``.

    ``data`` is a ``datetime.date`` or None; ``parts`` holds what was typed so a refused form shows it back.
    """

    PARTS = ("day", "month", "year")
    widget = DateInputWidget()

    def process(self, formdata, data=unset_value, extra_filters=None):
        # The three inputs are not named after the field, so process_formdata reads them from here.
        self._formdata = formdata
        super().process(formdata, data, extra_filters)

    def process_data(self, value):
        self.data = value if isinstance(value, date) else None
        if self.data is None:
            self.parts = dict.fromkeys(self.PARTS, "")
        else:
            self.parts = {"day": str(value.day), "month": str(value.month), "year": str(value.year)}

    def process_formdata(self, valuelist):
        self.parts = {part: (self._formdata.get(f"{self.name}-{part}") or "").strip() for part in self.PARTS}
        self.data = None
        if any(self.parts.values()):
            self.data = self._read_parts()

    def _read_parts(self) -> date:
        label = self.label.text
        missing = [part for part in self.PARTS if not self.parts[part]]
        if missing:
            raise ValueError(f"{label} must include a {' and '.join(missing)}")
        if not all(self.parts[part].isdigit() for part in self.PARTS):
            raise ValueError(f"{label} must be a real date")
        if len(self.parts["year"]) != 4:
            raise ValueError(f"{label} must include a year with 4 numbers, like 2025")
        try:
            return date(int(self.parts["year"]), int(self.parts["month"]), int(self.parts["day"]))
        except (ValueError, OverflowError):     # a day of 20 digits overflows before it is out of range
            raise ValueError(f"{label} must be a real date") from None


class TypedTextField(StringField):
    """A text box whose text is read into another value; what was typed is shown back when it is refused."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.show(self.data) if self.data is not None else ""

    def show(self, data) -> str:
        return str(data)


class NumberInputField(TypedTextField):
    """A number typed as text (the NHS.UK way: ``inputmode``, not ``type=number``); ``data`` is int, float or None."""

    def __init__(self, label=None, validators=None, integer: bool = False, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric" if integer else "decimal", "spellcheck": "false"})
        super().__init__(label, validators, **kwargs)
        self.integer = integer

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_number(valuelist[0], integer=self.integer)
            except ValueError:
                kind = "a whole number" if self.integer else "a number"
                raise ValueError(f"{self.label.text} must be {kind}") from None


_COMMAS = re.compile(r"\s*,\s*")


class TagsInputField(TypedTextField):
    """Keywords typed in one box, separated by commas; ``data`` is a list of distinct keywords."""

    def process_formdata(self, valuelist):
        text = valuelist[0] if valuelist else ""
        self.data = unique(tag for tag in _COMMAS.split(text.strip()) if tag)

    def show(self, data) -> str:
        return ", ".join(as_list(data))


def options(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as the options of a radio, select or checkbox field."""
    return [SelectChoice(value, label) for value, label in pairs]


class OptionalChoice:
    """Choosing nothing is not an error here; choosing something that is not offered still is."""

    def pre_validate(self, form):
        if self.data in (None, "", []):
            return
        super().pre_validate(form)


class RadioChoiceField(OptionalChoice, RadioField):
    """Radios for a short list of options."""


class SelectChoiceField(OptionalChoice, SelectField):
    """A drop-down for a long list of options (the first option is blank)."""


class CheckboxesField(SelectMultipleField):
    """A checkbox per option; ``data`` is the list of chosen values."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AcceptedFiles:
    """Refuses an uploaded file whose extension or size the field does not accept, naming the file."""

    def __init__(self, accept: tuple[str, ...], max_size_mb: float):
        self.accept = tuple(ext.lower() for ext in accept)
        self.max_size_mb = max_size_mb

    def __call__(self, form, field):
        for upload in as_list(field.data):
            if isinstance(upload, FileStorage) and upload.filename:
                self._check(upload)

    def _check(self, upload: FileStorage) -> None:
        extension = os.path.splitext(upload.filename)[1].lower()
        if self.accept and extension not in self.accept:
            kinds = " or ".join(ext.lstrip(".").upper() for ext in self.accept)
            raise ValidationError(f"{upload.filename} must be a {kinds} file")
        upload.stream.seek(0, os.SEEK_END)
        size = upload.stream.tell()
        upload.stream.seek(0)
        if size > self.max_size_mb * 1024 * 1024:
            raise ValidationError(f"{upload.filename} must be smaller than {self.max_size_mb:g}MB")
