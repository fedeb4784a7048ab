"""The words people read, each made from the field's label and the repository type's title: a table of the
messages, hints and buttons as they are written, for the shipped types, and the reference's own examples."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from daykit import PROJECTS, SEARCHES, chris, day_app, hosted, store  # noqa: F401
from engine.fields.values import with_article
from webpages import html

DOCS = Path(__file__).resolve().parents[2] / "docs" / "schema-language.md"


def field(app, name: str, repo: str = "qi-project"):
    return hosted(app, repo).rtype.field(name)


def validated(app, values: dict, status: str = "Proposed", repo: str = "qi-project") -> dict[str, str]:
    return hosted(app, repo).validator.validate(values, status)


MESSAGES = [
    # (what is wrong, how to get it, the message exactly)
    ("too many keywords", lambda app: field(app, "keywords").kind.problem(field(app, "keywords"),
                                                                           [f"k{n}" for n in range(17)]),
     "Enter no more than 15 entries for keywords"),
    ("too many team members", lambda app: field(app, "team").kind.problem(field(app, "team"),
                                                                          [f"p{n}" for n in range(31)]),
     "Enter no more than 30 entries for project team"),
    ("a team member too long", lambda app: field(app, "team").kind.problem(field(app, "team"), ["x" * 101]),
     "Each entry in project team must be 100 characters or fewer"),
    ("a required field left empty", lambda app: validated(app, {})["aim"], "Enter aim"),
    ("a choice left empty", lambda app: validated(app, {})["division"], "Select division"),
    ("a field required by the method", lambda app: validated(app, {"methodology": "Other"})["methodology_other"],
     "Enter other method (required when improvement method is Other)"),
    ("a field required by the status", lambda app: validated(app, {}, "Completed")["outcomes"],
     "Enter outcomes (required when status is Completed)"),
    ("a person required by the status", lambda app: validated(app, {}, "In progress", "evidence-search")["librarian"],
     "Enter librarian (required when status is In progress or Completed)"),
    ("a key that is no field", lambda app: validated(app, {"colour": "red"})["colour"],
     "colour is not a field of improvement project"),
]


@pytest.mark.parametrize("what, made, message", MESSAGES, ids=[m[0] for m in MESSAGES])
def test_each_message_is_worded_from_the_label_and_the_title(day_app, what, made, message):
    assert made(day_app) == message


@pytest.mark.parametrize("name, hint", [
    ("keywords", "Separate entries with commas; up to 15 entries."),
    ("team", "Separate entries with commas; up to 30 entries."),        # a team is not keywords
])
def test_a_tags_field_is_hinted_in_words_that_fit_any_label(chris, name, hint):
    page = html(chris.get(PROJECTS + "new"))
    assert page.select_one(f"#{name}-tags-hint").get_text(strip=True) == hint


@pytest.mark.parametrize("noun, words", [
    ("improvement project", "an improvement project"), ("evidence search", "an evidence search"),
    ("clinical audit", "a clinical audit"), ("local guideline", "a local guideline"),
    ("NHS number", "an NHS number"), ("unit audit", "a unit audit"), ("hourly check", "an hourly check"),
])
def test_a_or_an_goes_by_how_the_word_is_said(noun, words):
    assert with_article(noun) == words


@pytest.mark.parametrize("path, button", [(PROJECTS, "Submit an improvement project"),
                                          (SEARCHES, "Submit an evidence search")])
def test_the_buttons_and_the_form_say_what_is_submitted(chris, path, button):
    browse = html(chris.get(path))
    assert button in [a.get_text(strip=True) for a in browse.select("main a.nhsuk-button")]
    form = html(chris.get(path + "new"))
    assert form.select_one("main h1").get_text(strip=True) == button
    assert form.title.get_text().startswith(button)
    home = html(chris.get("/qi/"))
    assert button in [a.get_text(strip=True) for a in home.select("main a.nhsuk-button")]


def test_a_page_past_the_last_says_how_many_there_are_in_good_english(chris, day_app):
    store(day_app).insert({"title": "The only project"}, user="cjones")
    inset = html(chris.get(PROJECTS + "?page=4")).select_one("main .nhsuk-inset-text p")
    assert inset.get_text(" ", strip=True).startswith("There is only 1 page.")


def test_the_reference_gives_the_message_a_conditional_field_really_gets(day_app):
    row = next(line for line in DOCS.read_text().splitlines() if line.startswith("| a field required by a condition"))
    documented = re.findall(r"`([^`]+)`", row)
    assert documented == [validated(day_app, {}, "Completed")["outcomes"]]
