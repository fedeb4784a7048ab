"""Every kind of page works under its Content-Security-Policy: nothing it loads is refused, our script (allowed
by its nonce) runs and starts the NHS.UK frontend components, and a script slipped into the page would not."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page

from browser_site import Site
from test_browser_accessibility import PAGES

pytestmark = pytest.mark.browser

#: Runs before any of the page's own scripts (through the browser, not the page, so the policy allows it).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(`${e.violatedDirective} refused ${e.blockedURI || 'inline'}`));
"""


@pytest.fixture
def watched(page: Page) -> Page:
    page.add_init_script(RECORD_VIOLATIONS)
    return page


@pytest.mark.parametrize("kind", PAGES)
def test_page_loads_nothing_its_policy_refuses_and_its_scripts_run(watched: Page, site: Site, kind: str):
    visit, expected = PAGES[kind]
    assert visit(watched, site) == expected
    watched.wait_for_selector("[data-nhsuk-header-init]", state="attached")
    assert watched.evaluate("document.body.classList.contains('js-enabled')")
    assert watched.evaluate("window.__violations") == [], kind


def test_a_script_injected_into_a_page_is_refused(watched: Page, site: Site):
    watched.goto(site.browse)
    watched.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.__ran = true';
        document.body.appendChild(s);
    }""")
    assert watched.evaluate("window.__ran === undefined")
    assert any(v.startswith("script-src") for v in watched.evaluate("window.__violations"))
