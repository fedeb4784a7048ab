"""Realistic QI-project records for bench/web.py, generated from the repository type and written through the store.

Values are made per field type from the type's own declarations (choices, bounds), so the data follows the
shipped YAML wherever it goes; words are drawn from a small vocabulary of improvement work so that a search
such as ``?q=discharge`` matches a realistic share of the records (titles and keywords: about one in ten).
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any, Callable, Mapping

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


def find_qi_instance(env: Mapping[str, str], instance: str = "quality-improvement", repository: str = "qi-project"):
    """The shipped Quality Improvement Team instance and its repository type, loaded as the app loads them."""
    from engine.config import Paths
    from engine.fields import default_registry
    from engine.schema import load_project

    project = load_project(Paths.from_env(env["REPO_ENGINE_SCHEMAS"], env["REPO_ENGINE_INSTANCES"],
                                          env["REPO_ENGINE_DATA"]), default_registry())
    hosting = project.instances[instance]
    return hosting, hosting.repository(repository)


def fill_store(env: Mapping[str, str], instance, rtype, count: int, seed: int = 42) -> Path:
    """Write ``count`` valid records into a fresh store in one commit; returns the store's file.

    Inserting them one by one would rewrite the whole file ``count`` times (about ten minutes at 10k), so,
    as bench/store.py does, the records go through the store's own layers (value cleaning, version docs,
    snapshot, durable file replace) in a single commit. Every record first passes the record validator.
    """
    from engine.config import Paths
    from engine.schema.compile import RecordValidator
    from engine.store import Stores
    from engine.store.cache import HISTORY, META, META_ID, RECORDS, Snapshot
    from engine.store.documents import format_reference, stamp, storable_values
    from engine.store.durable import replace_file
    from engine.store.history import version_doc

    rng = random.Random(seed)
    validator = RecordValidator(rtype)
    labels = {field.name: field.label for field in rtype.fields}
    stores = Stores(Paths.from_env(env["REPO_ENGINE_SCHEMAS"], env["REPO_ENGINE_INSTANCES"],
                                   env["REPO_ENGINE_DATA"]))
    try:
        path = stores.get(instance, rtype).path
    finally:
        stores.close()
    records, history = {}, {}
    for number in range(1, count + 1):
        status = rng.choice(rtype.status_names)
        values = record_values(rtype, rng, status)
        problems = validator.validate(values, status)
        assert not problems, f"generated record {number} is invalid: {problems}"
        created = dt.datetime(2021, 1, 1, 9, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=number * 263)
        updated = created + dt.timedelta(days=rng.randrange(0, 120), minutes=rng.randrange(0, 600))
        who = rng.choice(PEOPLE)
        doc = {"reference": format_reference(rtype.reference_prefix, number), "status": status,
               "created": stamp(created), "created_by": who, "updated": stamp(updated), "updated_by": who,
               "version": 1, "deleted": False, **storable_values(values, labels)}
        records[str(number)] = doc
        history[str(number)] = version_doc(doc, "created", {})
    snapshot = Snapshot.empty().apply({RECORDS: records, HISTORY: history,
                                       META: {META_ID: {"next_reference": count + 1}}})
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, snapshot.chunks())
    return path
