"""The list endpoint's query string, read by the browse page's own reader so the API lists exactly what the
browse page shows for the same ``?q= ?<field>= ?<field>_from= ?<field>_to= ?state= ?sort= ?page= ?per_page=``.

The browse page shows a bad value as a message and carries on; the API refuses it with 400 and names the
parameter, so a script never mistakes a dropped filter for an empty answer. Where the page is lenient about the
shape of a URL the API is not: a parameter that takes one value (``sort``, ``page``, a range box...) given twice
is refused by name (the page would take the last), and so is an empty value where the parameter has none (an
empty ``page=`` or ``division=``; an empty ``q=`` or text filter asks for nothing and is taken).

Each parameter's JSON Schema is made here, beside its reading (``control_schemas``, ``filter_item``,
``box_item``): the OpenAPI description is built from these, so what the description says a parameter takes is
what is read here. A filter's schema is its field type's (``FieldType.filter_schema``): the API checks each value
against it (``as_described``) before the reader sees it, so a value the description allows is read, and one it
does not is refused by name, however leniently the browse page would read it ("surgery" for "Surgery").
"""
from __future__ import annotations

import json
import math
import re
import sys
from decimal import Decimal
from functools import cache
from typing import Any, Iterable, Mapping

from jsonschema import Draft202012Validator, FormatChecker
from werkzeug.datastructures import MultiDict

from engine.api.problems import ApiError
from engine.fields.base import CellError
from engine.schema.model import SYSTEM_FIELDS
from engine.store.base import Query
from engine.web import listing
from engine.web.columns import Facet
from engine.web.listing import MAX_PER_PAGE, RELEVANCE, STATES, read_browse
from engine.web.site import HostedRepository

__all__ = ["MAX_PER_PAGE", "PAGE_OR_NONE", "PAGING", "TEXT", "as_described", "box_item", "control_schemas",
           "filter_item", "misshapen_values", "not_blank", "range_boxes", "read_per_page", "read_query", "refused",
           "repeated", "sorts"]
#: Parameters whose browse-page message goes on, after "; ", to say what the page shows instead (see
#: ``refused``).
FALLS_BACK = frozenset({"page", "sort", "per_page"})
#: Free text: the one kind of parameter an empty value means something for (nothing asked).
TEXT: Mapping[str, str] = {"type": "string"}
#: A whole number as ``int`` reads it.
_WHOLE = re.compile(r"[0-9]+")
#: A page as the trust-wide search reads it (``listing.read_page``): a whole number from 1, or empty for the first.
PAGE_OR_NONE = "^(0*[1-9][0-9]*)?$"


@cache
def not_blank() -> str:
    """A pattern for text holding a character ``str.strip`` keeps: a search of only spaces is refused. Made
    from Python's own idea of a space (once: it reads every character), so the pattern and ``strip`` agree."""
    spaces = (c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    return "[^" + "".join(f"\\u{ord(c):04x}" for c in spaces) + "]"


def sorts(hosted: HostedRepository) -> list[str]:
    """Every ``sort`` the reader takes: a field or system field, ``-`` in front for descending, or relevance
    (the most relevant first with ``q``; without words there is nothing to rank, and the usual order is kept)."""
    keys = (*SYSTEM_FIELDS, *hosted.rtype.field_map)
    return [f"{sign}{key}" for key in keys for sign in ("", "-")] + [RELEVANCE]


#: Which page of an answer, and how long a page is: on the list and the trust-wide search alike.
PAGING: Mapping[str, Mapping[str, Any]] = {
    "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
}


def control_schemas(hosted: HostedRepository) -> dict[str, dict[str, Any]]:
    """The list's own parameters, each taking one value, and what it takes."""
    return {"q": dict(TEXT), "state": {"enum": list(STATES)}, "sort": {"enum": sorts(hosted)},
            **{name: dict(schema) for name, schema in PAGING.items()}}


def filter_item(facet: Facet) -> dict[str, Any]:
    """What one value of a ``?<field>=`` filter takes: what its field type says (``filter_schema``: a choice's
    values, a number, a day, true or false...); the status filter, one of the type's statuses."""
    if facet.field is not None:
        return facet.field.kind.filter_schema(facet.field)
    return {"enum": list(facet.allowed)}


def box_item(facet: Facet) -> dict[str, Any]:
    """What one box of a range (``start_date_from``) takes: one end, as one value of the field's filter, or
    nothing (the browse page sends an empty box; the range is then open at that end)."""
    one = filter_item(facet)
    return {"anyOf": [one, {"const": ""}], "description": f"{one['description']}, or empty"} \
        if "description" in one else {"anyOf": [one, {"const": ""}]}


def range_boxes(hosted: HostedRepository) -> dict[str, Facet]:
    """Each range box's parameter (``start_date_from``) -> its field's filter, as the browse page reads them."""
    return listing._range_boxes(hosted)     # the reader's own list, so both name the same boxes


_FORMATS = FormatChecker()


def _no_constant(name: str):
    raise ValueError(name)


def _scalar(raw: str) -> bool | int | float | None:
    """The number or boolean a query value writes in JSON (``10``, ``2.5``, ``1e3``, ``true``); None if none."""
    try:
        value = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, bool) or (isinstance(value, (int, float)) and math.isfinite(value)):
        return value
    return None


