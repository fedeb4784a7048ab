"""``repo-engine serve``: serve every instance with the development server (production: gunicorn)."""
from __future__ import annotations

import sys


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
    print(f"Serving every instance at http://{args.host}:{args.port}/")
    app.run(host=args.host, port=args.port, debug=args.debug)
    return 0
