"""Cells as people write them: "Safe, Effective" for several options, dates in words and day first (with the
report saying how a date that could mean another day was read), and a lead who has an account becoming the
record's creator, so they may edit it and find it among their own."""
from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup

from access_helpers import accounts, sign_in, signed_in_as
from engine.access.accounts import Accounts
from engine.fields import default_registry
from engine.fields.base import CellError
from engine.fields.dates import how_read, read_date, read_period
from engine.schema.model import Choice, Field
from test_web_exchange import app, client, upload  # noqa: F401  (fixtures)

MULTI = default_registry()["multichoice"]
CARE = Field("care", "multichoice", "Care groups", MULTI,
             choices=tuple(Choice(c, c) for c in ("Adults", "Women, children and families", "Older people")))


@pytest.mark.parametrize("cell, stored", [
    ("Adults; Older people", ["Adults", "Older people"]),
    ("Adults, Older people", ["Adults", "Older people"]),
    ("adults,older people", ["Adults", "Older people"]),
    ("Women, children and families", ["Women, children and families"]),
    ("Adults, Women, children and families, Older people", ["Adults", "Women, children and families", "Older people"]),
    ("Adults, Women,children and families", ["Adults", "Women, children and families"]),
    ("Adults, adults", ["Adults"]),
])
def test_several_options_are_read_whether_commas_or_semicolons_separate_them(cell, stored):
    assert MULTI.from_cell(CARE, cell) == stored


def test_a_comma_separated_word_that_is_no_option_is_named():
    with pytest.raises(CellError, match="'Children' is not one of the options"):
        MULTI.from_cell(CARE, "Adults, Children")


@pytest.mark.parametrize("cell, day", [
    ("1st May 2023", date(2023, 5, 1)), ("22nd May, 2023", date(2023, 5, 22)), ("3rd June 2024", date(2024, 6, 3)),
    ("May 2024", date(2024, 5, 1)), ("Sept 2024", date(2024, 9, 1)), ("May 22 2023", date(2023, 5, 22)),
    ("03/04/2023", date(2023, 4, 3)), ("13/04/2023", date(2023, 4, 13)), ("31 December 2025", date(2025, 12, 31)),
])
def test_dates_are_read_as_people_write_them_day_first(cell, day):
    assert read_date(cell) == day


@pytest.mark.parametrize("cell, said", [
    ("03/04/2023", "'03/04/2023' read as 3 April 2023"), ("May 2024", "'May 2024' read as 1 May 2024"),
    ("13/04/2023", None), ("05/05/2023", None), ("2023-04-03", None), ("1st May 2023", None),
])
def test_a_date_that_could_mean_another_day_says_how_it_was_read(cell, said):
    assert how_read(cell) == said


def test_a_month_filter_in_words_is_the_whole_month():
    month = read_period("May 2024")
    assert (month.start, month.end) == (date(2024, 5, 1), date(2024, 5, 31))


def test_the_dry_run_and_the_page_show_how_an_ambiguous_date_was_read(cli, tmp_path, client, app):
    path = tmp_path / "dates.csv"
    text = "Project title,Start date,Quality domains\nSepsis,03/04/2023,\"Safe, Effective\"\nFalls,1st May 2023,\n"
    path.write_text(text, encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path), "--dry-run")
    assert status == 0, out
    assert "Row 2: Start date: '03/04/2023' read as 3 April 2023" in out
    assert "Row 3: Start date" not in out, "1st May 2023 can mean one day only"
    sign_in(client, app, username="ada", role="admin")
    page = BeautifulSoup(upload(client, text.encode()).data, "html.parser")
    readings = [li.get_text(" ", strip=True) for li in page.select("#import-readings li")]
    assert readings == ["Row 2, Start date: '03/04/2023' read as 3 April 2023"]


def test_a_multichoice_typed_with_commas_is_imported(cli, tmp_path, site):
    path = tmp_path / "domains.csv"
    path.write_text("Project title,Quality domains\nSepsis,\"Safe, Effective\"\n", encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path))
    assert status == 0, out
    assert site.store.get("QI-0001").values["domains"] == ["Safe", "Effective"]


# -- a lead with an account ----------------------------------------------------------------------------------------
@pytest.fixture
def people(tmp_path):
    accounts = Accounts(tmp_path / "data")
    accounts.add("alee", name="Ann Lee", email="Ann.Lee@nhs.net")
    accounts.add("bsmith", name="Bob Smith", email="bob@example.org")
    return accounts


def test_a_lead_named_by_email_or_username_creates_the_record(cli, tmp_path, site, people):
    path = tmp_path / "leads.csv"
    path.write_text("Project title,Project lead,Created by\nSepsis,ann.lee@NHS.net,Sam Jones\n"
                    "Falls,BSMITH,\nDischarge,Cy Evans,Cy Evans\nHandover,Dee,bob@example.org\n", encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path), "--user", "lib", "--dry-run")
    assert "Row 2: created by the account alee, whom Project lead names" in out
    status, out, _ = cli("import", "qi", "tracker", str(path), "--user", "lib")
    assert status == 0, out
    creators = [(r.values["title"], r.values.get("lead"), r.created_by) for r in site.store.iter_all()]
    assert creators == [("Sepsis", "ann.lee@NHS.net", "alee"), ("Falls", "BSMITH", "bsmith"),
                        ("Discharge", "Cy Evans", "Cy Evans"), ("Handover", "Dee", "bsmith")]


def test_the_lead_may_edit_the_imported_record_and_finds_it_among_their_own(client, app, site):
    lead = accounts(app).add("alee", name="Ann Lee", email="ann.lee@nhs.net")
    accounts(app).grant(lead.username, "qi", "contributor")
    sign_in(client, app, username="ada", role="admin")
    page = BeautifulSoup(upload(client, b"Project title,Project lead\nSepsis audit,ann.lee@nhs.net\n").data,
                         "html.parser")
    client.post("/qi/tracker/import/confirm", data={"held": page.select_one("input[name=held]")["value"]})
    imported = site.store.get("QI-0004")
    assert (imported.created_by, imported.updated_by) == ("alee", "ada")
    signed_in_as(client, app, "alee")
    assert client.get("/qi/tracker/QI-0004/edit").status_code == 200
    mine = BeautifulSoup(client.get("/mine").data, "html.parser")
    assert "Sepsis audit" in mine.get_text()