def as_described(raw: str, schema: Mapping[str, Any]) -> str | None:
    """``raw`` as its parameter's schema takes it, in words the field type's reader reads; None when the schema
    takes neither the text nor the number or boolean it writes. A query string is text, so ``10`` is a number
    to a number's schema: it goes to the reader as plain digits (``1e3`` as ``1000``), ``true`` as ``true``."""
    validator = Draft202012Validator(schema, format_checker=_FORMATS)
    if validator.is_valid(raw):
        return raw
    value = _scalar(raw)
    if value is None or not validator.is_valid(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int) else format(Decimal(repr(value)), "f")


def _takes(schema: Mapping[str, Any]) -> str:
    """What a schema takes, in words, for the message that refuses a value it does not."""
    if "description" in schema:
        return schema["description"]
    if "enum" in schema:
        return "one of: " + ", ".join(str(value) for value in schema["enum"])
    if schema.get("format") == "date":
        return "a date written YYYY-MM-DD, like 2026-03-31"
    words = {"integer": "a whole number", "number": "a number", "boolean": "true or false"}
    return words.get(schema.get("type"), "text of the form the description gives")


def repeated(args: MultiDict, names: Iterable[str]) -> dict[str, str]:
    """A message for each of ``names`` given more than once: a URL saying two things is not guessed at."""
    return {name: f"{name} takes one value: it was given {len(args.getlist(name))} times"
            for name in names if len(args.getlist(name)) > 1}


def read_per_page(raw: list[str], default: int, errors: dict[str, str]) -> int:
    """``per_page`` as a list endpoint reads it; a bad one (or two of them) is filed in ``errors``."""
    misshapen = misshapen_values(MultiDict([("per_page", value) for value in raw]), PAGING, {})
    if misshapen:
        errors.update(misshapen)
        return default
    said: list[str] = []
    per_page = listing.read_per_page(raw[0] if raw else None, default, said)
    if said:
        errors["per_page"] = said[0]
    return per_page


def refused(problems: dict[str, str]) -> ApiError:
    """The 400 naming each refused parameter. A browse-page message goes on, after "; ", to say what the
    page shows instead; the API shows nothing instead, so only the first part is kept."""
    return ApiError(400, "Some query parameters were refused.",
                    {name: message.split("; ")[0] if name in FALLS_BACK else message
                     for name, message in problems.items()})


def read_query(hosted: HostedRepository, args: MultiDict) -> Query:
    """The store query the arguments ask for; ``ApiError`` 400 naming every parameter that is wrong."""
    problems, typed = _misshapen(hosted, args)
    # A parameter already refused is not read again: the browse page's reader would only say it twice.
    kept = MultiDict([(k, typed.get((k, v), v)) for k, v in args.items(multi=True) if k not in problems])
    browse = read_browse(hosted, kept)
    if "sort" in browse.refused and kept.get("sort") == RELEVANCE:
        kept.pop("sort")        # no words to rank by: the order the page shows without them
        browse = read_browse(hosted, kept)
    problems = {**browse.refused, **problems}
    if problems:
        raise refused(problems)
    return browse.query


def _misshapen(hosted: HostedRepository, args: MultiDict) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """What is refused by name, and each filter value the reader is to be given in its own words."""
    boxes = {box: box_item(facet) for box, facet in range_boxes(hosted).items()}
    filters = {name: filter_item(facet) for name, facet in hosted.filters.items()}
    problems = misshapen_values(args, {**control_schemas(hosted), **boxes}, filters)
    typed: dict[tuple[str, str], str] = {}
    for name, raw in args.items(multi=True):
        schema = filters.get(name) or boxes.get(name)
        if name in problems or schema is None:
            continue
        words = as_described(raw, schema)
        if words is not None:
            typed[(name, raw)] = words
        elif _reader_refuses(hosted, name, raw):
            typed[(name, raw)] = raw        # the browse page's reader says what is wrong, in the page's words
        else:
            label = range_boxes(hosted)[name].label if name in boxes else hosted.filters[name].label
            problems[name] = f"{label}: “{raw}” is not {_takes(schema)}"
    return problems, typed


def _reader_refuses(hosted: HostedRepository, name: str, raw: str) -> bool:
    """Would the browse page's reader refuse this value too? Then its message is the one given, so a URL copied
    from the page is refused in the same words by both."""
    boxes = range_boxes(hosted)
    try:
        if name in boxes:
            ends = (raw, "") if name.endswith("_from") else ("", raw)
            boxes[name].parse_range(*ends)
        else:
            hosted.filters[name].parse(raw)
    except CellError:
        return True
    return False


def misshapen_values(args: MultiDict, singles: Mapping[str, Mapping[str, Any]],
                     repeatable: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """What the API refuses before the browse page's reader sees the URL, by parameter: one of ``singles``
    given twice, an empty value where the schema has none, a whole number not in the digits 0 to 9 (the
    readers' ``isdigit`` takes "²", which ``int`` cannot read). Names in neither are the reader's to judge."""
    problems = repeated(args, singles)
    for name, value in args.items(multi=True):
        schema = singles.get(name) or repeatable.get(name)
        if name in problems or schema is None:
            continue
        if value == "" and schema != TEXT and not Draft202012Validator(schema).is_valid(""):
            problems[name] = f"{name} is empty: give a value, or leave {name} out"
        elif schema.get("type") == "integer" and value.isdigit() and not _WHOLE.fullmatch(value):
            problems[name] = f"{name} must be a whole number written in the digits 0 to 9, not “{value}”"
    return problems
