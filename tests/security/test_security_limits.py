"""Very large, very long and very odd input: too-large bodies, 100 KB answers, 10,000-character searches, huge
page numbers, repeated filters, direction overrides, joiners, combining marks, emoji and control characters.
Each gets a clear message or is stored and shown as typed: never a 500, never half-written."""
from __future__ import annotations

import io
import time

import pytest
from werkzeug.datastructures import MultiDict

from access_helpers import sign_in
from hostile import CONTROL_CHARACTERS, ODD_UNICODE, assert_no_injected_markup, data_fingerprint, page_of, \
    records_in, shows
from web.conftest import make_app
from web.webpages import BASE, project, upload

PDF = b"%PDF-1.4 "


def problem(response) -> str:
    page = page_of(response)
    summary = page.select_one(".nhsuk-error-summary") or page.select_one("main")
    return summary.get_text(" ", strip=True)


@pytest.fixture
def small_app(tmp_path):
    """A site accepting at most 64 KB at once, so a too-large body is quick to send."""
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=64 * 1024)
    yield app
    app.extensions["repo_engine"].close()


@pytest.mark.parametrize("data", [
    {"aim": "x" * 100_000},
    {"report": upload("big.pdf", PDF + b"0" * 100_000)},
])
def test_a_body_over_the_limit_is_refused_with_its_size_and_writes_nothing(small_app, tmp_path, data):
    client = small_app.test_client()
    sign_in(client, small_app, "eve", role="editor")
    before = data_fingerprint(tmp_path / "data")
    response = client.post(BASE + "new", data=project(**data), content_type="multipart/form-data")
    assert response.status_code == 413
    assert "larger than the 0.0625 MB this service accepts at once" in problem(response)
    assert data_fingerprint(tmp_path / "data") == before


def test_an_answer_too_long_for_a_form_is_explained_as_such(app, client):
    response = client.post(BASE + "new", data=project(aim="x" * 600_000), content_type="multipart/form-data")
    assert response.status_code in (400, 413)
    assert "file" not in problem(response).lower()
    assert "answer" in problem(response).lower() or "characters or fewer" in problem(response)
    assert records_in(app) == []


def test_a_form_of_thousands_of_parts_is_explained_as_such(app, client):
    parts = MultiDict(list(project().items()) + [("domains", "Safe")] * 2000)
    response = client.post(BASE + "new", data=parts, content_type="multipart/form-data")
    assert response.status_code in (400, 413)
    assert "file" not in problem(response).lower()
    assert records_in(app) == []


@pytest.mark.parametrize("name, limit", [("title", "Project title must be 250"), ("aim", "Aim must be 20,000"),
                                         ("lead", "Project lead must be 200"), ("website", "Website must be 2,000")])
def test_a_100_kb_answer_gets_the_field_length_message(app, client, name, limit):
    value = "https://example.org/" + "x" * 100_000 if name == "website" else "x" * 100_000
    response = client.post(BASE + "new", data=project(**{name: value}))
    assert response.status_code == 400
    assert f"{limit} characters or fewer" in problem(response)
    assert records_in(app) == []


def test_an_answer_of_exactly_the_longest_length_is_kept_whole(app, client):
    aim = ("Fewer falls \u00e9\U0001F3E5 " * 2000)[:20_000]
    record = client.post(BASE + "new", data=project(aim=aim)).headers["Location"]
    [saved] = records_in(app)
    assert saved.values["aim"] == aim.strip()
    assert saved.values["aim"] in page_of(client.get(record)).get_text()


@pytest.mark.parametrize("text", ODD_UNICODE)
def test_odd_unicode_is_stored_and_shown_as_typed(app, client, text):
    record = client.post(BASE + "new", data=project(title=text, aim=text, lead=text, keywords=text))
    assert record.status_code == 302
    [saved] = records_in(app)
    assert (saved.values["title"], saved.values["aim"], saved.values["lead"]) == (text, text, text)
    assert saved.values["keywords"] == [text]
    for url in (record.headers["Location"], record.headers["Location"] + "/edit", BASE, BASE + "?q=" + text):
        page = assert_no_injected_markup(client.get(url))
        assert shows(page, text), url


