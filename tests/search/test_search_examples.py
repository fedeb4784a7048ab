"""Ranked search as staff use it: the examples they type, through the browse page, the store and the API.

The project is the shipped schemas folder (with its thesaurus) plus one small type written here with a file
field that takes .txt; the instances and the records are this module's own, loaded through the one write
path (``Records.create``). Each test reads; none writes, so the site is built once for the module, on each
backend: the embedded store and PostgreSQL answer every example alike.
"""
from __future__ import annotations

import io
import shutil
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from engine.search.parse import parse
from engine.store.base import Query, Upload
from engine.web.app import create_app
from pgkit import BACKENDS

ROOT = Path(__file__).resolve().parents[2]
BASE = "/quality/qi-project/"
PACKS = "/quality/project-pack/"

#: A repository type with a file field that takes plain text, so an attached file's words can be searched.
PROJECT_PACK = """
name: project-pack
title: Project pack
title_plural: Project packs
description: Charters, driver diagrams and reports kept for reuse.
reference_prefix: PP
record_title: title
fields:
  - {name: title, type: text, label: Pack title, required: true}
  - {name: summary, type: textarea, label: Summary}
  - {name: documents, type: file, label: Documents, multiple: true, accept: [.txt, .pdf], max_size_mb: 1}
statuses: [Draft, {name: Published, closed: true}]
listing:
  columns: [reference, title, status, updated]
  facets: [status]
"""

QUALITY = """
title: Quality Improvement Team
organisation: Example NHS Foundation Trust
repositories: [qi-project, project-pack]
"""

AUDIT = """
title: Clinical Audit and Effectiveness
organisation: Example NHS Foundation Trust
repositories: [clinical-audit]
"""

#: Projects, in the order they are created (QI-0001 first). Keys name them in the tests.
LONG_BACKGROUND = (
    "Handover between the day and night medical teams happens in a crowded office at 8pm and again at 8am. "
    "Junior doctors told us that jobs are passed on by memory, that outstanding bloods and scans are lost, "
    "and that patients who are unwell are not always flagged to the night registrar. An incident review in "
    "the spring found that a patient's evening dose of insulin was not given because the task was not handed "
    "over. Staff surveys show that most juniors do not feel confident that their list is complete when they "
    "leave, and the medical registrars would like a single electronic list with a clear owner for each task. "
    "The wards also want a regular time and place so that nurses in charge can join the meeting, hear about "
    "their patients and raise worries of their own. We have looked at how other trusts run their evening "
    "meetings and have chosen a structured format with a short safety huddle at the start.")

