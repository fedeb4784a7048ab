"""``repo-engine serve``: serve every instance with the development server (production: gunicorn).

Values that changes to the types have stranded never stop the service: once it is up, a background thread
reads every repository and logs what ``repo-engine check`` would report about them.
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
    parser.set_defaults(run=run)


def run(args) -> int:
    from engine.errors import SchemaError
    from engine.web.app import create_app
    from engine.web.security import UnsafeConfiguration

    config = {key: value for key, value in (("SCHEMAS", args.schemas), ("INSTANCES", args.instances)) if value}
    try:
        app = create_app(config)
    except SchemaError as error:
        for problem in error.problems:
            print(problem)
        return 1
    except UnsafeConfiguration as error:
        print(error, file=sys.stderr)
        return 1
    # With --debug the first process only watches files and restarts the one that serves.
    if not args.debug or os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        report_stranded_later(app.extensions["repo_engine"])
    print(f"Serving every instance at http://{args.host}:{args.port}/")
    app.run(host=args.host, port=args.port, debug=args.debug)
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
