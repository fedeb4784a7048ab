"""Each type's form field, bound into a form and posted as a browser would: the stored value, or the error."""
from __future__ import annotations

from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage

from fieldkit import PRIORITIES, REGISTRY, SAMPLES, bind, make_field
from engine.schema.model import Choice

NINE = tuple(Choice(f"d{i}", f"Division {i}") for i in range(9))
QI = {"target": "qi-project"}

#: type, field keys, what the browser posts (field name "f"), the stored value
POSTED = [
    ("text", {}, {"f": "  Falls audit  "}, "Falls audit"),
    ("textarea", {}, {"f": "Aims\r\n\r\nMethod"}, "Aims\n\nMethod"),
    ("number", {}, {"f": "1,234"}, 1234),
    ("number", {}, {"f": " 2.5 "}, 2.5),
    ("number", {"integer": True}, {"f": "12"}, 12),
    ("date", {}, {"f-day": "5", "f-month": "3", "f-year": "2026"}, "2026-03-05"),
    ("date", {}, {"f-day": "29", "f-month": "02", "f-year": "2024"}, "2024-02-29"),
    ("choice", {"choices": PRIORITIES}, {"f": "medium"}, "medium"),
    ("choice", {"choices": NINE}, {"f": "d8"}, "d8"),
    ("multichoice", {"choices": PRIORITIES}, {"f": ["low", "high"]}, ["low", "high"]),
    ("boolean", {}, {"f": "y"}, True),
    ("email", {}, {"f": "ann.lee@nhs.net "}, "ann.lee@nhs.net"),
    ("url", {}, {"f": "HTTPS://www.nhs.uk/Conditions"}, "https://www.nhs.uk/Conditions"),
    ("person", {}, {"f": "Ann Lee"}, "Ann Lee"),
    ("tags", {}, {"f": "sepsis, falls,, Sepsis , "}, ["sepsis", "falls"]),
    ("reference", QI, {"f": "QI-0002"}, "QI-0002"),
    ("reference", {**QI, "multiple": True}, {"f": ["QI-0001", "QI-0002"]}, ["QI-0001", "QI-0002"]),
]


def load_records(field, bound):
    """What the web layer does for every field at request time: the reference field lists QI records."""
    records = {"qi-project": [("QI-0001", "Falls audit"), ("QI-0002", "Sepsis screening")]}
    field.kind.load_choices(field, bound, lambda target: records[target])


@pytest.mark.parametrize("type_name, keys, posted, stored", POSTED, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSTED)])
def test_a_posted_form_gives_the_stored_value(type_name, keys, posted, stored):
    field = make_field(type_name, **keys)
    form, bound = bind(field, posted)
    load_records(field, bound)
    assert form.validate(), form.errors
    assert field.kind.from_form(field, bound.data) == stored


#: type, field keys, what the browser posts, the error shown by the field
REFUSED = [
    ("number", {}, {"f": "twelve"}, "Patients must be a number"),
    ("number", {"integer": True}, {"f": "2.5"}, "Patients must be a whole number"),
    ("number", {}, {"f": "1,2"}, "Patients must be a number"),
    ("date", {}, {"f-day": "31", "f-month": "2", "f-year": "2025"}, "Patients must be a real date"),
    ("date", {}, {"f-day": "5", "f-month": "", "f-year": "2025"}, "Patients must include a month"),
    ("date", {}, {"f-day": "", "f-month": "", "f-year": "2025"}, "Patients must include a day and month"),
    ("date", {}, {"f-day": "5", "f-month": "March", "f-year": "2025"}, "Patients must be a real date"),
    ("date", {}, {"f-day": "5", "f-month": "3", "f-year": "25"},
     "Patients must include a year with 4 numbers, like 2025"),
    ("choice", {"choices": PRIORITIES}, {"f": "urgent"}, "Select patients from the options given"),
    ("choice", {"choices": NINE}, {"f": "d9"}, "Select patients from the options given"),
    ("multichoice", {"choices": PRIORITIES}, {"f": ["low", "urgent"]}, "Select patients from the options given"),
    ("reference", QI, {"f": "QI-0042"}, "Not a valid choice."),
]


