"""Submitting and editing: the generated form, its errors, conditional fields, files, conflicts and history."""
from __future__ import annotations

import json

from webpages import BASE, html, project, submit, upload


def summary(page) -> dict[str, str]:
    """The record page's summary list: label -> shown value."""
    rows = page.select("main dl.app-record-fields .nhsuk-summary-list__row")
    return {row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True) for row in rows}


def test_every_field_has_a_label_or_legend_and_an_input_it_names(client):
    page = html(client.get(BASE + "new"))
    form = page.select_one("form#main-form")
    for label in form.select("label[for]"):
        assert form.select(f"#{label['for']}"), f"label {label.get_text()} names no input"
    legends = [legend.get_text(" ", strip=True) for legend in form.select("fieldset > legend")]
    assert {"Division", "Quality domains (optional)", "Start date (optional)", "About the project"} <= set(legends)
    labels = {label.get_text(" ", strip=True) for label in form.select("label.nhsuk-label")}
    assert {"Project title", "Aim (optional)", "Budget (optional)", "Lead email (optional)", "Keywords (optional)",
            "Report (optional)", "Follows (optional)", "Patient facing"} <= labels
    assert form.select_one("#aim-hint").get_text() == "What will improve and by when."
    assert form.select_one("#aim")["aria-describedby"] == "aim-hint"
    assert "Accepted: .pdf, .txt. Up to 1 MB." in form.select_one("#report-accept").get_text(" ", strip=True)
    assert [i["name"] for i in form.select(".nhsuk-date-input input")] == [
        "start_date-day", "start_date-month", "start_date-year"]


def test_a_conditional_field_carries_its_condition_for_the_browser(client):
    wrapper = html(client.get(BASE + "new")).select_one("#field-outcomes")
    assert json.loads(wrapper["data-show-when"]) == {"field": "status", "op": "in", "values": ["Completed"]}


def test_submitting_the_form_shows_the_new_record(client):
    record = submit(client, title="Falls on Ward 12", domains=["Safe", "Caring"], budget="1500",
                    **{"start_date-day": "3", "start_date-month": "4", "start_date-year": "2026"},
                    patient_facing="true", keywords="falls, ward 12", lead_email="sam@nhs.net")
    assert record.endswith(BASE + "QI-0001")
    page = html(client.get(record))
    assert page.select_one("main h1").get_text() == "Falls on Ward 12"
    assert "QI-0001 has been saved." in page.select_one(".nhsuk-notification-banner").get_text()
    shown = summary(page)
    assert shown["Division"] == "Surgery"
    assert shown["Quality domains"] == "Safe Caring"     # one item each
    assert shown["Start date"] == "3 April 2026"
    assert shown["Keywords"] == "falls ward 12"
    assert shown["Budget"] == "1,500"
    assert shown["Patient facing"] == "Yes"
    assert page.select_one("main strong.nhsuk-tag").get_text() == "Proposed"
    about = page.select_one("main dl.app-about-record").get_text(" ", strip=True)
    assert "by Ann" in about


def test_a_refused_form_lists_each_problem_in_form_order_and_keeps_every_value(client):
    response = client.post(BASE + "new", data={
        "title": "", "aim": "Keep this aim", "domains": ["Caring"], "budget": "lots",
        "start_date-day": "31", "start_date-month": "2", "start_date-year": "2026", "keywords": "a, b",
        "patient_facing": "true",
    })
    assert response.status_code == 400
    page = html(response)
    summary_box = page.select_one(".nhsuk-error-summary")
    assert summary_box.h2.get_text(strip=True) == "There is a problem"
    links = [a["href"] for a in summary_box.select("a")]
    assert links == ["#start_date", "#budget", "#title", "#division"]     # fields without a section first
    for anchor in links:
        assert page.select_one(anchor) is not None
    assert page.select_one("#title-error").get_text(strip=True).startswith("Error:")
    assert page.select_one("#aim").get_text() == "Keep this aim"
    assert page.select_one("input[name=domains][value=Caring]").has_attr("checked")
    assert not page.select_one("input[name=domains][value=Safe]").has_attr("checked")
    assert page.select_one("#budget")["value"] == "lots"
    assert page.select_one("#start_date")["value"] == "31"
    assert page.select_one("#keywords")["value"] == "a, b"
    assert page.select_one("#patient_facing").has_attr("checked")
    assert page.title.get_text().startswith("Error:")


def test_a_hidden_conditional_field_is_not_stored(client):
    record = submit(client, outcomes="Not yet: the project has only been proposed")
    assert summary(html(client.get(record))).get("Outcomes") is None