PROJECTS = {
    "long": dict(title="Safer handover of inpatients between day and night teams",
                 aim="Every outstanding task handed over on the electronic list by June 2026.",
                 background=LONG_BACKGROUND),
    "falls_wards": dict(title="Reducing inpatient falls on elderly care wards",
                        aim="Reduce falls with harm on Wards 10 and 11 by 25% by March 2026.",
                        background="Falls are the most reported patient safety incident in the Medicine "
                                   "Division; lying and standing blood pressure was rarely recorded.",
                        specialty="Geriatric Medicine"),
    "falls_night": dict(title="Preventing falls at night with enhanced observation",
                        aim="Halve the number of falls on Ward 7 between midnight and 6am.",
                        background="Most falls on Ward 7 happen at night when patients walk to the toilet alone.",
                        status="Completed", outcomes="Night-time falls went down from nine to three a month."),
    "discharge_letters": dict(title="Improving discharge letters for GPs",
                              aim="Send every discharge letter to the patient's GP within 24 hours.",
                              background="GPs told us that letters arrive late and leave out changes to medicines.",
                              status="Proposed"),
    "discharge_amu": dict(title="Earlier discharge from the acute medical unit",
                          aim="Discharge half of the patients going home before midday by June 2026.",
                          background="Patients waiting for medicines to take out keep beds full all afternoon."),
    "parkinsons": dict(title="Time-critical Parkinson's medicines on Ward 12",
                       aim="Give 95% of Parkinson's doses within 30 minutes of the prescribed time.",
                       background="A review of incidents found late doses of levodopa for patients admitted "
                                  "to the neurology ward."),
    "bay_nursing": dict(title="Bay nursing on the respiratory ward",
                        aim="A registered nurse stays in each bay of Ward 22 at all times.",
                        background="Bay nursing was introduced after two patients deteriorated unseen; it "
                                   "came with staff education on early warning scores."),
    "bay_apart": dict(title="Bedside handover on surgical wards",
                      aim="Hand over every patient at the bedside, bay by bay, by May 2026.",
                      background="Nursing staff said the office handover took too long and left out what "
                                 "patients could have told us.", division="Surgery"),
    "pressure": dict(title="Reducing hospital-acquired pressure ulcers on surgical wards",
                     aim="Halve category 2 pressure ulcers by April 2026 with SSKIN bundle checks.",
                     background="Pressure ulcers were the second most reported harm in Surgery last year.",
                     division="Surgery"),
    "vte_assessment": dict(title="VTE risk assessment within 14 hours of admission",
                           aim="Assess 95% of adult admissions for VTE risk within 14 hours.",
                           background="The last audit found 71% of medical admissions had a VTE risk "
                                      "assessment recorded."),
    "vte_joints": dict(title="Preventing venous thromboembolism after hip and knee replacement",
                       aim="Every patient goes home with the right anticoagulant and knows how to take it.",
                       background="Three readmissions with venous thromboembolism last year followed doses "
                                  "skipped at home.", division="Surgery"),
    "haemoglobin": dict(title="Fewer repeat haemoglobin tests on the acute medical unit",
                        aim="Cut repeat full blood counts taken within 24 hours by a third.",
                        background="Repeat haemoglobin tests add cost and cause avoidable anaemia."),
    "sepsis": dict(title="Sepsis screening in the Emergency Department",
                   aim="Screen 90% of adults with suspected sepsis within one hour of arrival.",
                   background="Only 58% of patients triggering the screening tool received antibiotics "
                              "within the hour.", division="Emergency and Urgent Care", status="Completed",
                   outcomes="Screening within the hour rose from 58% to 87%."),
    "dna": dict(title="Reducing DNA rates in paediatric outpatient clinics",
                aim="Reduce the did not attend (DNA) rate in paediatric outpatient clinics from 14% to 8% "
                    "by sending text message reminders.",
                background="One in seven children booked into clinic was not brought to their appointment, "
                           "wasting slots that other families needed.", division="Women and Children"),
    "physio": dict(title="Physiotherapy-led early mobilisation after hip fracture",
                   aim="Get 90% of patients out of bed within 24 hours of surgery.",
                   background="Patients who sit out early regain walking sooner.", division="Surgery"),
    "hostile": dict(title="Hand hygiene feedback on Ward 3",
                    aim="Raise hand hygiene compliance on Ward 3 to 98%.",
                    background="<script>alert(1)</script> was pasted into the email template by mistake; "
                               "the observations showed 92% compliance."),
    "insulin": dict(title="Safer insulin prescribing on surgical wards",
                    aim="No omitted or delayed doses on the surgical wards by September 2026.",
                    background="Omitted doses were found in one in ten drug chart reviews.", division="Surgery"),
}


def project_values(title: str, aim: str, background: str, **extra) -> dict:
    values = {"title": title, "aim": aim, "background": background, "project_lead": "Megan Price",
              "division": "Medicine", "methodology": "Model for Improvement", "start_date": "2025-01-06"}
    values.update(extra)
    return values


def write_project(root: Path) -> dict[str, str]:
    shutil.copytree(ROOT / "schemas", root / "schemas")
    (root / "schemas" / "project-pack.yaml").write_text(textwrap.dedent(PROJECT_PACK))
    for name, text in (("quality", QUALITY), ("audit", AUDIT)):
        (root / "instances" / name).mkdir(parents=True)
        (root / "instances" / name / "instance.yaml").write_text(textwrap.dedent(text))
    return {"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
            "SCHEMAS": str(root / "schemas"), "INSTANCES": str(root / "instances"), "DATA": str(root / "data")}


