"""Drafts on the pages: "Save as draft" keeps a half-finished record unchecked, for its owner and the editors
alone; My submissions lists it; submitting runs every rule and makes the record once."""
from __future__ import annotations

import pytest

from draftkit import DRAFTS, banners, post_draft, problems, save_draft, saved_draft
from web.webpages import BASE, html, project, upload
from engine.store.drafts import Drafts


def records_in(app, hosted) -> int:
    return app.extensions["repo_engine"].store(hosted).count()


def test_the_new_record_form_offers_save_as_draft_beside_submit(person):
    form = html(person("ann").get(BASE + "new")).select_one("form#main-form")
    buttons = form.select("button[type=submit]")
    assert [b.get_text(strip=True) for b in buttons][-2:] == ["Submit", "Save as draft"]
    draft = buttons[-1]
    assert "nhsuk-button--secondary" in draft["class"]
    assert draft["name"] == "save_draft" and draft["formaction"] == DRAFTS


def test_a_half_finished_record_is_saved_as_a_draft_without_its_required_fields(app, person, hosted, drafts):
    ann = person("ann")
    address = saved_draft(ann, aim="Fewer falls by March.")        # no title, no division: both required
    assert records_in(app, hosted) == 0
    page = ann.get(address)
    assert page.status_code == 200
    assert any("Your draft has been saved" in text for text in banners(page))
    form = html(page).select_one("form#main-form")
    assert form.select_one("#aim").get_text() == "Fewer falls by March."
    assert form.select_one("input[name=draft_version]")["value"] == "1"
    assert "no reference until it is submitted" in form.select_one(".app-draft-note").get_text()
    [draft] = drafts.owned_by("ann")
    assert draft.values["aim"] == "Fewer falls by March." and address.endswith(draft.id)


def test_values_that_cannot_be_read_are_left_out_and_the_person_is_told_which(person, drafts):
    ann = person("ann")
    page = ann.get(saved_draft(ann, title="Falls", budget="lots"))
    told = " ".join(banners(page))
    assert "could not be read" in told and "Budget" in told
    kept = drafts.owned_by("ann")[0].values
    assert kept["title"] == "Falls" and "budget" not in kept


def test_files_are_not_kept_in_a_draft_and_the_person_is_told(person):
    ann = person("ann")
    page = ann.get(saved_draft(ann, title="With a file", report=upload()))
    assert any("Files are not kept in a draft" in text for text in banners(page))


def test_text_is_saved_without_control_characters(person, drafts):
    ann = person("ann")
    saved_draft(ann, title="Falls\x1b[31m on\x00 ward\x07 7")
    assert drafts.owned_by("ann")[0].values["title"] == "Falls[31m on ward 7"


def test_my_submissions_lists_the_draft_with_a_link_when_it_was_saved_and_a_delete(person):
    ann = person("ann")
    address = saved_draft(ann, title="Sepsis screening")
    page = html(ann.get("/mine"))
    assert page.select_one("#drafts").get_text() == "Your drafts"
    [row] = page.select("table.app-drafts tbody tr")
    cells = row.select("td")
    assert cells[0].a.get_text() == "Sepsis screening" and cells[0].a["href"] == address
    assert "Quality improvement projects" in cells[1].get_text()
    assert " at " in cells[2].get_text()
    assert cells[3].a["href"] == address + "/delete"
    assert "Sepsis screening" in cells[3].a.get_text()


def test_a_draft_without_a_title_is_listed_as_untitled(person):
    ann = person("ann")
    saved_draft(ann, aim="Only an aim so far")
    assert html(ann.get("/mine")).select_one("table.app-drafts td a").get_text() == "Untitled draft"


@pytest.mark.parametrize("who, role, seen", [
    ("ann", "contributor", True), ("eve", "editor", True), ("ada", "admin", True),
    ("cal", "contributor", False), ("rob", "reader", False), ("sam", None, False)])
def test_only_the_owner_and_the_instances_editors_and_admins_see_a_draft(app, person, who, role, seen):
    address = saved_draft(person("ann"), title="Ann's draft")
    client = person(who, role) if who != "ann" else person("ann")
    responses = [client.get(address), client.get(address + "/delete"),
                 post_draft(client, address, save=True, title="Changed"), client.post(address + "/delete")]
    if seen:
        assert [r.status_code for r in responses[:2]] == [200, 200]
    else:
        assert [r.status_code for r in responses] == [404] * 4
        assert "There is no draft at this address" in responses[0].get_data(as_text=True)
        assert "Ann" not in responses[0].get_data(as_text=True)


def test_someone_not_signed_in_is_asked_to_sign_in(app, person):
    address = saved_draft(person("ann"), title="Ann's draft")
    response = app.test_client().get(address)
    assert response.status_code == 302 and response.location.startswith("/sign-in?next=")
    response = app.test_client().post(DRAFTS, data={"title": "x", "save_draft": "1"})
    assert response.status_code == 302 and response.location.startswith("/sign-in?next=")


def test_submitting_runs_every_rule_then_makes_the_record_with_a_reference(app, person, hosted, drafts):
    ann = person("ann")
    address = saved_draft(ann, aim="Fewer falls by March.")
    refused = post_draft(ann, address, aim="Fewer falls by March.", lead_email="not an email")
    assert refused.status_code == 400
    assert problems(refused) == ["Enter lead email in the correct format, like name@example.com",  # no section
                                 "Enter project title", "Select division"]
    assert records_in(app, hosted) == 0
    kept = drafts.owned_by("ann")[0]
    assert kept.values["lead_email"] == "not an email"      # what was typed is kept in the draft
    version = html(refused).select_one("input[name=draft_version]")["value"]
    done = post_draft(ann, address, int(version), **project(title="Falls on Ward 12"))
    assert done.status_code == 302 and done.location.endswith(BASE + "QI-0001")
    assert "QI-0001 has been saved." in banners(ann.get(done.location))
    record = app.extensions["repo_engine"].store(hosted).get("QI-0001")
    assert record.values["title"] == "Falls on Ward 12" and record.created_by == "ann"
    assert drafts.owned_by("ann") == []
    assert "Your drafts" not in ann.get("/mine").get_data(as_text=True)


