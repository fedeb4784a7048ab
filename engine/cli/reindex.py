"""``repo-engine reindex [INSTANCE [REPOSITORY]]``: make sure every attached file's text is extracted, then
build each repository's search index once, reporting how long it took.

The index itself is derived data held in memory by each server process (``engine.search.index``), built
from the records when first searched and kept current with every write; it is never stored, so there is
nothing on disk to go stale. What this command adds is the text of files attached before text extraction
existed, or whose extraction failed; running servers search that text from their next search on (the
store marks the change, and each process builds its index of that repository again).
"""
from __future__ import annotations

import sys
import time

from tqdm import tqdm

from engine.cli.project import add_repository_arguments, chosen_repositories
from engine.fields.values import plural
from engine.store import Stores


def register(sub) -> None:
    parser = sub.add_parser("reindex", help="extract missing attachment text and rebuild the search index")
    add_repository_arguments(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    chosen = chosen_repositories(args)
    if chosen is None:
        return 1
    paths, targets = chosen
    stores = Stores(paths)
    try:
        for instance, rtype in targets:
            store = stores.get(instance, rtype)
            with tqdm(desc=f"{instance.name}/{rtype.name}: files", unit=" files", disable=not sys.stderr.isatty(),
                      leave=False) as bar:
                extracted = store.extract_missing_texts(progress=bar.update)
            started = time.perf_counter()
            store.prepare_search()
            took = time.perf_counter() - started
            print(f"{instance.name}/{rtype.name}: {plural(store.count(), 'record')} indexed in {took:.2f} s; "
                  f"text extracted from {plural(extracted, 'more attached file')}")
    finally:
        stores.close()
    return 0
