"""What a day of real use asked of lists, read as a reader on a phone and on paper: on a 375 px screen the
results come before the filters, for a reader signed in or not, and on A4 landscape every column of every row
is inside the paper's width."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser_site import Site

PHONE = {"width": 375, "height": 812}
#: The width print.css leaves on A4 landscape: 297 mm less two 12 mm margins, at 96 CSS pixels an inch.
A4_LANDSCAPE = {"width": round((297 - 2 * 12) / 25.4 * 96), "height": 700}


@pytest.mark.parametrize("who", ["page", "anonymous_page"])
def test_on_a_phone_the_results_come_before_the_filter_panel_s_choices(request, site: Site, who: str):
    page: Page = request.getfixturevalue(who)
    page.set_viewport_size(PHONE)
    page.goto(site.browse)
    panel = page.locator("details.app-filter-panel")
    first_record = page.locator("main tbody tr").first
    expect(first_record).to_be_visible()
    # Closed, the panel is its one-line "Filter" control: none of its checkboxes stand before the results.
    expect(panel.locator("input[type=checkbox]").first).to_be_hidden()
    summary = panel.locator("summary").bounding_box()
    assert summary["height"] < 48, f"the closed filter panel is {summary['height']}px high"
    top = first_record.bounding_box()["y"]
    assert top < PHONE["height"], f"the first record starts {top}px down, below the first screen"
    # Opened, its choices push the results down, inside the screen's width, instead of covering them.
    panel.locator("summary").click()
    checkboxes = panel.locator("input[type=checkbox]")
    expect(checkboxes.first).to_be_visible()
    last = checkboxes.last.bounding_box()
    assert last["x"] + last["width"] <= PHONE["width"] + 0.5
    assert first_record.bounding_box()["y"] >= last["y"] + last["height"]


def test_printed_every_cell_of_every_row_is_inside_a4_landscape(page: Page, site: Site):
    page.set_viewport_size(A4_LANDSCAPE)
    page.goto(site.browse)
    page.emulate_media(media="print")
    headings = page.locator("main thead th")
    assert headings.count() >= 6
    expect(page.locator("details.app-filter-panel")).to_be_hidden()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the printed list is {widths[0]}px wide on {widths[1]}px of paper"
    for row in page.locator("main table tr").all():
        cells = row.locator("th, td")
        assert cells.count() == headings.count(), "a printed row has lost a column"
        for cell in cells.all():
            box = cell.bounding_box()
            assert box is not None and box["width"] > 0, f"{cell.inner_text()!r} is not printed"
            assert box["x"] >= 0 and box["x"] + box["width"] <= A4_LANDSCAPE["width"] + 0.5, (
                f"{cell.inner_text()!r} runs off the paper")
