"""``repo-engine digest [--now ISO]``: queue the digest of every saved-search alert that is due (daily, from cron
or a systemd timer, like ``remind``). Each digest is queued once per alert and period (a day or an ISO week), so a
second run the same day queues nothing; ``repo-engine outbox send`` sends them.

The site is built as ``serve`` builds it (``create_app``), so the views are read with the very code of their
pages and the unsubscribe links are signed with the site's own secret key."""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone


def register(sub) -> None:
    parser = sub.add_parser("digest", help="queue the saved-search alert digests that are due (run daily)")
    parser.add_argument("--now", type=_moment, metavar="ISO",
                        help="the time to send as of, e.g. 2026-12-02T07:00 (UTC unless it says; default: now)")
    parser.set_defaults(run=run)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a time like 2026-12-02T07:00") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def run(args) -> int:
    from engine.errors import SchemaError
    from engine.notify.alerts import Alerts
    from engine.notify.digest import send_digests
    from engine.store.outbox import site_outbox
    from engine.web.app import create_app
    from engine.web.security import StartupRefused

    config = {key: value for key, value in (("SCHEMAS", args.schemas), ("INSTANCES", args.instances)) if value}
    try:
        app = create_app(config)
    except SchemaError as error:
        print("\n".join(error.problems), file=sys.stderr)
        return 1
    except StartupRefused as error:
        print(error, file=sys.stderr)
        return 1
    site = app.extensions["repo_engine"]
    outbox = site_outbox(site.paths)
    try:
        with app.app_context():
            done = send_digests(site, Alerts(site.place), outbox, app.config["SECRET_KEY"],
                                args.now or datetime.now(timezone.utc))
    finally:
        outbox.close()
        site.close()
    print(done.words())
    for alert_id, why in done.failed:
        print(f"alert {alert_id}: not run: {why}", file=sys.stderr)
    return 1 if done.failed else 0
