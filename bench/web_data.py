"""Realistic QI-project records for bench/web.py, generated from the repository type and written through the store.

Values are made per field type from the type's own declarations (choices, bounds), so the data follows the
shipped YAML wherever it goes; words are drawn from a small vocabulary of improvement work so that a search
such as ``?q=discharge`` matches a realistic share (a few percent) of the records.
"""
from __future__ import annotations

import datetime as dt
import random
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


def sentence(rng: random.Random) -> str:
    return (f"{rng.choice(VERBS)} {rng.choice(TOPICS)} {rng.choice(PLACES)} using "
            f"{rng.choice(FILLER)} and {rng.choice(FILLER)}.")


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
    "text": lambda f, rng: sentence(rng).rstrip(".")[: f.max_length or 250],
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


def record_values(rtype, rng: random.Random) -> dict[str, Any]:
    return {f.name: GENERATORS[f.type_name](f, rng) for f in rtype.fields if f.type_name in GENERATORS}


def find_qi_instance(env: Mapping[str, str], repository: str = "qi-project"):
    """The first shipped instance hosting the repository, and its (possibly adapted) repository type."""
    from engine.config import Paths
    from engine.fields import default_registry
    from engine.schema import load_project

    project = load_project(Paths.from_env(env["REPO_ENGINE_SCHEMAS"], env["REPO_ENGINE_INSTANCES"],
                                          env["REPO_ENGINE_DATA"]), default_registry())
    for name in sorted(project.instances):
        instance = project.instances[name]
        if instance.has_repository(repository):
            return instance, instance.repository(repository)
    raise SystemExit(f"no instance hosts {repository}")


def fill_store(env: Mapping[str, str], instance, rtype, count: int, seed: int = 42) -> None:
    """Write ``count`` records straight through the store (the web app is not running yet)."""
    from engine.config import Paths
    from engine.store import Stores

    rng = random.Random(seed)
    stores = Stores(Paths.from_env(env["REPO_ENGINE_SCHEMAS"], env["REPO_ENGINE_INSTANCES"],
                                   env["REPO_ENGINE_DATA"]))
    try:
        store = stores.get(instance, rtype)
        people = PEOPLE
        statuses = rtype.status_names
        for _ in range(count):
            store.insert(record_values(rtype, rng), user=rng.choice(people), status=rng.choice(statuses))
    finally:
        stores.close()
