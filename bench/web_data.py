"""Realistic QI-project records for the benchmarks, made from the repository type, and the file that holds them.

Values are made per field type from the type's own declarations (choices, bounds), so the data follows the
shipped YAML wherever it goes; words are drawn from a small vocabulary of improvement work so that a search
such as ``?q=discharge`` matches a realistic share of the records (titles and keywords: about one in ten).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

TOPICS = ("discharge", "falls", "sepsis", "handover", "medication", "pressure ulcers", "nutrition", "theatre",
          "outpatients", "delirium", "catheter", "hydration", "waiting times", "frailty", "antibiotics",
          "deterioration", "NEWS2", "maternity", "transfusion", "infection control", "documentation",
          "virtual wards", "pharmacy", "referrals", "mental health", "end of life care", "stroke", "diabetes")
VERBS = ("Reducing", "Improving", "Standardising", "Speeding up", "Auditing", "Redesigning", "Measuring")
PLACES = ("on Ward 7", "in the emergency department", "in theatres", "in outpatients", "across medicine",
          "in the community", "on the stroke unit", "in maternity", "in ICU", "in paediatrics")
PEOPLE = ("Amira Patel", "John Smith", "Grace Okafor", "Liam O'Neill", "Sofia Rossi", "Chen Wei", "Aisha Khan",
          "Tom Davies", "Maria Garcia", "Oliver Brown", "Fatima Ali", "George Evans")
FILLER = ("the team", "patients", "staff", "baseline data", "a PDSA cycle", "weekly huddles", "a new checklist",
          "audit results", "feedback", "the pathway", "run charts", "the bundle")


def title(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)} {rng.choice(TOPICS)} {rng.choice(PLACES)}"


def sentence(rng: random.Random) -> str:
    """Free text without the topic words, so that a topic search matches titles and keywords, not everything."""
    return f"{rng.choice(VERBS)} the work {rng.choice(PLACES)} using {rng.choice(FILLER)} and {rng.choice(FILLER)}."


def a_date(field, rng: random.Random) -> str:
    low = dt.date.fromisoformat(str(field.minimum)) if isinstance(field.minimum, str) else dt.date(2019, 1, 1)
    return (low + dt.timedelta(days=rng.randrange(2500))).isoformat()


def a_number(field, rng: random.Random) -> float | int:
    low = field.minimum if field.minimum is not None else 0
    high = field.maximum if field.maximum is not None else 500
    return rng.randint(int(low), int(high)) if field.integer else round(rng.uniform(low, high), 1)


def some_choices(field, rng: random.Random) -> list[str]:
    return rng.sample(field.choice_values, k=min(len(field.choice_values), rng.randint(1, 2)))


#: One generator per field type; file and reference fields stay empty (no attachments, no links).
GENERATORS: dict[str, Callable[[Any, random.Random], Any]] = {
    "text": lambda f, rng: title(rng)[: f.max_length or 250],
    "textarea": lambda f, rng: " ".join(sentence(rng) for _ in range(rng.randint(2, 6))),
    "number": a_number,
    "date": a_date,
    "choice": lambda f, rng: rng.choice(f.choice_values),
    "multichoice": some_choices,
    "boolean": lambda f, rng: rng.random() < 0.5,
    "email": lambda f, rng: f"{rng.choice(PEOPLE).split()[0].lower()}.{rng.randint(1, 99)}@example.nhs.uk",
    "url": lambda f, rng: f"https://intranet.example.nhs.uk/qi/{rng.randint(1, 9999)}",
    "person": lambda f, rng: rng.choice(PEOPLE),
    "tags": lambda f, rng: rng.sample(TOPICS, k=rng.randint(1, 3)),
}


def record_values(rtype, rng: random.Random, status: str = "") -> dict[str, Any]:
    """Every field a generator exists for, except those the form would hide (``show_when`` not holding)."""
    values = {f.name: GENERATORS[f.type_name](f, rng) for f in rtype.fields if f.type_name in GENERATORS}
    context = {**values, "status": status}
    return {name: value for name, value in values.items()
            if rtype.field(name).show_when is None or rtype.field(name).show_when.holds(context)}


def form_values(rtype, rng: random.Random) -> list[tuple[str, str]]:
    """What the browser posts for the always-required fields of the new-record form."""
    pairs: list[tuple[str, str]] = []
    for field in rtype.fields:
        if field.required and field.type_name in GENERATORS:
            pairs += form_pairs(field, GENERATORS[field.type_name](field, rng))
    return pairs


def form_pairs(field, value: Any) -> list[tuple[str, str]]:
    if field.type_name == "date":    # the NHS date input posts three boxes
        year, month, day = value.split("-")
        return [(f"{field.name}-day", day), (f"{field.name}-month", month), (f"{field.name}-year", year)]
    if isinstance(value, list):
        return [(field.name, str(item)) for item in value]
    return [(field.name, "y" if value is True else str(value))]


def edit_pairs(rtype, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the browser posts when the edit form is saved holding ``values`` (every field the form shows)."""
    pairs: list[tuple[str, str]] = []
    for field in rtype.fields:
        value = values.get(field.name)
        if value is None or value is False:     # an unticked checkbox posts nothing
            continue
        if field.type_name == "tags":           # one box, keywords separated by commas
            value = ", ".join(value)
        pairs += form_pairs(field, value)
    return pairs