@pytest.fixture(scope="module", params=BACKENDS)
def app(request, tmp_path_factory):
    """The site, once on each backend (on PostgreSQL, a schema of its own in the test database)."""
    config = write_project(tmp_path_factory.mktemp("search"))
    if request.param == "postgresql":
        config["DATABASE_URL"] = request.getfixturevalue("test_database").site()
    app = create_app(config)
    site = app.extensions["repo_engine"]
    records = site.records(site.repository("quality", "qi-project"))
    app.refs = {}
    for key, values in PROJECTS.items():
        values = dict(values)
        status = values.pop("status", "In progress")
        app.refs[key] = records.create(project_values(**values), user="ann", status=status, history=True).reference
    packs = site.records(site.repository("quality", "project-pack"))
    charter = (b"Project charter\nScope: elective day surgery lists.\nWe will run weekly gemba walks with the "
               b"theatre coordinators to find the time lost between cases.\n")
    app.refs["charter"] = packs.create(
        {"title": "Lean review of day surgery lists", "summary": "The charter and run charts."}, user="ann",
        uploads={"documents": [Upload(filename="Project charter.txt", stream=io.BytesIO(charter))]}).reference
    app.refs["no_file"] = packs.create({"title": "Driver diagram for theatre start times",
                                        "summary": "Primary drivers: late arrival of patients and kit."},
                                       user="ann").reference
    yield app
    site.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ref(app):
    return app.refs