def test_submitting_again_does_not_make_a_second_record(app, person, hosted):
    ann = person("ann")
    address = saved_draft(ann, **project())
    first = post_draft(ann, address, **project())
    again = post_draft(ann, address, **project())
    assert first.location == again.location and first.location.endswith("QI-0001")
    assert records_in(app, hosted) == 1
    assert ann.get(address).location.endswith("QI-0001")    # an old link to the draft opens the record


def test_a_submit_cut_short_before_the_draft_was_deleted_gives_back_the_same_record(app, person, hosted,
                                                                                    monkeypatch):
    ann = person("ann")
    address = saved_draft(ann, **project())

    def crash(self, draft_id):
        raise RuntimeError("the worker was stopped")
    with monkeypatch.context() as patch:
        patch.setattr(Drafts, "delete", crash)
        assert post_draft(ann, address, **project()).status_code == 500
    assert records_in(app, hosted) == 1
    again = post_draft(ann, address, **project())
    assert again.location.endswith("QI-0001") and records_in(app, hosted) == 1
    assert ann.get(address).location.endswith("QI-0001")


def test_an_editor_who_submits_someones_draft_makes_the_record_theirs(app, person, hosted):
    address = saved_draft(person("ann"), **project())
    done = post_draft(person("eve", "editor"), address, **project())
    record = app.extensions["repo_engine"].store(hosted).get(done.location.rsplit("/", 1)[1])
    assert record.created_by == "ann" and record.updated_by == "eve"


def test_saving_again_keeps_the_changes_and_a_stale_copy_is_told_not_overwrite(person, drafts):
    ann = person("ann")
    address = saved_draft(ann, title="First")
    saved = post_draft(ann, address, save=True, title="Second")
    assert saved.status_code == 302 and drafts.owned_by("ann")[0].values["title"] == "Second"
    stale = post_draft(ann, address, version=1, save=True, title="From another window")
    assert stale.status_code == 409
    assert "saved somewhere else" in " ".join(problems(stale))
    assert html(stale).select_one("#title")["value"] == "From another window"
    assert html(stale).select_one("input[name=draft_version]")["value"] == "2"
    assert drafts.owned_by("ann")[0].values["title"] == "Second"


def test_a_draft_is_deleted_after_asking(person, drafts):
    ann = person("ann")
    address = saved_draft(ann, title="Not needed")
    confirm = html(ann.get(address + "/delete"))
    assert confirm.select_one("h1").get_text() == "Are you sure you want to delete the draft “Not needed”?"
    done = ann.post(address + "/delete")
    assert done.status_code == 302 and done.location == "/mine"
    assert "Your draft “Not needed” has been deleted." in banners(ann.get("/mine"))
    assert drafts.owned_by("ann") == [] and ann.get(address).status_code == 404


def test_checking_for_similar_work_on_a_draft_saves_nothing(person, drafts):
    ann = person("ann")
    address = saved_draft(ann, title="Falls")
    response = ann.post(address, data={"title": "Falls on wards", "draft_version": "1", "check_similar": "1"})
    assert response.status_code == 200 and drafts.owned_by("ann")[0].values["title"] == "Falls"


def test_too_many_drafts_is_refused_on_the_form_with_what_to_do_and_the_answers_kept(person, drafts):
    drafts.max_per_person = 2
    ann = person("ann")
    saved_draft(ann, title="One")
    saved_draft(ann, title="Two")
    refused = save_draft(ann, title="Three")
    assert refused.status_code == 400
    assert "you already have 2 drafts" in " ".join(problems(refused))
    assert html(refused).select_one("#title")["value"] == "Three"
    submitted = ann.post(DRAFTS, data=project(title="Three"), content_type="multipart/form-data")
    assert submitted.status_code == 302 and submitted.location.endswith("QI-0001")   # Submit on that form


def test_a_draft_too_large_is_refused_on_the_form(person, drafts):
    drafts.max_bytes = 1000
    refused = save_draft(person("ann"), title="Long", aim="x" * 2000)
    assert refused.status_code == 400 and "Shorten the longest answers" in " ".join(problems(refused))


def test_a_damaged_drafts_file_is_refused_and_the_records_still_served(app, person, hosted, drafts):
    ann = person("ann")
    address = saved_draft(ann, title="Before the damage")
    drafts.path.write_bytes(b"{ cut sho")
    page = ann.get(address)
    assert page.status_code == 503 and "drafts here could not be read" in page.get_data(as_text=True)
    assert save_draft(ann, title="Another").status_code == 503
    assert drafts.path.read_bytes() == b"{ cut sho"
    mine = ann.get("/mine")
    assert mine.status_code == 200 and "could not be read" in mine.get_data(as_text=True)
    assert ann.get(BASE).status_code == 200


def test_saving_a_draft_needs_the_forms_csrf_token(tmp_path):
    from access_helpers import sign_in
    from web.conftest import make_app
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    sign_in(client, app, "ann", "contributor", "qi")
    response = client.post(DRAFTS, data={"title": "Forged", "save_draft": "1"})
    assert response.status_code == 400
    assert app.extensions["repo_engine"].drafts(app.extensions["repo_engine"].repository("qi", "qi-project")) \
        .owned_by("ann") == []
    app.extensions["repo_engine"].close()
