"""Data exchange: exports of a browse view as CSV, XLSX or JSON, and imports of any of the three with a report.

``columns`` (headers and system cells), ``export`` (writers), ``readers`` (files into rows; ``jsonfile`` for
JSON exports read back), ``plan`` (rows converted and checked: the dry-run report), ``report`` (that report
as text), ``write`` (the one write of an import, through ``Records.create_many``). Field cells are converted
only by the field-type registry.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from werkzeug.datastructures import MultiDict

from engine.schema.model import RepositoryType
from engine.search.thesaurus import EMPTY, Thesaurus
from engine.store.base import Query


@dataclass(frozen=True)
class Filtering:
    """What reading a browse URL needs of a repository (``engine.web.listing.read_browse`` reads these two),
    so the command line exports exactly what the same URL shows on the browse page."""
    rtype: RepositoryType
    filters: Mapping
    thesaurus: Thesaurus = EMPTY


def browse_query(rtype: RepositoryType, args: MultiDict, thesaurus: Thesaurus = EMPTY
                 ) -> tuple[Query, tuple[str, ...]]:
    """The store query a browse URL's arguments make, and the problems with them (as the page words them)."""
    from engine.web.columns import build_filters
    from engine.web.listing import read_browse
    view = read_browse(Filtering(rtype, build_filters(rtype), thesaurus), args)
    return view.query, view.problems
