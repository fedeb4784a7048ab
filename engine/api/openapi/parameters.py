"""The query parameters of the description: the list's, each as the list's reader takes it
(``engine.api.query``: a filter as its field type describes it, a date's range boxes), and what the trust-wide
search's share with them."""
from __future__ import annotations

from typing import Any

from engine.api import query
from engine.web.listing import RELEVANCE, STATES
from engine.web.site import HostedRepository

#: What each of the list's own parameters asks for (their schemas are the reader's: ``query.control_schemas``).
CONTROL_WORDS = {
    "q": "Words to search for.",
    "state": "; ".join(f"{state}: {words}" for state, words in STATES.items()) + ".",
    "page": "Which page of the answer: past the last, `records` is empty.",
}
#: What a parameter that takes one value says of it.
ONCE = " Given once: twice is a 400."


def query_parameter(name: str, schema: dict[str, Any], description: str, repeatable: bool = False) -> dict:
    if repeatable:
        return {"name": name, "in": "query", "style": "form", "explode": True,
                "schema": {"type": "array", "items": schema}, "description": description}
    return {"name": name, "in": "query", "schema": schema, "description": description}


def list_parameters(repository: HostedRepository) -> list[dict[str, Any]]:
    """The browse page's query string, each parameter as the list's reader takes it (``engine.api.query``):
    one value each but for the filters, which take several."""
    rtype = repository.rtype
    words = {**CONTROL_WORDS,
             "sort": f"A field or system field, `-` in front for descending; default `{rtype.listing.sort}`, or "
                     f"`{RELEVANCE}` (the most relevant first: the default with `q`; without it, the default).",
             "per_page": f"Records per page; default {rtype.listing.per_page}, as on the browse page."}
    parameters = [query_parameter(name, schema, words[name] + ONCE)
                  for name, schema in query.control_schemas(repository).items()]
    for facet in repository.filters.values():
        parameters.append(query_parameter(facet.name, query.filter_item(facet),
                                          f"{facet.label}: records holding this value (a 400 for a value not "
                                          "described); repeat for any of several values.", repeatable=True))
    for box, facet in query.range_boxes(repository).items():
        end = "on or after" if box.endswith("_from") else "on or before"
        parameters.append(query_parameter(box, query.box_item(facet),
                                          f"{facet.label} {end} this day; with both ends, a To before the From "
                                          f"is a 400.{ONCE}"))
    return parameters