def test_completing_a_project_requires_its_outcomes(client):
    record = submit(client)
    edit = html(client.get(record + "/edit"))
    version = edit.select_one("input[name=version]")["value"]
    response = client.post(record + "/edit", data=project(status="Completed", version=version))
    assert response.status_code == 400
    assert [a["href"] for a in html(response).select(".nhsuk-error-summary a")] == ["#outcomes"]
    response = client.post(record + "/edit", data=project(status="Completed", version=version,
                                                          outcomes="Falls halved"))
    assert response.status_code == 302
    page = html(client.get(record))
    assert summary(page)["Outcomes"] == "Falls halved"
    assert page.select_one("main strong.nhsuk-tag").get_text() == "Completed"


def test_an_attachment_is_listed_and_downloaded_as_a_file(client):
    response = client.post(BASE + "new", data=project(report=upload("plan.pdf", b"%PDF-1.4 plan")),
                           content_type="multipart/form-data")
    record = response.headers["Location"]
    page = html(client.get(record))
    link = page.select_one("main ul.app-attachments a")
    assert link.get_text() == "plan.pdf"
    assert "13 bytes" in link.parent.get_text()
    download = client.get(link["href"])
    assert download.status_code == 200
    assert download.data == b"%PDF-1.4 plan"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_refused_file_type_is_an_error_on_its_field(client):
    response = client.post(BASE + "new", data=project(report=upload("run.exe", b"MZ")),
                           content_type="multipart/form-data")
    assert response.status_code == 400
    page = html(response)
    assert [a["href"] for a in page.select(".nhsuk-error-summary a")] == ["#report"]
    assert "choose them again" in page.select_one("#report-accept").get_text()


def test_the_reference_picker_offers_records_of_the_same_repository(client):
    submit(client, title="First cycle")
    options = html(client.get(BASE + "new")).select("select#follows option")
    assert [(o["value"], o.get_text()) for o in options] == [("", "None"), ("QI-0001", "QI-0001: First cycle")]
    record = submit(client, title="Second cycle", follows="QI-0001")
    link = html(client.get(record)).select_one("main dd a[href$='QI-0001']")
    assert link["href"] == BASE + "QI-0001"


def test_a_stale_edit_shows_what_changed_and_keeps_both_peoples_work(client):
    record = submit(client, title="Original title")
    version = html(client.get(record + "/edit")).select_one("input[name=version]")["value"]
    theirs = client.post(record + "/edit", data=project(title="Their title", version=version, status="In progress"))
    assert theirs.status_code == 302

    mine = client.post(record + "/edit", data=project(title="My title", aim="My aim", version=version,
                                                      status="Proposed"))
    assert mine.status_code == 409
    page = html(mine)
    warning = page.select_one(".app-conflict")
    changed = {row.dt.get_text(strip=True): row.dd.get_text(strip=True)
               for row in warning.select(".nhsuk-summary-list__row")}
    assert changed == {"Project title": "Their title", "Status": "In progress"}
    assert page.select_one("#title")["value"] == "My title"
    assert page.select_one("#aim").get_text() == "My aim"
    newer = page.select_one("input[name=version]")["value"]
    assert int(newer) == int(version) + 1
    assert summary(html(client.get(record)))["Project title"] == "Their title"

    again = client.post(record + "/edit", data=project(title="My title", version=newer, status="Proposed"))
    assert again.status_code == 302
    assert summary(html(client.get(record)))["Project title"] == "My title"


def test_history_lists_each_version_with_old_and_new_values_by_label(client):
    record = submit(client, title="Before")
    version = html(client.get(record + "/edit")).select_one("input[name=version]")["value"]
    client.post(record + "/edit", data=project(title="After", division="Medicine", version=version,
                                               status="In progress"))
    page = html(client.get(record + "/history"))
    headings = [h.get_text(" ", strip=True) for h in page.select("main section h2")]
    assert headings[0].startswith("Version 2: edited by Ann")
    assert headings[1].startswith("Version 1: created by Ann")
    latest = page.select("main section")[0]
    rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in latest.select("tbody tr")]
    assert ["Project title", "Before", "After"] in rows
    assert ["Division", "Surgery", "Medicine"] in rows
    assert ["Status", "Proposed", "In progress"] in rows


def test_the_reference_picker_becomes_a_typed_box_when_there_are_too_many_records(client, monkeypatch):
    monkeypatch.setattr("engine.web.templating.PICKER_LIMIT", 1)
    submit(client, title="First cycle")
    submit(client, title="Second cycle")
    box = html(client.get(BASE + "new")).select_one("input#follows")
    assert box["type"] == "text"
    record = submit(client, title="Third cycle", follows="QI-0002")
    assert html(client.get(record)).select_one("main dd a[href$='QI-0002']") is not None
