"""YAML files read into plain data plus the line of every value, so each problem can say ``file:LINE``.

The YAML is composed into nodes (PyYAML's safe loader) and turned into dicts, lists and scalars by hand, which
is where duplicate keys are caught and where each key's line is recorded under its JSON path (a tuple of keys
and list indexes). Scalars follow YAML 1.2 as authors expect: only ``true``/``false`` are booleans (a choice
``No`` stays the text "No") and dates stay ISO strings, the form records store them in.
"""
from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: several times faster than the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """The safe loader with YAML 1.2 booleans and without timestamps."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


class YamlProblem(Exception):
    """A file that cannot be read as YAML; ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


@dataclass(frozen=True)
class Document:
    """One YAML file: its data and where each part of it was written."""
    path: Path
    data: Any
    lines: dict[tuple, int] = field(repr=False)
    #: Set by ``meta.validate`` on the copy it repairs: the paths of values that were wrong or missing and set
    #: aside, so that the rest can still be checked for meaning. A repaired document is never frozen.
    unusable: frozenset[tuple] = field(default=frozenset(), repr=False)
    repaired: bool = field(default=False, repr=False)

    @property
    def shown_path(self) -> str:
        return display_path(self.path)

    def line(self, path: tuple = ()) -> int:
        """Line of the value at ``path``, or of its nearest written ancestor (a missing key -> its mapping)."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)

    def where(self, path: tuple = ()) -> str:
        return f"{self.shown_path}:{self.line(path)}"

    def unusable_keys(self, path: tuple, depth: int | None = None) -> frozenset:
        """Keys of the mapping at ``path`` under which a value was set aside: the key's own value, or (with
        ``depth``) something at most that many levels below the mapping."""
        size = len(path)
        return frozenset(bad[size] for bad in self.unusable
                         if len(bad) > size and bad[:size] == path and (depth is None or len(bad) - size <= depth))

    def set_aside(self, drops: list[tuple], fills: dict[tuple, Any], unusable: set[tuple]) -> "Document":
        """A copy without the values at ``drops``, with ``fills`` written in, and ``unusable`` recorded.

        A list item taken out renumbers the items after it, with their lines, so every later message still
        points at the line where its value was written; the list itself is marked (``(..., "*")``) as having
        lost an item.
        """
        data, lines, bad = copy.deepcopy(self.data), dict(self.lines), set(self.unusable) | set(unusable)
        for path, value in fills.items():
            parent = _at(data, path[:-1])
            if isinstance(parent, dict):
                parent[path[-1]] = value
        for path in sorted(set(drops), key=_sort_key, reverse=True):
            parent = _at(data, path[:-1])
            if isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
                del parent[path[-1]]
                lines = {new: lines[old] for old, new in _shifted(lines, path) if new is not None}
                bad = {new for _, new in _shifted(bad, path) if new is not None} | {path[:-1] + ("*",)}
        return replace(self, data=data, lines=lines, unusable=frozenset(bad), repaired=True)


def _at(data: Any, path: tuple) -> Any:
    """The value at ``path``, or None when it is not there (taken out with an ancestor)."""
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def display_path(path: Path) -> str:
    """The path relative to the current directory when it lies below it, as authors typed it."""
    try:
        return os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


def load_document(path: Path) -> Document:
    """Read one YAML file; raise ``YamlProblem`` for tabs, syntax errors, duplicate keys or an empty file."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise _explain(error, text) from None
    if root is None:
        raise YamlProblem(1, "the file is empty")
    lines: dict[tuple, int] = {(): root.start_mark.line + 1}
    return Document(Path(path), _to_data(root, (), lines), lines)


def _explain(error: yaml.YAMLError, text: str) -> YamlProblem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    # An unclosed bracket is found at the end of the stream, one past the last line.
    line = min(mark.line + 1 if mark else 1, max(1, len(text.splitlines())))
    tab_line = _first_tab_indent(text, until=line + 1)
    if tab_line:
        return YamlProblem(tab_line, "tab characters are not allowed for indentation; indent with spaces")
    problem = getattr(error, "problem", None) or str(error)
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark and context_mark.line + 1 != line:
        # An unclosed bracket or quote is only noticed lines later: say where it was opened.
        problem += f" ({context.removeprefix('while ')} that starts on line {context_mark.line + 1})"
    return YamlProblem(line, f"YAML syntax error: {problem}")


def _first_tab_indent(text: str, until: int) -> int | None:
    """The first line (up to ``until``) whose indentation holds a tab: PyYAML's own message is cryptic."""
    for number, line in enumerate(text.splitlines()[:until], start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            return number
    return None


def _to_data(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key in result:
                first = lines[path + (key,)]
                raise YamlProblem(key_node.start_mark.line + 1, f"duplicate key '{key}' (first given on line {first})")
            lines[path + (key,)] = key_node.start_mark.line + 1
            result[key] = _to_data(value_node, path + (key,), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            items.append(_to_data(item, path + (index,), lines))
        return items
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise YamlProblem(node.start_mark.line + 1, "a key must be a plain word, not a list or mapping")
    return _Loader.construct_object(_CONSTRUCTOR, node)


_CONSTRUCTOR = _Loader("")


def _sort_key(path: tuple) -> list:
    return [(isinstance(part, str), part) for part in path]


def _shifted(paths, removed: tuple):
    """Each path renumbered for the removal of the list item at ``removed``; None for paths inside it."""
    size, index = len(removed) - 1, removed[-1]
    for path in paths:
        if len(path) > size and path[:size] == removed[:size] and isinstance(path[size], int):
            if path[size] == index:
                yield path, None
                continue
            if path[size] > index:
                yield path, path[:size] + (path[size] - 1,) + path[size + 1:]
                continue
        yield path, path
