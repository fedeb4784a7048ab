"""Reference prefixes: which one a type numbers its records with, where it is said, and why two may not share one."""
from __future__ import annotations

from engine.schema.build import reference_prefix
from engine.schema.draft import TypeDraft
from engine.schema.problems import Spot


def usable_prefix(draft: TypeDraft) -> str | None:
    """The draft's reference prefix; None when the one written was unusable (and so already reported)."""
    return None if "reference_prefix" in draft.unusable else reference_prefix(draft)


def prefix_spot(draft: TypeDraft) -> Spot:
    """Where a type's prefix is said: its ``reference_prefix`` when written in its own file, else its name."""
    spot = draft.spots.get("reference_prefix")
    return spot if spot is not None and spot.doc is draft.origin.doc else draft.origin / "name"


def prefix_clash(draft: TypeDraft, prefix: str, other: str, where: Spot) -> str:
    """Why ``draft`` may not number its records with ``prefix``: whose it already is, and what to do."""
    spot = draft.spots.get("reference_prefix")
    if spot is None:
        came = f" (made from the initials of '{draft.name}', as no reference_prefix is given)"
    else:
        came = "" if spot.doc is draft.origin.doc else f" (inherited from '{draft.extends}')"
    return (f"reference prefix '{prefix}'{came} is already used by {other} (at {where}): records of both would "
            f"be numbered {prefix}-0001, {prefix}-0002, ...; set reference_prefix to one of its own")
