"""``repo-engine remind [--today YYYY-MM-DD] [INSTANCE [REPOSITORY]]``: queue the review reminders due today
(daily, from cron or a systemd timer: see docs/operating.md). Each reminder is queued once per record, due
date and remind offset, so a second run the same day queues nothing; ``repo-engine outbox send`` sends them."""
from __future__ import annotations

import argparse
import sys
from datetime import date

from engine.cli.project import add_repository_arguments


def register(sub) -> None:
    parser = sub.add_parser("remind", help="queue the review reminders due today (run daily)")
    parser.add_argument("--today", type=_day, metavar="YYYY-MM-DD",
                        help="the day to remind as of (default: today)")
    add_repository_arguments(parser)
    parser.set_defaults(run=run)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-12-02") from None


def run(args) -> int:
    from engine.access.accounts import Accounts
    from engine.cli.messages import explain
    from engine.cli.project import chosen_repositories
    from engine.errors import EngineError
    from engine.review.remind import queue_reminders
    from engine.store import Stores
    from engine.store.places import site_place

    chosen = chosen_repositories(args)
    if chosen is None:
        return 1
    paths, targets = chosen
    reviewed = [(instance, rtype) for instance, rtype in targets if rtype.review is not None]
    if not reviewed:
        print("No repository named has review dates (review: in its type): nothing to remind.")
        return 0
    today, accounts, stores, failed = args.today or date.today(), Accounts(site_place(paths)), Stores(paths), 0
    try:
        for instance, rtype in reviewed:
            where = f"{instance.name}/{rtype.name}"
            try:
                queued = queue_reminders(instance, rtype, stores.get(instance, rtype), accounts, today)
            except EngineError as error:
                print(f"{where}: no reminders queued: {explain(error)}", file=sys.stderr)
                failed += 1
                continue
            print(f"{where}: {queued.words()}")
    finally:
        stores.close()
    return 1 if failed else 0
