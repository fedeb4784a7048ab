"""Columns that match no field: read into the field a person chooses (on the import page, remembered for the next
import of the repository; ``--map`` on the command line), or ignored, never dropped without a word."""
from __future__ import annotations

import json
import os

import pytest
from bs4 import BeautifulSoup

from access_helpers import sign_in
from engine.exchange.remembered import RememberedColumns
from test_web_exchange import app, client, upload  # noqa: F401  (fixtures)

LEADS = "Project title,Lead E-mail,Notes\nSepsis screening,ann.lee@nhs.net,ask Ann\nFalls,bob@example.org,\n"


@pytest.fixture
def leads(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text(LEADS, encoding="utf-8")
    return str(path)


def test_a_mapped_column_fills_its_field(cli, leads, site):
    status, out, err = cli("import", "qi", "tracker", leads, "--map", "Lead E-mail=lead_email", "--map", "Notes=")
    assert status == 0, out + err
    assert "Lead E-mail -> Lead email (as chosen)" in out
    assert [r.values.get("lead_email") for r in site.store.iter_all()] == ["ann.lee@nhs.net", "bob@example.org"]


def test_without_a_map_the_report_names_the_column_it_leaves_out(cli, leads, site):
    status, out, _ = cli("import", "qi", "tracker", leads, "--dry-run")
    assert status == 0
    assert "Column ignored: Lead E-mail (not a field of improvement projects)" in out


def test_a_map_may_name_the_field_by_its_label(cli, leads, site):
    status, out, err = cli("import", "qi", "tracker", leads, "--map", "lead e-mail=Lead email")
    assert status == 0, out + err
    assert site.store.get("QI-0001").values["lead_email"] == "ann.lee@nhs.net"


@pytest.mark.parametrize("given, says", [
    ("Lead E-mail=lead_emial", "--map 'Lead E-mail=lead_emial': improvement projects have no field 'lead_emial'"),
    ("Lead Email=lead_email", "--map 'Lead Email=lead_email': leads.csv has no column 'Lead Email'"),
    ("lead_email", "should be the file's column, '=', then a field"),
])
def test_a_map_that_names_nothing_is_explained_and_nothing_is_written(cli, leads, site, given, says):
    status, out, err = cli("import", "qi", "tracker", leads, "--map", given)
    assert status == 1
    assert says in err and "Nothing was imported." in err
    assert site.store.count() == 0


def test_the_unknown_field_message_lists_the_fields_there_are(cli, leads):
    _, _, err = cli("import", "qi", "tracker", leads, "--map", "Lead E-mail=lead_emial")
    assert "Fields: reference, status, created, created_by, title, aim," in err


# -- the import page ---------------------------------------------------------------------------------------------
def _page(response):
    return BeautifulSoup(response.data, "html.parser")


def test_the_page_offers_a_field_for_each_column_that_matches_none(client, app):
    sign_in(client, app, username="ada", role="admin")
    page = _page(upload(client, LEADS.encode()))
    choices = {select["id"]: select for select in page.select("#import-columns select")}
    assert set(choices) == {"column-1", "column-2"}
    assert page.select_one("label[for=column-1]").get_text(strip=True) == "Lead E-mail"
    offered = [option.get_text(strip=True) for option in choices["column-1"].select("option")]
    assert offered[0] == "Ignore this column" and "Lead email" in offered
    assert "Project title" not in offered, "a field another column fills already is not offered"


def test_a_chosen_column_is_read_imported_and_remembered_for_the_next_file(client, app, site, tmp_path):
    sign_in(client, app, username="ada", role="admin")
    held = _page(upload(client, LEADS.encode())).select_one("#import-columns input[name=held]")["value"]
    checked = _page(client.post("/qi/tracker/import/columns",
                                data={"held": held, "column-1": "lead_email", "column-2": ""}))
    assert "Lead E-mail (as Lead email)" in checked.select_one(".nhsuk-summary-list").get_text()
    assert "Notes (ignored, as chosen)" in checked.get_text()
    confirm = {field["name"]: field["value"] for field in checked.select("#import-confirm input[type=hidden]")}
    assert confirm["column-1"] == "lead_email"
    response = client.post("/qi/tracker/import/confirm", data=confirm)
    assert response.status_code == 302
    assert site.store.get("QI-0004").values["lead_email"] == "ann.lee@nhs.net"

    again = _page(upload(client, "Project title,Lead E-mail\nHand hygiene,cy@nhs.net\n".encode()))
    chosen = again.select_one("#column-1 option[selected]")
    assert chosen is not None and chosen["value"] == "lead_email", "the choice is remembered"
    client.post("/qi/tracker/import/confirm",
                data={f["name"]: f["value"] for f in again.select("#import-confirm input[type=hidden]")})
    assert site.store.get("QI-0006").values["lead_email"] == "cy@nhs.net"
    kept = json.loads((tmp_path / "data" / "import-columns" / "qi.tracker.json").read_text())
    assert kept == {"columns": {"lead e-mail": "lead_email", "notes": ""}}


def test_remembered_choices_are_used_from_the_command_line_too(cli, leads, site, tmp_path):
    RememberedColumns(tmp_path / "data", "qi", "tracker").remember({"Lead E-mail": "lead_email"})
    status, out, _ = cli("import", "qi", "tracker", leads)
    assert status == 0 and site.store.get("QI-0002").values["lead_email"] == "bob@example.org"


def test_remembering_keeps_earlier_choices_and_survives_a_crash_mid_write(tmp_path, monkeypatch):
    remembered = RememberedColumns(tmp_path, "qi", "tracker")
    remembered.remember({"Lead E-mail": "lead_email"})
    remembered.remember({"Notes": ""})
    assert remembered.load() == {"lead e-mail": "lead_email", "notes": ""}

    def power_cut(*args):
        raise OSError("power cut")
    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError):
        remembered.remember({"Budget (GBP)": "budget"})
    monkeypatch.undo()
    assert remembered.load() == {"lead e-mail": "lead_email", "notes": ""}, "the earlier choices, whole"
    assert [p.name for p in remembered.path.parent.iterdir() if p.suffix == ".tmp"] == []


def test_a_damaged_or_outdated_remembered_choice_is_asked_again(client, app, tmp_path):
    sign_in(client, app, username="ada", role="admin")
    folder = tmp_path / "data" / "import-columns"
    folder.mkdir(parents=True)
    (folder / "qi.tracker.json").write_text('{"columns": {"lead e-mail": "retired_field"}}')
    page = _page(upload(client, LEADS.encode()))
    assert page.select_one("#column-1 option[selected]") is None, "a field the type no longer has"
    (folder / "qi.tracker.json").write_text("{not json")
    assert upload(client, LEADS.encode()).status_code == 200


def test_a_choice_is_read_against_the_headers_below_a_title_row(client, app, site):
    sign_in(client, app, username="ada", role="admin")
    text = "Projects 2025,,\nProject title,Budget,Lead E-mail\nSepsis,12,ann.lee@nhs.net\n"
    held = _page(upload(client, text.encode())).select_one("#import-columns input[name=held]")["value"]
    checked = _page(client.post("/qi/tracker/import/columns", data={"held": held, "column-2": "lead_email"}))
    assert checked.select_one("label[for=column-2]").get_text(strip=True) == "Lead E-mail"
    client.post("/qi/tracker/import/confirm",
                data={f["name"]: f["value"] for f in checked.select("#import-confirm input[type=hidden]")})
    assert site.store.get("QI-0004").values == {"title": "Sepsis", "budget": 12, "lead_email": "ann.lee@nhs.net"}
