"""``repo-engine outbox send|list|resend``: deliver the notices every repository's writes queued, see how
sending went, and try a failed one again.

``send`` sends what is due once (``--loop`` keeps going, every ``--interval`` seconds, until interrupted: for a
deployment whose web workers do not send, such as gunicorn's). Mail goes through ``REPO_ENGINE_SMTP_URL`` from
``REPO_ENGINE_MAIL_FROM`` with links to ``REPO_ENGINE_BASE_URL``; webhooks to the URL in the variable each
``notify:`` rule names.
"""
from __future__ import annotations

import logging
import sys
import threading

from engine.notify.notice import FAILED


def register(sub) -> None:
    parser = sub.add_parser("outbox", help="send queued notices (mail, webhooks), list them, resend one")
    actions = parser.add_subparsers(dest="outbox_command", required=True)
    send = actions.add_parser("send", help="send every notice that is due")
    send.add_argument("--loop", action="store_true", help="keep sending until interrupted")
    send.add_argument("--interval", type=float, default=5, metavar="S",
                      help="seconds between rounds with --loop (default 5)")
    send.set_defaults(run=run_send)
    listing = actions.add_parser("list", help="list the deliveries, newest first")
    listing.add_argument("--failed", action="store_true", help="only those given up")
    listing.set_defaults(run=run_list)
    resend = actions.add_parser("resend", help="send a delivery again (a failed one, or one already sent)")
    resend.add_argument("id", help="the delivery's id, as `outbox list` shows it")
    resend.set_defaults(run=run_resend)


class _Project:
    """The project's outboxes and what their mails need, opened for one command and closed after it."""

    def __init__(self, args):
        from engine.cli.project import load
        from engine.store import Stores
        from engine.notify.sender import ProjectOutboxes
        self.paths, self.project = load(args)
        self.stores = Stores(self.paths)
        self.outboxes = ProjectOutboxes(self.project, self.stores, self.paths)

    def channels(self):
        from engine.notify.mail import MailSite
        from engine.notify.sender import channels_from_env
        return channels_from_env(MailSite.from_env(self.project))

    def __enter__(self) -> "_Project":
        return self

    def __exit__(self, *_) -> None:
        self.outboxes.close()
        self.stores.close()


def run_send(args) -> int:
    from engine.notify.sender import new_holder, run, send_due
    with _Project(args) as opened:
        channels = opened.channels()
        if not args.loop:
            counts = send_due(opened.outboxes(), holder=new_holder(), channels=channels)
            print(f"Outbox: {counts}")
            return 0
        stop = threading.Event()
        if not logging.getLogger().handlers:    # each round's counts and failures, as a service's log
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        print(f"Sending the outbox every {args.interval:g} s; Ctrl+C stops.")
        try:
            run(opened.outboxes, stop, args.interval, channels=channels)
        except KeyboardInterrupt:
            stop.set()
        return 0


COLUMNS = ("id", "when", "event", "to", "state", "attempts", "error")


def run_list(args) -> int:
    with _Project(args) as opened:
        states = [FAILED] if args.failed else None
        deliveries = sorted((one for outbox in opened.outboxes() for one in outbox.deliveries(states)),
                            key=lambda one: one.notice.created, reverse=True)
    if not deliveries:
        print("No failed deliveries." if args.failed else "The outbox is empty.")
        return 0
    rows = [COLUMNS] + [(one.id, one.notice.created, one.notice.event, one.notice.to, one.state,
                         str(one.attempts), one.error) for one in deliveries]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
    return 0


def run_resend(args) -> int:
    with _Project(args) as opened:
        for outbox in opened.outboxes():
            if outbox.resend(args.id):
                print(f"{args.id} will be sent again by the next `repo-engine outbox send`.")
                return 0
    print(f"There is no delivery {args.id} (`repo-engine outbox list` shows them).", file=sys.stderr)
    return 1
