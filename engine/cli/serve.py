"""``repo-engine serve``: serve every instance with the development server (production: gunicorn).

Values that changes to the types have stranded never stop the service: once it is up, a background thread
reads every repository and logs what ``repo-engine check`` would report about them.

Another background thread sends the outboxes every few seconds (what ``repo-engine outbox send --loop`` does),
unless ``--no-outbox`` or ``REPO_ENGINE_OUTBOX=off`` says another process sends them.
"""
from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger("engine.evolution")


def register(sub) -> None:
    parser = sub.add_parser("serve", help="serve every instance (development server)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    parser.add_argument("--debug", action="store_true", help="reload on code and template changes")
    parser.add_argument("--no-outbox", action="store_true",
                        help="do not send queued mail and webhooks (env REPO_ENGINE_OUTBOX=off)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from engine.errors import SchemaError
    from engine.web.app import create_app
    from engine.web.security import StartupRefused

    config = {key: value for key, value in (("SCHEMAS", args.schemas), ("INSTANCES", args.instances)) if value}
    try:
        app = create_app(config)
    except SchemaError as error:
        for problem in error.problems:
            print(problem)
        return 1
    except StartupRefused as error:
        print(error, file=sys.stderr)
        return 1
    site = app.extensions["repo_engine"]
    sending = None
    # With --debug the first process only watches files and restarts the one that serves.
    if not args.debug or os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        report_stranded_later(site)
        if not args.no_outbox and os.environ.get("REPO_ENGINE_OUTBOX", "").strip().lower() != "off":
            sending = OutboxThread(site)
    print(f"Serving every instance at http://{args.host}:{args.port}/")
    try:
        app.run(host=args.host, port=args.port, debug=args.debug)
    finally:
        if sending is not None:
            sending.stop()
    return 0


def report_stranded_later(site) -> threading.Thread:
    """Log the stranded values of every repository from a background thread, so start-up does not wait for
    every store to be read (reading them also readies them for the first requests)."""
    thread = threading.Thread(target=log_stranded, args=(site,), name="stranded-values", daemon=True)
    thread.start()
    return thread


def log_stranded(site) -> None:
    from engine.evolution.report import stranded
    from engine.fields.values import plural
    try:
        lines = stranded(site.project, site.stores)
    except Exception:       # a report that fails must never take the service down with it
        log.exception("The stored data could not be checked against the repository types")
        return
    for line in lines:
        log.warning("%s", line)
    if lines:
        log.warning("%s found in stored data (`repo-engine check` reports the same)", plural(len(lines), "problem"))


class OutboxThread:
    """``engine.notify.sender.run`` on the site's stores in a daemon thread: failures are logged by the
    sender, and ``stop`` lets a round being sent finish (for a few seconds) before the process ends."""

    def __init__(self, site, interval: float = 5):
        from engine.notify.mail import MailSite
        from engine.notify.sender import ProjectOutboxes, channels_from_env, run
        self.stop_event = threading.Event()
        self.outboxes = ProjectOutboxes(site.project, site.stores, site.paths)
        channels = channels_from_env(MailSite.from_env(site.project))
        self.thread = threading.Thread(target=run, name="outbox-sender", daemon=True,
                                       args=(self.outboxes, self.stop_event, interval), kwargs={"channels": channels})
        self.thread.start()

    def stop(self, wait: float = 10) -> None:
        self.stop_event.set()
        self.thread.join(wait)
        if not self.thread.is_alive():
            self.outboxes.close()