@pytest.mark.parametrize("type_name, keys, posted, error", REFUSED, ids=[f"{r[0]}-{i}" for i, r in enumerate(REFUSED)])
def test_input_that_cannot_be_read_is_a_form_error(type_name, keys, posted, error):
    field = make_field(type_name, label="Patients", **keys)
    form, bound = bind(field, posted)
    load_records(field, bound)
    assert not form.validate()
    assert bound.errors == [error]


@pytest.mark.parametrize("kind", list(REGISTRY), ids=lambda kind: kind.name)
def test_an_empty_submission_is_not_a_form_error_because_the_record_validator_owns_required(kind):
    field = make_field(kind.name, **SAMPLES[kind.name][0])
    form, bound = bind(field, {})
    load_records(field, bound)
    assert form.validate(), form.errors
    assert field.kind.from_form(field, bound.data) in (None, False)


@pytest.mark.parametrize("kind", list(REGISTRY), ids=lambda kind: kind.name)
def test_the_label_and_hint_come_from_the_schema(kind):
    field = make_field(kind.name, label="Project lead", help="Who to contact", **SAMPLES[kind.name][0])
    _, bound = bind(field)
    assert bound.label.text == "Project lead"
    assert bound.description == "Who to contact"


@pytest.mark.parametrize("type_name", ["text", "number", "date", "choice", "multichoice", "boolean", "tags",
                                       "reference", "url", "email", "person", "textarea"])
def test_a_stored_value_fills_the_edit_form_and_posts_back_unchanged(type_name):
    keys, values = SAMPLES[type_name]
    field = make_field(type_name, **keys)
    for value in values:
        _, bound = bind(field, data=field.kind.to_form(field, value))
        load_records(field, bound)
        assert field.kind.from_form(field, bound.data) == value


def test_a_date_form_shows_back_what_was_typed_when_refused():
    field = make_field("date", label="Start date")
    _, bound = bind(field, {"f-day": "31", "f-month": "2", "f-year": "2025"})
    assert bound.parts == {"day": "31", "month": "2", "year": "2025"}
    assert 'name="f-day"' in bound() and 'value="31"' in bound()


def test_a_number_form_shows_back_what_was_typed_when_refused():
    field = make_field("number")
    _, bound = bind(field, {"f": "twelve"})
    assert 'value="twelve"' in bound()


def test_short_choice_lists_are_radios_and_long_ones_a_select_with_a_blank_first():
    assert bind(make_field("choice", choices=PRIORITIES))[1].type == "RadioChoiceField"
    _, select = bind(make_field("choice", choices=NINE))
    assert select.type == "SelectChoiceField" and select.choices[0].value == ""


def test_multichoice_renders_checkboxes():
    _, bound = bind(make_field("multichoice", choices=PRIORITIES), data=["low"])
    html = bound()
    assert html.count('type="checkbox"') == 3 and html.count("checked") == 1


def upload(name: str, content: bytes = b"%PDF-1.7") -> FileStorage:
    return FileStorage(BytesIO(content), filename=name, content_type="application/pdf")


def test_uploaded_files_become_uploads_for_records_and_not_a_value():
    field = make_field("file", multiple=True, accept=(".pdf",))
    form, bound = bind(field, {"f": [upload("report.pdf"), upload("poster.pdf")]})
    assert form.validate(), form.errors
    assert [u.filename for u in field.kind.uploads(field, bound.data)] == ["report.pdf", "poster.pdf"]
    assert field.kind.from_form(field, bound.data) is None
    assert 'accept=".pdf"' in bound()


@pytest.mark.parametrize("keys, name, error", [
    ({"accept": (".pdf", ".docx")}, "virus.exe", "virus.exe must be a PDF or DOCX file"),
    ({"max_size_mb": 0.001}, "big.pdf", "big.pdf must be smaller than 0.001MB"),
])
def test_a_file_of_the_wrong_type_or_size_is_refused_by_name(keys, name, error):
    field = make_field("file", **keys)
    form, bound = bind(field, {"f": upload(name, b"x" * 2000)})
    assert not form.validate()
    assert bound.errors == [error]


def test_a_single_reference_offers_a_blank_then_the_target_records():
    field = make_field("reference", **QI)
    _, bound = bind(field)
    load_records(field, bound)
    assert [(c.value, c.label) for c in bound.choices] == [("", "Choose a record"), ("QI-0001", "QI-0001 Falls audit"),
                             ("QI-0002", "QI-0002 Sepsis screening")]
