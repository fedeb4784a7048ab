"""Snippets: the passage shown under a result marks the words that matched, whatever the stemmer made of them."""
from __future__ import annotations

import pytest

from engine.search.analysis import stem
from engine.search.snippets import beginning
from engine.store.base import Query
from web.conftest import make_app


@pytest.mark.parametrize("word", ["lying", "dying", "city", "policy", "duties", "only", "falls", "physiotherapy",
                                  "haemoglobin", "a", "ed"])
def test_every_word_begins_with_the_beginning_of_its_term(word):
    assert word.startswith(beginning(stem(word)))


@pytest.mark.parametrize("searched, marked", [("lying", "lying"), ("cities", "city"), ("duty", "duties")])
def test_a_word_the_stemmer_changes_at_its_start_is_still_marked(tmp_path, searched, marked):
    app = make_app(tmp_path)
    site = app.extensions["repo_engine"]
    hosted = site.repository("qi", "qi-project")
    record = site.records(hosted).create(
        {"title": "Blood pressure checks", "division": "Medicine",
         "aim": f"Check blood pressure with the patient {marked} on each round."}, user="ann")
    found = site.store(hosted).query(Query(q=searched))
    snippet = found.snippets[record.reference]
    assert snippet.where == "Aim"
    assert [text.casefold() for text, is_match in snippet.parts if is_match] == [marked]
    site.close()
