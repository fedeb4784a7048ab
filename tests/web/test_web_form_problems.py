"""A refused form names every problem at once: the files it refuses (each by name), the values and the rules,
so that one round of corrections is enough, whichever of them the save meets first."""
from __future__ import annotations

from pathlib import Path

from daykit import PROJECTS, a_file, chris, day_app, improvement_project, store  # noqa: F401
from webpages import html

SEVENTEEN = ", ".join(f"keyword {n}" for n in range(1, 18))


def problems(response) -> dict[str, str]:
    """The error summary: the id each problem links to, and what it says."""
    return {a["href"]: a.get_text(" ", strip=True) for a in html(response).select(".nhsuk-error-summary a")}


def kept_files(app) -> list[Path]:
    return [path for path in Path(app.config["DATA"]).rglob("*") if path.is_file() and "attachments" in path.parts]


def post(client, **values):
    return client.post(PROJECTS + "new", data=improvement_project(**values), content_type="multipart/form-data")


def test_a_refused_file_is_listed_with_the_empty_aim_and_too_many_keywords(chris, day_app):
    response = post(chris, aim="", keywords=SEVENTEEN, documents=a_file("notes.txt", b"Meeting notes"))
    assert response.status_code == 400
    found = problems(response)
    assert list(found) == ["#aim", "#keywords", "#documents"]       # in the order the form asks
    assert found["#aim"] == "Enter aim"
    assert found["#keywords"] == "Enter no more than 15 entries for keywords"
    assert "notes.txt was not attached" in found["#documents"]
    assert found["#documents"].startswith("Project documents: The file must be a PDF, Word document")
    assert store(day_app).count() == 0


def test_a_file_whose_content_is_not_what_its_name_says_is_listed_with_the_rest(chris, day_app):
    response = post(chris, aim="", documents=a_file("charter.pdf", b"MZ\x90\x00 a program"))
    assert response.status_code == 400
    assert set(problems(response)) == {"#aim", "#documents"}
    assert "charter.pdf was not attached" in problems(response)["#documents"]


def test_a_value_the_form_cannot_read_is_listed_with_a_refused_file(chris, day_app):
    """The save is never tried when a date cannot be read: the file is still checked, and nothing is kept."""
    response = post(chris, **{"start_date-day": "31", "start_date-month": "2"},
                    documents=a_file("notes.txt", b"Meeting notes"))
    assert response.status_code == 400
    found = problems(response)
    assert list(found) == ["#start_date", "#documents"]
    assert "notes.txt was not attached" in found["#documents"]
    assert kept_files(day_app) == []


def test_once_every_problem_is_fixed_the_project_saves_in_one_round(chris, day_app):
    refused = post(chris, aim="", keywords=SEVENTEEN, documents=a_file("notes.txt", b"Meeting notes"))
    assert refused.status_code == 400
    fixed = post(chris, keywords="falls, wards", documents=a_file("charter.pdf"))
    assert fixed.status_code == 302
    [record] = store(day_app).iter_all()
    assert record.values["keywords"] == ["falls", "wards"] and len(record.values["documents"]) == 1
    assert len([path for path in kept_files(day_app) if path.suffix != ".txt"]) == 1   # the charter alone
