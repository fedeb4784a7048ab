"""An editor moves QI projects on through the workflow in a real browser: approves one with a comment, sends
another back (refused until the reason is given), and the history shows both; the action page and the record
page with its discussion pass the accessibility audit."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_axe import audit
from browser_site import ADMIN, Site

pytestmark = pytest.mark.browser
EDITOR = "browser-editor"


@pytest.fixture
def editor_page(browser: Browser, live_server: str, live_app, site: Site, signed_in_as):
    """A tab signed in as an editor of the QI projects' instance (an account with that role alone); fails the
    test if the page raised a JavaScript error."""
    accounts = live_app.extensions["repo_engine"].accounts
    if accounts.get(EDITOR) is None:
        accounts.add(EDITOR, name="Eve Editor")
    accounts.grant(EDITOR, site.instance, "editor")
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    signed_in_as(context, EDITOR)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, errors


def proposed(live_app, site: Site, title: str) -> str:
    """A Proposed QI project made for this test alone, with the measures approval needs: its reference."""
    engine = live_app.extensions["repo_engine"]
    hosted = engine.repository(site.instance, site.repository)
    sample = engine.store(hosted).get("QI-0001").values
    hidden = {f.name for f in hosted.rtype.fields if f.show_when is not None or f.kind.holds_files}
    values = {**{name: value for name, value in sample.items() if name not in hidden},
              "title": title, "measures": "Falls per 1,000 bed days, weekly."}
    record = engine.records(hosted).create(values, user=ADMIN)
    assert record.status == "Proposed"
    return record.reference


def no_violations(page: Page) -> None:
    found = audit(page)
    assert not found, "\n".join(f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in found)


def test_an_editor_approves_one_project_and_sends_another_back(editor_page: Page, live_app, site: Site):
    page = editor_page
    first = proposed(live_app, site, "Falls prevention on ward 7")
    second = proposed(live_app, site, "Sepsis screening in ED")

    page.goto(site.record(first))
    page.get_by_role("button", name=f"Approve {first}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Approve {first}: Falls prevention on ward 7")
    no_violations(page)
    page.get_by_label("Comment (optional)").fill("Good measures.\nGo ahead.")
    page.get_by_role("button", name=f"Approve {first}").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Approved")
    expect(page.locator(".nhsuk-tag").first).to_contain_text("Approved")

    page.goto(site.record(second))
    page.get_by_role("button", name=f"Send back {second}").click()
    page.get_by_role("button", name=f"Send back {second}").click()      # no reason given
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a comment to send back")
    no_violations(page)
    summary.get_by_role("link", name="Enter a comment to send back").click()
    expect(page.get_by_label("Comment", exact=True)).to_be_focused()
    page.get_by_label("Comment", exact=True).fill("Add the baseline data, please.")
    page.get_by_role("button", name=f"Send back {second}").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Sent back")

    page.get_by_label("Add a comment").fill("Baseline data is in the appendix.")
    page.get_by_role("button", name="Add comment").click()
    discussion = page.locator("#discussion")
    expect(discussion).to_contain_text("Baseline data is in the appendix.")
    expect(discussion).to_contain_text("Eve Editor")
    no_violations(page)

    page.goto(f"{site.record(first)}/history")
    expect(page.locator(".app-version").first).to_contain_text("Approve by Eve Editor")
    expect(page.locator(".app-version-comment").first).to_contain_text("Good measures.")
    page.goto(f"{site.record(second)}/history")
    expect(page.locator("main section").first).to_contain_text("Comment by Eve Editor")
    expect(page.locator(".app-version").first).to_contain_text("Send back by Eve Editor")
    expect(page.locator(".app-version-comment").first).to_contain_text("Add the baseline data, please.")
