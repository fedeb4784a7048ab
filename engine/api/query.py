"""The list endpoint's query string, read by the browse page's own reader so the API lists exactly what the
browse page shows for the same ``?q= ?<field>= ?state= ?sort= ?page=``; the API adds ``per_page``.

The browse page shows a bad value as a message and carries on; the API refuses it with 400 and names the
parameter, so a script never mistakes a dropped filter for an empty answer.
"""
from __future__ import annotations

from dataclasses import replace

from werkzeug.datastructures import MultiDict

from engine.api.problems import ApiError
from engine.store.base import Query
from engine.web.listing import read_browse
from engine.web.site import HostedRepository

MAX_PER_PAGE = 100
#: Parameters whose browse-page message goes on, after "; ", to say what the page shows instead (see
#: ``refused``).
FALLS_BACK = frozenset({"page", "sort"})


def read_per_page(raw: list[str], default: int, errors: dict[str, str]) -> int:
    """``per_page`` as a list endpoint reads it (the last one given); a bad one is filed in ``errors``."""
    if not raw or raw[-1] == "":
        return default
    if raw[-1].isdigit() and 1 <= int(raw[-1]) <= MAX_PER_PAGE:
        return int(raw[-1])
    errors["per_page"] = f"per_page must be a whole number from 1 to {MAX_PER_PAGE}"
    return default


def refused(problems: dict[str, str]) -> ApiError:
    """The 400 naming each refused parameter. A browse-page message goes on, after "; ", to say what the
    page shows instead; the API shows nothing instead, so only the first part is kept."""
    return ApiError(400, "Some query parameters were refused.",
                    {name: message.split("; ")[0] if name in FALLS_BACK else message
                     for name, message in problems.items()})


def read_query(hosted: HostedRepository, args: MultiDict) -> Query:
    """The store query the arguments ask for; ``ApiError`` 400 naming every parameter that is wrong."""
    args = MultiDict(args)
    errors: dict[str, str] = {}
    per_page = read_per_page(args.poplist("per_page"), hosted.rtype.listing.per_page, errors)
    browse = read_browse(hosted, args)
    if browse.problems:
        # Asked one parameter at a time, so that each message is filed under the parameter it is about.
        for name in dict.fromkeys(args.keys()):
            alone = read_browse(hosted, MultiDict([(name, value) for value in args.getlist(name)]))
            if alone.problems:
                errors[name] = " ".join(alone.problems)
    if errors:
        raise refused(errors)
    return replace(browse.query, per_page=per_page)
