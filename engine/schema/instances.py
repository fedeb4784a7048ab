"""Instances: ``instances/<name>/instance.yaml`` read, checked and frozen with the types each one hosts."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.schema import meta
from engine.schema.build import source_of
from engine.schema.prefixes import prefix_clash, prefix_spot, usable_prefix
from engine.schema.draft import TypeDraft
from engine.schema.model import Access, Instance, RepositoryType
from engine.schema.problems import Problems, Spot, did_you_mean, read_yaml

if TYPE_CHECKING:
    from engine.schema.loader import TypeSet

INSTANCE_FILE = "instance.yaml"
INSTANCE_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
#: First URL segments the site itself uses: an instance with one of these names could never be reached.
RESERVED_INSTANCE_NAMES = frozenset({"assets", "static", "api", "sign-in", "sign-out", "mine", "search", "account"})


def load_instances(folder: Path, types: "TypeSet", problems: Problems) -> dict[str, Instance]:
    """Every instance folder holding an ``instance.yaml``; folders without one are not instances."""
    instances: dict[str, Instance] = {}
    for path in sorted(folder.glob(f"*/{INSTANCE_FILE}")):
        read = read_yaml(path, problems)
        spot = read and meta.validate(read, meta.INSTANCE, problems)
        if spot is None:
            continue
        name = path.parent.name
        if not INSTANCE_NAME.match(name):
            problems.add(spot, f"instance folder '{name}' must be named with lowercase letters, digits and "
                               "hyphens, starting with a letter (it is used in URLs)")
            continue
        if name in RESERVED_INSTANCE_NAMES:
            problems.add(spot, f"instance folder '{name}' has a name the site uses for its own pages "
                               f"(/{name}/); choose another name")
            continue
        instance = _instance(name, spot, types, problems)
        if instance is not None:
            instances[name] = instance
    return instances


@dataclass(frozen=True)
class Hosted:
    """One entry of an instance's ``repositories``: the name it is hosted under, where it is written, its
    resolved draft (for the checks across types) and its frozen type (None when it has problems)."""
    name: str | None
    spot: Spot
    draft: TypeDraft | None = None
    rtype: RepositoryType | None = None


def _instance(name: str, spot: Spot, types: "TypeSet", problems: Problems) -> Instance | None:
    data = spot.doc.data
    hosted: dict[str, Hosted] = {}
    ok = True
    for index, entry in enumerate(data.get("repositories", [])):
        one = _hosted(entry, spot / "repositories" / index, types, problems)
        if one.name in hosted:
            problems.add(one.spot, f"repository '{one.name}' is hosted twice; give the adapted one its own 'name'")
            ok = False
        elif one.name is not None:
            hosted[one.name] = one
        ok = ok and one.rtype is not None
    if "repositories" not in spot.doc.unusable_keys(spot.path, depth=2):
        ok = _targets_hosted(hosted, types, problems) and ok
    ok = _prefixes_distinct(hosted, spot, problems) and ok
    if not ok or spot.doc.repaired:
        return None
    return Instance(name=name, title=data["title"], description=data.get("description", ""),
                    repositories=tuple(one.rtype for one in hosted.values()),
                    organisation=data.get("organisation", ""), access=Access(**data.get("access", {})),
                    source=source_of(spot))


def _hosted(entry, spot: Spot, types: "TypeSet", problems: Problems) -> Hosted:
    if isinstance(entry, dict):
        draft, rtype = types.adapted(spot, entry)
        named = entry.get("name", entry.get("extends"))
        return Hosted(draft.name if draft else named if isinstance(named, str) else None, spot, draft, rtype)
    if entry not in types.names:
        problems.add(spot, f"repository '{entry}' is not a repository type{did_you_mean(entry, types.names)}")
    # A named type that is broken has been reported in its own file.
    return Hosted(entry, spot, types.drafts.get(entry), types.frozen.get(entry))


def _targets_hosted(hosted: dict[str, Hosted], types: "TypeSet", problems: Problems) -> bool:
    """A reference field links records of the same instance, so its target must be hosted here too."""
    ok = True
    for one in hosted.values():
        for field in one.draft.fields if one.draft else ():
            target = field.values.get("target")
            if isinstance(target, str) and target in types.names and target not in hosted:
                problems.add(one.spot, f"repository '{one.name}': field '{field.name}' refers to '{target}', "
                                       f"which this instance does not host; add '{target}' to 'repositories'")
                ok = False
    return ok


def _prefixes_distinct(hosted: dict[str, Hosted], spot: Spot, problems: Problems) -> bool:
    """One instance's records are found by reference alone (links, its search): prefixes must differ."""
    ok = True
    taken: dict[str, Hosted] = {}
    for one in hosted.values():
        prefix = usable_prefix(one.draft) if one.draft else None
        first = taken.setdefault(prefix, one) if prefix else one
        if first is not one:
            where = prefix_spot(one.draft) if one.draft.origin.doc is spot.doc else one.spot
            problems.add(where, f"repository '{one.name}': " + prefix_clash(
                one.draft, prefix, f"repository '{first.name}'", prefix_spot(first.draft)))
            ok = False
    return ok
