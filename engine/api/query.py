"""The list endpoint's query string, read by the browse page's own reader so the API lists exactly what the
browse page shows for the same ``?q= ?<field>= ?<field>_from= ?<field>_to= ?state= ?sort= ?page= ?per_page=``.

The browse page shows a bad value as a message and carries on; the API refuses it with 400 and names the
parameter, so a script never mistakes a dropped filter for an empty answer. Where the page is lenient about the
shape of a URL the API is not: a parameter that takes one value (``sort``, ``page``, a range box...) given twice
is refused by name (the page would take the last), and so is an empty value where the parameter has none (an
empty ``page=`` or ``division=``; an empty ``q=`` or text filter asks for nothing and is taken).

Each parameter's JSON Schema is made here, beside its reading (``control_schemas``, ``filter_item``): the OpenAPI
description is built from these, so what the description says a parameter takes is what is read here.
"""
from __future__ import annotations

import re
import sys
from functools import cache
from typing import Any, Iterable, Mapping

from werkzeug.datastructures import MultiDict

from engine.api.problems import ApiError
from engine.schema.model import SYSTEM_FIELDS
from engine.store.base import Query
from engine.web import listing
from engine.web.columns import Facet
from engine.web.listing import MAX_PER_PAGE, RELEVANCE, STATES, read_browse
from engine.web.site import HostedRepository

__all__ = ["MAX_PER_PAGE", "PAGE_OR_NONE", "PAGING", "TEXT", "control_schemas", "filter_item", "misshapen_values",
           "not_blank", "range_boxes", "read_per_page", "read_query", "refused", "repeated", "sorts"]
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
    """What one value of a ``?<field>=`` filter takes: one of the values it enumerates (a choice, a status),
    else text that the field type reads (a date or a range of dates, yes or no, ...), refused when it cannot."""
    allowed = facet.field.choice_values if facet.field is not None else facet.allowed
    return {"enum": list(allowed)} if allowed else dict(TEXT)


def range_boxes(hosted: HostedRepository) -> dict[str, Facet]:
    """Each range box's parameter (``start_date_from``) -> its field's filter, as the browse page reads them."""
    return listing._range_boxes(hosted)     # the reader's own list, so both name the same boxes


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
    problems = _misshapen(hosted, args)
    # A parameter already refused is not read again: the browse page's reader would only say it twice.
    kept = MultiDict([(k, v) for k, v in args.items(multi=True) if k not in problems])
    browse = read_browse(hosted, kept)
    if "sort" in browse.refused and kept.get("sort") == RELEVANCE:
        kept.pop("sort")        # no words to rank by: the order the page shows without them
        browse = read_browse(hosted, kept)
    problems = {**browse.refused, **problems}
    if problems:
        raise refused(problems)
    return browse.query


def _misshapen(hosted: HostedRepository, args: MultiDict) -> dict[str, str]:
    singles = {**control_schemas(hosted), **{box: dict(TEXT) for box in range_boxes(hosted)}}
    return misshapen_values(args, singles, {name: filter_item(facet) for name, facet in hosted.filters.items()})


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
        if value == "" and schema != TEXT:
            problems[name] = f"{name} is empty: give a value, or leave {name} out"
        elif schema.get("type") == "integer" and value.isdigit() and not _WHOLE.fullmatch(value):
            problems[name] = f"{name} must be a whole number written in the digits 0 to 9, not “{value}”"
    return problems