def find_qi_instance(env: Mapping[str, str], instance: str = "quality-improvement", repository: str = "qi-project"):
    """The shipped Quality Improvement Team instance and its repository type, loaded as the app loads them."""
    from engine.config import Paths
    from engine.fields import default_registry
    from engine.schema import load_project

    project = load_project(Paths.from_env(env["REPO_ENGINE_SCHEMAS"], env["REPO_ENGINE_INSTANCES"],
                                          env["REPO_ENGINE_DATA"]), default_registry())
    hosting = project.instances[instance]
    return hosting, hosting.repository(repository)


def write_records_file(path: Path, docs: Sequence[dict[str, Any]]) -> None:
    """Write record documents, numbered 1, 2, ... in order, as a repository file in plain TinyDB layout, each
    record with the history document of its first version.

    This is the layout older versions of the store wrote (tables by name, documents by id, nothing beside the
    file), which the store adopts when it first opens the repository; so the data is made without going
    through the store's own machinery. Inserting the records one by one would take far longer than the
    measurements themselves.
    """
    from engine.store.history import version_doc

    tables = {
        "records": {str(number): doc for number, doc in enumerate(docs, 1)},
        "history": {str(number): version_doc(doc, "created", {}) for number, doc in enumerate(docs, 1)},
        "attachments": {},
        "meta": {"1": {"next_reference": len(docs) + 1}},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        json.dump(tables, out)
        out.flush()
        os.fsync(out.fileno())


def fill_store(env: Mapping[str, str], instance, rtype, count: int, seed: int = 42) -> list[dict[str, Any]]:
    """Write ``count`` valid records as the repository's file, before any store has opened it; returns the
    record documents, in reference order. Every record first passes the record validator."""
    from engine.config import Paths
    from engine.schema.compile import RecordValidator
    from engine.store.documents import format_reference, stamp, storable_values

    rng = random.Random(seed)
    validator = RecordValidator(rtype)
    labels = {field.name: field.label for field in rtype.fields}
    paths = Paths.from_env(env["REPO_ENGINE_SCHEMAS"], env["REPO_ENGINE_INSTANCES"], env["REPO_ENGINE_DATA"])
    docs = []
    for number in range(1, count + 1):
        status = rng.choice(rtype.status_names)
        values = record_values(rtype, rng, status)
        problems = validator.validate(values, status)
        assert not problems, f"generated record {number} is invalid: {problems}"
        created = dt.datetime(2021, 1, 1, 9, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=number * 263)
        updated = created + dt.timedelta(days=rng.randrange(0, 120), minutes=rng.randrange(0, 600))
        who = rng.choice(PEOPLE)
        docs.append({"reference": format_reference(rtype.reference_prefix, number), "status": status,
                     "created": stamp(created), "created_by": who, "updated": stamp(updated), "updated_by": who,
                     "version": 1, "deleted": False, **storable_values(values, labels)})
    write_records_file(paths.instance_data(instance.name) / rtype.name / "records.json", docs)
    return docs
