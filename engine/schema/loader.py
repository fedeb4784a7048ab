"""``load_project``: every repository type and instance read, validated, checked, resolved and frozen.

Every problem in every file is collected before failing, so one run of ``repo-engine check`` lists them all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from engine.config import Paths
from engine.errors import SchemaError
from engine.fields.base import FieldTypeRegistry
from engine.schema import meta
from engine.schema.checks import TypeChecker
from engine.schema.prefixes import prefix_clash, prefix_spot, usable_prefix
from engine.schema.draft import TypeDraft, adapt
from engine.schema.instances import load_instances
from engine.schema.model import Project, RepositoryType
from engine.schema.problems import Problems, Spot, did_you_mean, read_yaml
from engine.schema.thesaurus import THESAURUS_FILE, load_thesaurus
from engine.schema.yamlfile import display_path


def load_project(paths: Paths, registry: FieldTypeRegistry) -> Project:
    """The whole project, frozen; raises ``SchemaError`` listing every ``file:line: message`` found."""
    for folder in (paths.schemas, paths.instances):
        if not Path(folder).is_dir():
            raise SchemaError([f"{display_path(folder)}: folder not found"])
    problems = Problems()
    types = TypeSet(registry, problems)
    types.read_folder(Path(paths.schemas))
    types.resolve_all()
    instances = load_instances(Path(paths.instances), types, problems)
    thesaurus = load_thesaurus(Path(paths.schemas), problems)
    if problems:
        raise SchemaError(problems.lines())
    return Project(types=MappingProxyType(dict(types.frozen)), instances=MappingProxyType(instances),
                   thesaurus=thesaurus)


@dataclass
class TypeSet:
    """The repository types of ``schemas/``: raw documents, their resolved drafts and frozen types."""
    registry: FieldTypeRegistry
    problems: Problems
    raw: dict[str, Spot] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)     # named, but unusable: already reported
    drafts: dict[str, TypeDraft | None] = field(default_factory=dict)
    frozen: dict[str, RepositoryType] = field(default_factory=dict)

    @property
    def names(self) -> set[str]:
        return set(self.raw) | self.broken

    def read_folder(self, folder: Path) -> None:
        for path in sorted(folder.glob("*.yaml")):
            if path.name == THESAURUS_FILE:         # search's thesaurus, not a repository type
                continue
            read = read_yaml(path, self.problems)
            spot = read and meta.validate(read, meta.REPOSITORY_TYPE, self.problems)
            if spot is not None:
                self._register(spot, path)
            else:
                self.broken.add(path.stem)

    def _register(self, spot: Spot, path: Path) -> None:
        name = spot.doc.data["name"]
        if name != path.stem and ("name",) not in spot.doc.unusable:
            self.problems.add(spot / "name", f"name '{name}' must match the file name: rename the file to "
                                             f"'{name}.yaml' or the type to '{path.stem}'")
        if name in self.raw:
            self.problems.add(spot / "name", f"repository type '{name}' is already defined in "
                                             f"{self.raw[name].doc.shown_path}")
            return
        self.raw[name] = spot

    def resolve_all(self) -> None:
        drafts = [self.resolve(name, (name,)) for name in self.raw]
        # Parents first, so a child does not report again the problems its parent has itself.
        for draft in sorted(filter(None, drafts), key=self._depth):
            checked = TypeChecker(draft, self.registry, self.names, self.problems).result()
            if checked is not None:
                self.frozen[draft.name] = checked
        self._check_prefixes([draft for draft in drafts if draft is not None])

    def _check_prefixes(self, drafts: list[TypeDraft]) -> None:
        """Records are quoted by reference across the trust (search, exports, mail): two unrelated types may
        not number them alike. A type built on another (``extends``) may keep its family's prefix; hosting
        both in one instance is checked there."""
        taken: dict[str, TypeDraft] = {}
        for draft in drafts:
            prefix = usable_prefix(draft)
            other = taken.get(prefix) if prefix else None
            if other is not None and self._family(other) != self._family(draft):
                self.problems.add(prefix_spot(draft), prefix_clash(draft, prefix, f"repository type '{other.name}'",
                                                                   prefix_spot(other)))
            elif prefix:
                taken.setdefault(prefix, draft)

    def _family(self, draft: TypeDraft) -> str:
        """The type at the root of ``draft``'s ``extends`` chain."""
        return draft.name if draft.extends is None else self._family(self.drafts[draft.extends])

    def _depth(self, draft: TypeDraft) -> int:
        return 0 if draft.extends is None else 1 + self._depth(self.drafts[draft.extends])

    def resolve(self, name: str, chain: tuple[str, ...]) -> TypeDraft | None:
        """The draft of ``name`` with its ``extends`` chain merged in; None when it cannot be resolved."""
        if name not in self.drafts:
            spot = self.raw[name]
            if ("extends",) in spot.doc.unusable:    # reported; what it would inherit is unknown
                self.drafts[name] = None
                return None
            parent = self.parent_draft(spot, spot.doc.data.get("extends"), chain)
            failed = parent is False
            self.drafts[name] = None if failed else adapt(parent or None, spot, spot.doc.data, self.problems)
        return self.drafts[name]

    def parent_draft(self, spot: Spot, parent: str | None, chain: tuple[str, ...]) -> TypeDraft | None | bool:
        """The parent's draft; None when there is no parent; False when it is unknown, broken or circular."""
        if parent is None:
            return None
        if parent in chain:
            cycle = " -> ".join((*chain[chain.index(parent):], parent))
            self.problems.add(spot / "extends", f"'extends' goes round in a circle: {cycle}")
            return False
        if parent not in self.raw:
            if parent not in self.broken:
                self.problems.add(spot / "extends", f"'extends' names '{parent}', which is not a repository "
                                                    f"type{did_you_mean(parent, self.names)}")
            return False
        resolved = self.resolve(parent, (*chain, parent))
        return False if resolved is None else resolved

    def adapted(self, spot: Spot, data: dict[str, Any]) -> tuple[TypeDraft | None, RepositoryType | None]:
        """A type adapted inline by an instance: its draft (None when its parent is unusable) and the type
        checked and frozen (None after reporting problems)."""
        if "extends" in spot.doc.unusable_keys(spot.path):
            return None, None
        parent = self.parent_draft(spot, data["extends"], ())
        if parent is False or parent is None:
            return None, None
        draft = adapt(parent, spot, data, self.problems)
        return draft, TypeChecker(draft, self.registry, self.names, self.problems).result()