@pytest.mark.parametrize("text", CONTROL_CHARACTERS)
def test_control_characters_are_dropped_so_every_export_can_hold_the_record(app, client, text):
    readable = "".join(c for c in text if c.isprintable() or c in "\t\n")
    response = client.post(BASE + "new", data=project(title=text, aim=text, keywords=text,
                                                      **{"start_date-day": "1\x00", "start_date-month": "2",
                                                         "start_date-year": "2026"}))
    assert response.status_code == 302, problem(response)
    [saved] = records_in(app)
    assert (saved.values["title"], saved.values["aim"], saved.values["keywords"]) == (readable, readable, [readable])
    assert saved.values["start_date"] == "2026-02-01"
    from engine.exchange.export import write_xlsx
    from engine.exchange.export import rows
    site = app.extensions["repo_engine"]
    repository = site.repository("qi", "qi-project")
    write_xlsx(repository.rtype, rows(repository.rtype, site.store(repository), [saved]), io.BytesIO())


@pytest.mark.parametrize("query", [
    "q=" + "falls " * 1700,
    "q=%00%ff%fe",
    "q=" + "%E2%80%AE" * 500,
    "page=" + "9" * 400,
    "page=-1", "page=0", "page=1e9", "page=%00",
    "sort=" + "-x" * 3000,
    "&".join(["division=Surgery"] * 1000 + ["keywords=falls"] * 1000),
    "division=%c3%28",
    "state=" + "x" * 5000,
    "start_date=" + "9" * 500 + ".." + "0" * 500,
    "budget=1e999..NaN",
])
def test_a_hostile_browse_address_gets_a_page_quickly(client, query):
    client.post(BASE + "new", data=project(keywords="falls"))
    started = time.perf_counter()
    response = client.get(BASE + "?" + query)
    assert time.perf_counter() - started < 5
    assert response.status_code in (200, 400), response.status_code
    page = assert_no_injected_markup(response)
    if response.status_code == 400:
        assert page.select_one(".nhsuk-error-summary"), "a refused search must say what was wrong"


@pytest.mark.parametrize("parts", [("99999999999999999999", "1", "2026"), ("1", "99999999999999999999", "2026"),
                                   ("\u00b2", "1", "2026"), ("1", "1", "0000")])
def test_a_date_of_impossible_numbers_is_refused_as_not_a_real_date(app, client, parts):
    day, month, year = parts
    response = client.post(BASE + "new", data=project(**{"start_date-day": day, "start_date-month": month,
                                                         "start_date-year": year}))
    assert response.status_code == 400
    assert "Start date must be a real date" in problem(response)
    assert records_in(app) == []


def test_a_date_typed_in_arabic_indic_digits_is_read_as_those_digits(app, client):
    response = client.post(BASE + "new", data=project(**{"start_date-day": "\u0661", "start_date-month": "\u0662",
                                                         "start_date-year": "2026"}))
    assert response.status_code == 302
    assert [r.values["start_date"] for r in records_in(app)] == ["2026-02-01"]


@pytest.mark.parametrize("budget", ["1e999", "NaN", "Infinity", "-inf", "9" * 5000, "1" + "0" * 400, "0x10"])
def test_a_number_no_one_could_mean_is_refused(app, client, budget):
    response = client.post(BASE + "new", data=project(budget=budget))
    assert response.status_code == 400
    assert "Budget" in problem(response)
    assert records_in(app) == []


@pytest.mark.parametrize("path", ["/qi/%00/", BASE + "QI-%00", "/qi/" + "x" * 10_000 + "/",
                                  BASE + "QI-" + "9" * 5000 + "/history", "/%E2%80%AE/"])
def test_hostile_addresses_get_a_not_found_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert_no_injected_markup(response)
