"""Fixtures for the browser tests: the real app served on 127.0.0.1 with sample records, and Debian's Chromium.

The app is the production one (``engine.create_app()``, CSRF on) reading the shipped ``schemas/`` and
``instances/``; only the data folder is a temporary one, seeded with each instance's samples. One server
and one browser serve the whole session; each test gets a fresh browser context (no shared cookies).
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from browser_site import REPO_ROOT, Site, find_site

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
def live_server(site_env) -> Iterator[str]:
    """Base URL of the app served from a background thread; CSRF stays on, as in production."""
    from engine import create_app
    app = create_app({"SECRET_KEY": "browser-tests", "SCHEMAS": site_env["REPO_ENGINE_SCHEMAS"],
                      "INSTANCES": site_env["REPO_ENGINE_INSTANCES"], "DATA": site_env["REPO_ENGINE_DATA"]})
    assert app.config.get("WTF_CSRF_ENABLED", True), "the browser tests must run with CSRF protection on"
    server = make_server("127.0.0.1", 0, app, threaded=True)
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


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A fresh browser tab; fails the test if the page raised a JavaScript error or opened a dialog."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog opened: {dialog.message!r}"), dialog.dismiss()))
    page.problems = problems  # type: ignore[attr-defined]
    yield page
    context.close()
    assert not problems, "\n".join(problems)