def html(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def rows(page: BeautifulSoup):
    return page.select("main tbody tr")


def results(page: BeautifulSoup) -> list[str]:
    """The references of the result rows, in order (the first cell's link)."""
    return [row.select_one("td a").get_text(strip=True) for row in rows(page)]


def browse(client, q: str, path: str = BASE, **more) -> BeautifulSoup:
    return html(client.get(path, query_string={"q": q, **more}))


def found(client, q: str, path: str = BASE) -> list[str]:
    return results(browse(client, q, path))


def stored(app, q: str, repo: str = "qi-project") -> list[str]:
    site = app.extensions["repo_engine"]
    hosted = site.repository("quality", repo)
    page = site.store(hosted).query(Query(q=q, search=parse(q, site.project.thesaurus), per_page=100))
    return [record.reference for record in page.records]


def row_of(page: BeautifulSoup, reference: str):
    for row in rows(page):
        if row.select_one("td a").get_text(strip=True) == reference:
            return row
    raise AssertionError(f"{reference} is not among the results {results(page)}")


def test_the_fixture_has_every_record(client, ref):
    page = html(client.get(BASE))
    assert len(rows(page)) == len(PROJECTS)


# -- word forms -----------------------------------------------------------------------------------------------
def test_falling_finds_the_falls_projects(app, client, ref):
    expected = {ref["falls_wards"], ref["falls_night"]}
    assert set(found(client, "falling")) == expected
    assert set(stored(app, "falling")) == expected


def test_discharging_finds_the_discharge_projects(app, client, ref):
    expected = {ref["discharge_letters"], ref["discharge_amu"]}
    assert set(found(client, "discharging")) == expected
    assert set(stored(app, "discharging")) == expected


@pytest.mark.parametrize("q", ["Parkinson’s", "Parkinson's", "parkinsons", "PARKINSONS"])
def test_every_way_of_writing_parkinsons_finds_the_record(app, client, ref, q):
    assert found(client, q) == [ref["parkinsons"]]
    assert stored(app, q) == [ref["parkinsons"]]


# -- phrases and the thesaurus ------------------------------------------------------------------------------
def test_a_quoted_phrase_needs_the_words_together(app, client, ref):
    assert found(client, '"bay nursing"') == [ref["bay_nursing"]]
    assert found(client, "“bay nursing”") == [ref["bay_nursing"]]     # typographic quotes
    # Unquoted, the record holding both words apart is found too: the quotes are what leave it out.
    assert ref["bay_apart"] in found(client, "bay nursing")


def test_bed_sores_finds_pressure_ulcers(app, client, ref):
    assert found(client, "bed sores") == [ref["pressure"]]
    assert stored(app, "bed sores") == [ref["pressure"]]


def test_vte_and_venous_thromboembolism_find_the_same_records(app, client, ref):
    expected = {ref["vte_assessment"], ref["vte_joints"]}
    assert set(found(client, "VTE")) == expected
    assert set(found(client, "venous thromboembolism")) == expected
    assert set(stored(app, "vte")) == set(stored(app, "venous thromboembolism")) == expected


def test_us_spelling_finds_uk_spelling(app, client, ref):
    assert found(client, "hemoglobin") == [ref["haemoglobin"]]
    assert found(client, "haemoglobin") == [ref["haemoglobin"]]


def test_missed_outpatient_appointments_finds_the_dna_project(app, client, ref):
    """The thesaurus has "missed appointment" = "did not attend"; the record says DNA and "did not attend"."""
    q = "reduce missed outpatient appointments"
    assert found(client, q)[0] == ref["dna"]
    assert stored(app, q)[0] == ref["dna"]


# -- forgiving queries ----------------------------------------------------------------------------------------
def test_a_misspelling_finds_nothing_and_offers_the_right_word(client, ref):
    page = browse(client, "sepsiss")
    assert results(page) == []
    offer = page.select_one(".app-suggestion a")
    assert offer is not None
    assert offer.get_text(strip=True) == "sepsis"
    assert "q=sepsis" in offer["href"] and "sepsiss" not in offer["href"]
    assert found(client, "sepsis") == [ref["sepsis"]]


def test_one_stray_word_does_not_empty_the_results(client, ref):
    answer = found(client, "falls prevention zebra")
    assert {ref["falls_wards"], ref["falls_night"]} <= set(answer)
    assert answer[0] == ref["falls_night"]          # "falls" and "prevention" both


def test_a_two_letter_word_does_not_match_everything(client, ref):
    answer = found(client, "ed")
    assert answer == [ref["sepsis"]]                # ED: the emergency department, through the thesaurus
    assert ref["bay_nursing"] not in answer         # "education" begins with "ed": not a prefix match
    assert len(found(client, "ed")) < len(PROJECTS)


def test_the_last_word_is_also_a_prefix(app, client, ref):
    assert found(client, "physio")[0] == ref["physio"]
    assert stored(app, "physio")[0] == ref["physio"]


# -- operators --------------------------------------------------------------------------------------------------
def test_a_minus_word_leaves_records_out(client, ref):
    answer = found(client, "falls -night")
    assert ref["falls_wards"] in answer
    assert ref["falls_night"] not in answer
    assert ref["falls_night"] in found(client, "falls")


def test_or_finds_either(client, ref):
    answer = set(found(client, "falls OR sepsis"))
    assert {ref["falls_wards"], ref["falls_night"], ref["sepsis"]} <= answer


# -- ranking and sort -----------------------------------------------------------------------------------------
def test_a_title_match_ranks_above_one_mention_in_a_long_background(app, client, ref):
    answer = found(client, "insulin")
    assert answer == [ref["insulin"], ref["long"]]
    assert stored(app, "insulin") == answer
    page = browse(client, "insulin")
    assert page.select_one(".app-sort-note").get_text(strip=True).startswith("The most relevant first")


def test_a_column_sort_overrides_relevance(client, ref):
    assert ref["long"] < ref["insulin"]             # made first, so first by reference
    page = browse(client, "insulin", sort="reference")
    assert results(page) == [ref["long"], ref["insulin"]]
    page = browse(client, "insulin", sort="-reference")
    assert results(page) == [ref["insulin"], ref["long"]]


# -- snippets ---------------------------------------------------------------------------------------------------
def test_a_result_shows_why_it_matched_with_the_word_marked(client, ref):
    page = browse(client, "levodopa")
    row = row_of(page, ref["parkinsons"])
    snippet = row.select_one("p.app-snippet")
    assert snippet is not None
    assert [mark.get_text() for mark in snippet.select("mark")] == ["levodopa"]
    assert "(Background and problem)" in snippet.get_text(" ", strip=True)


def test_a_hostile_value_is_escaped_in_the_snippet(client, ref):
    response = client.get(BASE, query_string={"q": "alert"})
    page = html(response)
    row = row_of(page, ref["hostile"])
    snippet = row.select_one("p.app-snippet")
    assert snippet is not None
    assert [mark.get_text() for mark in snippet.select("mark")] == ["alert"]
    # Shown as text (the passage starts at its first word, so the "<" before "script" is not part of it).
    assert "alert(1)</script> was pasted" in snippet.get_text()
    assert row.select("script") == [] and snippet.select("script") == []
    assert "<script>alert" not in response.get_data(as_text=True)
    assert "(1)&lt;/script&gt; was pasted" in response.get_data(as_text=True)


def test_the_text_of_an_attached_file_is_searched(app, client, ref):
    page = browse(client, "gemba", PACKS)
    assert results(page) == [ref["charter"]]
    snippet = row_of(page, ref["charter"]).select_one("p.app-snippet")
    assert snippet is not None
    assert [mark.get_text() for mark in snippet.select("mark")] == ["gemba"]
    assert snippet.select_one(".app-snippet__where").get_text(strip=True) == "(in Project charter.txt)"
    assert stored(app, "gemba", "project-pack") == [ref["charter"]]
    assert found(client, "gemba") == []             # the other repository holds no such word


# -- the API --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("q", ["falling", "reduce missed outpatient appointments", "insulin", "physio"])
def test_the_api_lists_what_the_browse_page_lists(app, client, q):
    accounts = app.extensions["repo_engine"].accounts
    if accounts.get("api-reader") is None:
        accounts.add("api-reader", name="Api Reader")
    token = accounts.create_token("api-reader", "tests")
    response = client.get("/api/v1/quality/qi-project/records", query_string={"q": q},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
    listed = [record["reference"] for record in response.get_json()["records"]]
    assert listed and listed == found(client, q)


# -- after an edit (a site of its own: these tests write) -------------------------------------------------------
@pytest.fixture
def edited(tmp_path, backend):
    """This module's projects, searched once (so the index is built), then the only sepsis project edited to
    say "infection" instead. One record changed among many: the index is carried forward, not rebuilt."""
    app = create_app(write_project(tmp_path))
    site = app.extensions["repo_engine"]
    records = site.records(site.repository("quality", "qi-project"))
    made = {}
    for key, values in PROJECTS.items():
        values = dict(values)
        status = values.pop("status", "In progress")
        made[key] = records.create(project_values(**values), user="ann", status=status, history=True)
    client = app.test_client()
    assert found(client, "sepsis") == [made["sepsis"].reference]
    sepsis = made["sepsis"]
    records.update(sepsis.reference, {
        "title": "Infection screening in the Emergency Department",
        "aim": "Screen 90% of adults with suspected infection within one hour of arrival.",
        "outcomes": "Screening within the hour rose from 58% to 87%."}, user="ann", expected_version=sepsis.version)
    client.sepsis = sepsis.reference
    yield client
    site.close()


def test_an_edit_is_searched_at_once(edited):
    assert found(edited, "sepsis") == []
    assert found(edited, "infection") == [edited.sepsis]
    assert found(edited, "screening") == [edited.sepsis]


def test_did_you_mean_offers_only_words_records_still_hold(edited):
    page = browse(edited, "sepsiss")
    assert results(page) == []
    offer = page.select_one(".app-suggestion a")
    assert offer is None or found(edited, offer.get_text(strip=True)) != []
    # The edited record's new words are offered: the vocabulary follows the edit, it is not just emptied.
    corrected = browse(edited, "infektion").select_one(".app-suggestion a")
    assert corrected is not None and corrected.get_text(strip=True) == "infection"


@pytest.fixture
def binned(tmp_path, backend):
    """This module's projects with the physiotherapy project deleted (in the bin, which only admins see)."""
    app = create_app(write_project(tmp_path))
    site = app.extensions["repo_engine"]
    records = site.records(site.repository("quality", "qi-project"))
    made = {}
    for key, values in PROJECTS.items():
        values = dict(values)
        status = values.pop("status", "In progress")
        made[key] = records.create(project_values(**values), user="ann", status=status, history=True)
    records.delete(made["physio"].reference, user="ann")
    yield app.test_client()
    site.close()


def test_a_deleted_record_is_not_found(binned):
    assert found(binned, "physiotherapy") == []
    assert found(binned, "physio") == []
    assert html(binned.get("/search", query_string={"q": "physiotherapy"})).select("ol.app-results") == []


@pytest.mark.parametrize("path", [BASE, "/search"])
def test_did_you_mean_never_offers_a_word_only_a_deleted_record_holds(binned, path):
    page = html(binned.get(path, query_string={"q": "physiotherapyy"}))
    assert page.select("main tbody tr, ol.app-results li") == []
    assert page.select(".app-suggestion a") == []
