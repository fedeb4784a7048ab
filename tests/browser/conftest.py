"""Fixtures for the browser tests: the real app served on 127.0.0.1 with sample records, and Debian's Chromium.

The app is the production one (``engine.create_app()``, CSRF on) reading the shipped ``schemas/`` and
``instances/``; only the data folder is a temporary one, seeded with each instance's samples. One server
and one browser serve the whole session; each test gets a fresh browser context (no shared cookies). The
``page`` fixture is signed in as a site admin (by its session cookie); ``anonymous_page`` is nobody, and the
sign-in tests use the real form with ``STAFF``'s password.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from access_helpers import PASSWORD
from engine.web.auth.session import session_for
from browser_site import ADMIN, REPO_ROOT, STAFF, Site, find_site

CHROMIUM = Path("/usr/bin/chromium")
# The machine running the tests may be busy: give pages and assertions the same, generous patience.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)
# Headless in a container without a GPU or outside network: no sandbox (root), no background traffic.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def site_env(tmp_path_factory) -> dict[str, str]:
    """Where the app reads schemas, instances and data: the shipped ones and a fresh data folder, seeded
    with the samples. The process environment is changed only while seeding, so tests run later in the same
    session see the environment they expect."""
    env = {
        "REPO_ENGINE_SCHEMAS": str(REPO_ROOT / "schemas"),
        "REPO_ENGINE_INSTANCES": str(REPO_ROOT / "instances"),
        "REPO_ENGINE_DATA": str(tmp_path_factory.mktemp("data")),
    }
    from engine.cli import main
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        assert main(["seed"]) == 0, "repo-engine seed failed"
    return env


@pytest.fixture(scope="session")
def live_app(site_env):
    from engine import create_app
    app = create_app({"SECRET_KEY": "browser-tests", "SCHEMAS": site_env["REPO_ENGINE_SCHEMAS"],
                      "INSTANCES": site_env["REPO_ENGINE_INSTANCES"], "DATA": site_env["REPO_ENGINE_DATA"]})
    assert app.config.get("WTF_CSRF_ENABLED", True), "the browser tests must run with CSRF protection on"
    accounts = app.extensions["repo_engine"].accounts
    accounts.add(ADMIN, name="Site Administrator", site_admin=True)
    accounts.add(STAFF, PASSWORD, name="Sam Staff")
    return app


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    """Base URL of the app served from a background thread; CSRF stays on, as in production."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def site(site_env) -> Site:
    """Where the QI projects live in the shipped instances, and their labels."""
    return find_site(site_env)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium first.",
                    pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def signed_in_as(live_app, live_server):
    """``signed_in_as(context, username)``: give a browser context the session cookie of ``username``."""
    def sign_in(context, username: str) -> None:
        with live_app.app_context():
            signed_in = session_for(username)
        value = live_app.session_interface.get_signing_serializer(live_app).dumps(signed_in)
        context.add_cookies([{"name": live_app.config["SESSION_COOKIE_NAME"], "value": value,
                              "url": live_server}])
    return sign_in


@pytest.fixture
def page(browser: Browser, live_server: str, signed_in_as) -> Iterator[Page]:
    """A fresh browser tab signed in as a site admin; fails the test if the page raised a JavaScript error or
    opened a dialog."""
    with _tab(browser, live_server, lambda context: signed_in_as(context, ADMIN)) as tab:
        yield tab


@pytest.fixture
def anonymous_page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A fresh browser tab nobody is signed in to."""
    with _tab(browser, live_server, lambda context: None) as tab:
        yield tab


@contextmanager
def _tab(browser: Browser, live_server: str, prepare) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    prepare(context)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog opened: {dialog.message!r}"), dialog.dismiss()))
    page.problems = problems  # type: ignore[attr-defined]
    yield page
    context.close()
    assert not problems, "\n".join(problems)
