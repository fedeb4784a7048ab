"""The application factory: loads the project once, builds every repository's pages, wires the blueprints.

``create_app(test_config=None)``: configuration comes from the defaults below, then ``REPO_ENGINE_*`` and
``SECRET_KEY`` environment variables, then ``test_config``. ``DATABASE_URL`` (``REPO_ENGINE_DATABASE_URL``)
puts the whole site in that PostgreSQL database, which is connected to, and its schema brought up to date,
here. ``REPO_ENGINE_TEMPLATES`` names a folder whose
templates win over the engine's: ``browse-<repository>.html``, ``record-<repository>.html``, ... for one
repository, or any of the generic ones. A broken schema raises ``SchemaError`` here, so
the server never starts with one. Nothing is opened at import time.
"""
from __future__ import annotations

import atexit
import os
import secrets
from pathlib import Path

from flask import Flask, g
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader

from engine.api import routes as api
from engine.api import drafts as api_drafts  # noqa: F401 - importing it adds the drafts to the API's routes
from engine.api import workflow as api_workflow  # noqa: F401 - adds the actions, comments and watching
from engine.config import Paths
from engine.fields import default_registry
from engine.schema import load_project
from engine.store.places import InDatabase, Place, site_place
from engine.store.postgres.database import DatabaseUnavailable
from engine.store.postgres.schema import SchemaTooNew
from engine.web import assets, errors, security, templating
from engine.web.auth import session as auth_session
from engine.web.auth import views as auth_views
from engine.web.site import Site
from engine.web.views import (alerts, attachments, browse, drafts, exports, home, imports, manage, mine, records,
                               search, workflow)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SECRET_DOCUMENT = "secret-key"      # with a database: the generated key every server reads
BLUEPRINTS = (assets.bp, api.bp, home.bp, search.bp, browse.bp, exports.bp, imports.bp, records.bp, attachments.bp,
              mine.bp, manage.bp, drafts.bp, alerts.bp, workflow.bp)


def _configure(app: Flask, test_config: dict | None) -> Paths:
    app.config.from_mapping(
        SCHEMAS=None, INSTANCES=None, DATA=None,        # None: engine.config.Paths defaults and environment
        DATABASE_URL=None,                              # a PostgreSQL URL: the whole site in that database
        TEMPLATES=None,                                 # a folder of templates overriding the engine's own
        NODE_MODULES=str(PROJECT_ROOT / "node_modules"),
        MAX_CONTENT_LENGTH=50 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=8 * 3600,                   # a long form filled in over a working day still sends
    )
    app.config.from_prefixed_env("REPO_ENGINE")
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if test_config:
        app.config.from_mapping(test_config)
    security.check_secret_key(app.config)         # before a development key could be generated below
    return Paths.from_env(app.config["SCHEMAS"], app.config["INSTANCES"], app.config["DATA"],
                          app.config["DATABASE_URL"])


def _opened(paths: Paths) -> Place:
    """Where the site keeps its own data, opened now: with a database, this connects and brings its schema up
    to date, so that a database out of reach (or upgraded by a newer release) stops start-up with one message
    instead of failing requests."""
    try:
        return site_place(paths)
    except (DatabaseUnavailable, SchemaTooNew) as error:
        raise security.StartupRefused(str(error)) from None


def _shared_secret(place: Place) -> str:
    """A key kept beside the data (the database, else a file), so that every worker process and every
    server signs sessions and CSRF tokens alike.

    On disk it is written whole to a temporary file and then linked into place, so a worker starting at the
    same moment never reads a half-written key, and the first key made is the one every worker keeps.
    """
    if isinstance(place, InDatabase):
        from engine.store.postgres.documents import first_kept
        return first_kept(place.db, SECRET_DOCUMENT, secrets.token_hex(32))
    path = place / ".secret_key"
    if not path.exists():
        place.mkdir(parents=True, exist_ok=True)
        draft = place / f".secret_key.{os.getpid()}"
        draft.write_text(secrets.token_hex(32), encoding="ascii")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()


def _one_moment(app: Flask) -> None:
    """Each request reads the repositories' revisions (what its remembered pages are kept under) once, on a
    database: a page asking every repository waits for the database once, and still sees any save made
    anywhere before the request began (``engine.store.postgres.database.moment``)."""
    from engine.store.postgres.database import moment

    @app.before_request
    def begin() -> None:
        g.revisions_moment = moment()
        g.revisions_moment.__enter__()

    @app.teardown_request
    def end(_error: BaseException | None) -> None:
        held = g.pop("revisions_moment", None)
        if held is not None:
            held.__exit__(None, None, None)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    paths = _configure(app, test_config)
    project = load_project(paths, default_registry())
    place = _opened(paths)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _shared_secret(place)
    if app.config["TEMPLATES"]:
        app.jinja_loader = ChoiceLoader([FileSystemLoader(app.config["TEMPLATES"]), app.jinja_loader])
    node_modules = Path(app.config["NODE_MODULES"])
    app.extensions["repo_engine_assets"] = assets.asset_roots(node_modules)
    templating.configure(app, frontend_version=assets.frontend_version(node_modules))
    site = Site(project, paths, app.jinja_env, place)
    app.extensions["repo_engine"] = site
    atexit.register(site.close)     # stores live as long as the process: their in-memory caches are the point
    _one_moment(app)
    CSRFProtect(app).exempt(api.bp)      # the API takes bearer tokens only, never the session cookie
    security.init_app(app)
    auth_session.register(app)
    auth_views.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    errors.register(app)
    return app
