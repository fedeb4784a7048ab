"""Instances: ``instances/<name>/instance.yaml`` read, checked and frozen with the types each one hosts."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from engine.schema import meta
from engine.schema.build import source_of
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


def _instance(name: str, spot: Spot, types: "TypeSet", problems: Problems) -> Instance | None:
    data = spot.doc.data
    hosted: dict[str, tuple[RepositoryType, Spot]] = {}
    ok = True
    for index, entry in enumerate(data["repositories"]):
        entry_spot = spot / "repositories" / index
        rtype = _hosted_type(entry, entry_spot, types, problems)
        if rtype is None:
            ok = False
        elif rtype.name in hosted:
            problems.add(entry_spot, f"repository '{rtype.name}' is hosted twice; give the adapted one its own "
                                     "'name'")
            ok = False
        else:
            hosted[rtype.name] = (rtype, entry_spot)
    if not (_targets_hosted(hosted, problems) and ok):
        return None
    return Instance(name=name, title=data["title"], description=data.get("description", ""),
                    repositories=tuple(rtype for rtype, _ in hosted.values()),
                    organisation=data.get("organisation", ""), access=Access(**data.get("access", {})),
                    source=source_of(spot))


def _hosted_type(entry, spot: Spot, types: "TypeSet", problems: Problems) -> RepositoryType | None:
    if isinstance(entry, dict):
        return types.adapted(spot, entry)
    if entry in types.frozen:
        return types.frozen[entry]
    if entry not in types.names:
        problems.add(spot, f"repository '{entry}' is not a repository type{did_you_mean(entry, types.names)}")
    return None     # a named type that is broken has been reported in its own file


def _targets_hosted(hosted: dict[str, tuple[RepositoryType, Spot]], problems: Problems) -> bool:
    """A reference field links records of the same instance, so its target must be hosted here too."""
    ok = True
    for rtype, spot in hosted.values():
        for field in rtype.fields:
            if field.target is not None and field.target not in hosted:
                problems.add(spot, f"repository '{rtype.name}': field '{field.name}' refers to '{field.target}', "
                                   f"which this instance does not host; add '{field.target}' to 'repositories'")
                ok = False
    return ok

