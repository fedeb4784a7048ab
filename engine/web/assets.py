"""Static files at ``/assets/``: the NHS.UK frontend's CSS, JS and images (from npm) and our own few files.

The NHS.UK stylesheet refers to ``/assets/images/...``, so its ``assets`` folder is served at the root of
``/assets/`` next to the bundles. Everything is sent with a year-long cache: URLs made by ``asset_url`` carry the
frontend's version, so a new release is a new URL.
"""
from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600
OWN_STATIC = Path(__file__).parent / "static"

bp = Blueprint("assets", __name__)


def asset_roots(node_modules: Path) -> tuple[Path, ...]:
    dist = node_modules / "nhsuk-frontend" / "dist" / "nhsuk"
    return (OWN_STATIC, dist / "assets", dist)


def frontend_version(node_modules: Path) -> str:
    """The installed nhsuk-frontend version (it names the bundles); start-up fails if it is missing."""
    package = node_modules / "nhsuk-frontend" / "package.json"
    if not package.exists():
        raise RuntimeError(f"{package} is missing: run `npm install` (or `make install`) in the project folder.")
    return json.loads(package.read_text())["version"]


@bp.get("/assets/<path:filename>")
def asset(filename: str):
    for root in current_app.extensions["repo_engine_assets"]:
        found = safe_join(str(root), filename)
        if found and Path(found).is_file():
            response = send_from_directory(root, filename, max_age=ONE_YEAR)
            response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
            return response
    abort(404)
