"""Finding earlier work as a person does: the header's search box, the trust-wide results, and the
"Has this been done before?" panel of the new-record form, located by what is printed on them."""
from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

#: Words of a sample guideline's title (instances/clinical-governance/samples/local-guideline.yaml) that no
#: improvement project shares: typed on a QI form, the match can only come from another department.
GUIDELINE_WORDS = "Gentamicin dosing and monitoring"
GUIDELINE_TITLE = "Gentamicin dosing and monitoring in adults"
GUIDELINE_URL = re.compile(r"/clinical-governance/local-guideline/GL-\d{4}$")
SIMILAR_JSON = re.compile(r"/similar\?")


def similar_panel(page: Page) -> Locator:
    """The panel, as a screen-reader user finds it: a region named by its heading."""
    panel = page.get_by_role("region", name="Has this been done before?")
    expect(panel).to_be_visible()
    return panel


def similar_links(page: Page) -> Locator:
    return page.locator("#similar-work .app-similar__list .app-similar__item").get_by_role("link")


def similar_status(page: Page) -> Locator:
    return page.locator("#similar-status")


def type_title(page: Page, words: str, label: str = "Project title") -> None:
    page.get_by_label(label, exact=True).fill(words)


def header_search(page: Page) -> Locator:
    """The search form in the page's header (inside its search landmark)."""
    return page.get_by_role("banner").get_by_role("search").locator('form[action$="/search"]')


def records_listed(page: Page) -> int:
    """The number a browse page's sentence starts with ("12 improvement projects")."""
    sentence = page.locator("#results-sentence").inner_text()
    found = re.match(r"\s*([\d,]+) ", sentence)
    assert found, f"no count in the browse page's sentence {sentence!r}"
    return int(found.group(1).replace(",", ""))


def fits_the_screen(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]}px wide on a {widths[1]}px screen"
