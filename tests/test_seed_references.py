"""`repo-engine seed` and reference fields: a sample may name an earlier sample, or a record of another
repository seeded before it; one naming a record that does not exist is reported and loads nothing of its file."""
from __future__ import annotations

from test_seed import counts, seed, site  # noqa: F401  (the fixture, used by name)


def test_a_sample_naming_a_missing_or_later_record_loads_nothing_of_its_repository(site, capsys):
    samples = site.instances / "clinical-audit" / "samples" / "clinical-audit.yaml"
    text = samples.read_text()
    # The fourth sample names the third (as shipped): make it name the tenth, which is not written yet.
    samples.write_text(text.replace("earlier_cycle: CA-0003", "earlier_cycle: CA-0010", 1))
    assert seed("--instance", "clinical-audit") == 1
    out = capsys.readouterr().out
    assert ("record 4: Select earlier audit cycle from the list of records: CA-0010 does not exist") in out
    assert "clinical-audit / clinical-audit: nothing loaded" in out
    assert counts(site)[("clinical-audit", "clinical-audit")] == 0


def test_a_sample_naming_a_record_of_another_repository_that_does_not_exist_is_refused(site, capsys):
    searches = site.instances / "library-services" / "samples" / "evidence-search.yaml"
    searches.write_text(searches.read_text().replace("linked_project: QI-0001", "linked_project: QI-0999", 1))
    assert seed("--instance", "library-services") == 1
    out = capsys.readouterr().out
    assert "Select linked improvement project from the list of records: QI-0999 does not exist" in out
    loaded = counts(site)
    assert loaded[("library-services", "evidence-search")] == 0
    assert loaded[("library-services", "qi-project")] > 0       # its targets are still seeded
