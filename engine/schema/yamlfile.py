"""YAML files read into plain data plus the line of every value, so each problem can say ``file:LINE``.

The YAML is composed into nodes (PyYAML's safe loader) and turned into dicts, lists and scalars by hand, which
is where duplicate keys are caught and where each key's line is recorded under its JSON path (a tuple of keys
and list indexes). Scalars follow YAML 1.2 as authors expect: only ``true``/``false`` are booleans (a choice
``No`` stays the text "No") and dates stay ISO strings, the form records store them in.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
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
