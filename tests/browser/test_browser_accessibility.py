"""Every kind of page passes an axe-core audit (WCAG 2.2 AA), and the browse page fits a phone."""
from __future__ import annotations

from typing import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from access_helpers import PASSWORD
from browser_auth import sign_in_with_form
from browser_axe import assert_accessible
from browser_forms import error_summary, save
from browser_site import REPO_ROOT, STAFF, Site, shipped_repositories

pytestmark = pytest.mark.browser

SAMPLE = "QI-0001"      # the first sample record `repo-engine seed` loads


Visit = Callable[[Page, Site], int]


def goto(path: Callable[[Site], str]) -> Visit:
    """Open a URL; the visit answers the HTTP status."""
    return lambda page, site: page.goto(path(site)).status


def form_with_errors(page: Page, site: Site) -> int:
    page.goto(site.new)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        save(page)
    error_summary(page)
    return posted.value.status


def sign_in_with_errors(page: Page, site: Site) -> int:
    page.goto("/sign-in")
    return sign_in_with_form(page, "nobody-at-all", "a wrong password")


def refused(page: Page, site: Site) -> int:
    """A member of staff with no role opens the instance's members page."""
    page.context.clear_cookies()
    page.goto("/sign-in")
    sign_in_with_form(page, STAFF, PASSWORD)
    return page.goto(f"/{site.instance}/members").status


def password_page(errors: bool) -> Visit:
    """A member of staff with a password opens the change-password page, and sends it empty when ``errors``."""
    def visit(page: Page, site: Site) -> int:
        page.context.clear_cookies()
        page.goto("/sign-in")
        sign_in_with_form(page, STAFF, PASSWORD)
        status = page.goto("/account/password").status
        if not errors:
            return status
        with page.expect_response(lambda response: response.request.method == "POST") as posted:
            page.get_by_role("button", name="Change password").click()
        error_summary(page)
        return posted.value.status
    return visit


def members_with_errors(page: Page, site: Site) -> int:
    """An admin sends the members page's "Give role" form empty."""
    page.goto(f"/{site.instance}/members")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Give role").click()
    error_summary(page)
    return posted.value.status


def import_report(page: Page, site: Site) -> int:
    """An admin uploads a tracker with one impossible date and reads the report (problems answer 400)."""
    page.goto(f"{site.browse}import")
    page.set_input_files("input[type=file][name=file]", files=[{"name": "tracker.csv", "mimeType": "text/csv",
                                          "buffer": b"Project title,Start date,Notes\nA,31/02/2025,x\n"}])
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-problems")).to_be_visible()
    return posted.value.status


#: Each page type: how a user gets there, and the HTTP status it answers with.
PAGES: dict[str, tuple[Visit, int]] = {
    "site home": (goto(lambda site: "/"), 200),
    "instance home": (goto(lambda site: site.instance_home), 200),
    "browse with filters": (goto(lambda site: f"{site.browse}?status=In+progress&division=Surgery&sort=title"), 200),
    "browse, searched": (goto(lambda site: f"{site.browse}?q=sepsis"), 200),
    "new form": (goto(lambda site: site.new), 200),
    "form with errors": (form_with_errors, 400),
    "record page": (goto(lambda site: site.record(SAMPLE)), 200),
    "edit form": (goto(lambda site: site.record(SAMPLE) + "/edit"), 200),
    "history": (goto(lambda site: site.record(SAMPLE) + "/history"), 200),
    "unknown record": (goto(lambda site: site.record("QI-9999")), 404),
    "unknown instance": (goto(lambda site: "/no-such-team/"), 404),
    "sign in": (goto(lambda site: "/sign-in"), 200),
    "sign in with errors": (sign_in_with_errors, 400),
    "my submissions": (goto(lambda site: "/mine"), 200),
    "members": (goto(lambda site: f"/{site.instance}/members"), 200),
    "members with errors": (members_with_errors, 400),
    "deleted records": (goto(lambda site: f"/{site.instance}/bin"), 200),
    "permission refused": (refused, 403),
    "change password": (password_page(errors=False), 200),
    "change password with errors": (password_page(errors=True), 400),
    "password managed elsewhere": (goto(lambda site: "/account/password"), 200),
    "delete confirmation": (goto(lambda site: site.record(SAMPLE) + "/delete"), 200),
    "import page": (goto(lambda site: f"{site.browse}import"), 200),
    "import report": (import_report, 400),
}


@pytest.mark.parametrize("kind", PAGES)
def test_page_has_no_accessibility_violations(page: Page, site: Site, kind: str):
    visit, expected = PAGES[kind]
    status = visit(page, site)
    assert status == expected, f"{kind}: {page.url} answered {status}, not {expected}"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("browse", shipped_repositories(REPO_ROOT))
def test_every_shipped_repository_shows_accessible_pages(page: Page, browse: str):
    """Types written only in YAML: their browse page, form and (when there are samples) first record."""
    for url in (browse, browse + "new"):
        assert page.goto(url).status == 200, f"{url} did not answer 200"
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
    page.goto(browse)
    first = page.get_by_role("table").get_by_role("link")
    if first.count():
        first.first.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)


def test_browse_page_fits_a_phone_without_scrolling_sideways(browser: Browser, live_server: str, site: Site):
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 812},
                                  is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{site.browse}?status=In+progress")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"the browse page is {widths[0]}px wide on a {widths[1]}px phone screen"
    finally:
        context.close()


@pytest.mark.parametrize("browse", shipped_repositories(REPO_ROOT))
def test_every_shipped_listing_fits_beside_its_filters_on_a_laptop_screen(browser: Browser, live_server: str,
                                                                         browse: str):
    """At 1280 px wide the table fits its column: nobody has to scroll sideways to see when a record changed."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(browse)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        widths = page.evaluate("() => { const box = document.querySelector('.app-table-wrapper');"
                               " return box ? [box.scrollWidth, box.clientWidth] : [0, 0]; }")
        assert widths[0] <= widths[1], f"{browse}: the table is {widths[0]}px wide in a {widths[1]}px column"
    finally:
        context.close()
