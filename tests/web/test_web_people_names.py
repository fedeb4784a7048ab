"""People are shown by the names their accounts give them ("Chris Jones"), as the page header shows them: on the
record page, its history, the bin and exports. Records keep usernames; an export keeps them in their own
columns, which an import reads back, and an import still reads a file with only a Created by column."""
from __future__ import annotations

import csv
import io

from daykit import PROJECTS, chris, day_app, improvement_project, store  # noqa: F401
from engine.exchange.matching import match_columns
from webpages import html


def submitted(client) -> str:
    response = client.post(PROJECTS + "new", data=improvement_project(), content_type="multipart/form-data")
    assert response.status_code == 302
    return response.headers["Location"]


def test_about_this_record_and_the_history_name_chris_jones_not_cjones(chris):
    record = submitted(chris)
    about = html(chris.get(record)).select_one("dl.app-about-record").get_text(" ", strip=True)
    assert "by Chris Jones" in about and "cjones" not in about
    heading = html(chris.get(record + "/history")).select_one("main section h2").get_text(" ", strip=True)
    assert heading.startswith("Version 1: created by Chris Jones on")


def test_someone_with_no_account_here_is_shown_as_the_record_says(chris, day_app):
    store(day_app).insert({"title": "Imported from the old tracker"}, user="Sam Okafor (imported)")
    about = html(chris.get(PROJECTS + "QI-0001")).select_one("dl.app-about-record").get_text(" ", strip=True)
    assert "by Sam Okafor (imported)" in about


def exported_rows(client) -> list[dict[str, str]]:
    response = client.get(PROJECTS + "export?format=csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_an_export_names_people_as_the_pages_do_beside_their_usernames(chris):
    submitted(chris)
    [row] = exported_rows(chris)
    assert (row["Created by"], row["Created by (username)"]) == ("Chris Jones", "cjones")
    assert (row["Updated by"], row["Updated by (username)"]) == ("Chris Jones", "cjones")
    headers = list(row)
    assert headers.index("Created by (username)") + 1 == headers.index("Created by")


def test_an_import_of_the_export_reads_the_usernames_and_of_an_older_file_its_created_by(chris, day_app):
    submitted(chris)
    rtype = day_app.extensions["repo_engine"].repository("qi", "qi-project").rtype
    exported = list(exported_rows(chris)[0])
    read = {header: column.name for _, header, column in match_columns(rtype, exported).matched}
    assert read["Created by (username)"] == "created_by" and "Created by" not in read
    older = match_columns(rtype, ["Project title", "Created by"]).matched
    assert [(header, column.name) for _, header, column in older] == [("Project title", "title"),
                                                                       ("Created by", "created_by")]
