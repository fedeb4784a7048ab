"""Imports of reference columns: a reference must name a record that exists, or a row of the same file by the
reference it keeps; the dry run names the row and column of one that does not, and the write checks again."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from access_helpers import sign_in
from engine.errors import RecordNotFound
from engine.exchange.plan import plan_import
from engine.exchange.readers import read_table
from engine.exchange.write import ImportRefused, carry_out
from engine.records import Records
from engine.schema.compile import RecordValidator
from engine.web.app import create_app
from test_web_exchange import upload


def csv_file(tmp_path, text: str) -> str:
    path = tmp_path / "links.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_dry_run_names_the_row_and_column_of_a_reference_to_a_missing_record(cli, tmp_path, site):
    path = csv_file(tmp_path, "Project title,Follows\nFirst,\nSecond,QI-9999\n")
    status, out, _ = cli("import", "qi", "tracker", path, "--dry-run")
    assert status == 1
    assert "Row 3, column Follows: Select follows from the list of records: QI-9999 does not exist" in out
    assert "Row 2: would create a new record (First)" in out
    assert site.store.count() == 0


def test_a_reference_to_a_record_already_there_is_imported(cli, tmp_path, site):
    site.records.create({"title": "Already here"}, user="ann")
    status, out, _ = cli("import", "qi", "tracker", csv_file(tmp_path, "Project title,Follows\nNext,qi-0001\n"))
    assert status == 0, out
    assert site.store.get("QI-0002").values["follows"] == "QI-0001"


def test_rows_may_name_each_other_by_the_references_they_keep(cli, tmp_path, site):
    path = csv_file(tmp_path, "Reference,Project title,Follows\n"
                              "QI-0001,First,QI-0002\n"        # names a row below it
                              "QI-0002,Second,QI-0001\n"
                              ",Third,QI-0002\n")
    status, out, _ = cli("import", "qi", "tracker", path)
    assert status == 0, out
    assert [site.store.get(f"QI-000{n}").values["follows"] for n in (1, 2, 3)] == ["QI-0002", "QI-0001", "QI-0002"]


def test_a_row_naming_a_row_left_out_is_left_out_too(cli, tmp_path, site):
    path = csv_file(tmp_path, "Reference,Project title,Start date,Follows\n"
                              "QI-0005,Bad date,31/02/2025,\n"
                              "QI-0006,Names the bad row,,QI-0005\n"
                              "QI-0007,Fine,,\n")
    status, out, _ = cli("import", "qi", "tracker", path, "--skip-invalid")
    assert status == 3, out
    assert ("Row 3, column Follows: Select follows from the list of records: QI-0005 (row 2) has problems, "
            "so it is not imported") in out
    assert [record.reference for record in site.store.iter_all()] == ["QI-0007"]


@pytest.fixture
def checked(site):
    """The write path of the tracker, looking references up in its own store."""
    def exists(target: str, reference: str) -> bool:
        try:
            site.store.get(reference)
        except RecordNotFound:
            return False
        return True
    return Records(site.rtype, site.store, RecordValidator(site.rtype), exists)


def test_the_write_checks_again_so_a_record_deleted_after_the_dry_run_is_not_linked(site, checked):
    site.records.create({"title": "Target"}, user="ann")
    table = read_table(b"Project title,Follows\nLinked,QI-0001\n", "links.csv")
    plan = plan_import(checked, table)
    assert plan.ok
    site.store.delete("QI-0001", user="admin")
    with pytest.raises(ImportRefused) as refused:
        carry_out(plan, checked, user="importer")
    [problem] = refused.value.problems
    assert (problem.row, problem.column) == (2, "Follows") and "QI-0001 does not exist" in problem.message
    assert site.store.count() == 0


def test_the_import_page_lists_a_reference_to_a_missing_record_by_row_and_column(tmp_path, site):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "SCHEMAS": str(tmp_path / "schemas"), "INSTANCES": str(tmp_path / "instances"),
                      "DATA": str(tmp_path / "data")})
    try:
        client = app.test_client()
        sign_in(client, app, username="ada", role="admin")
        response = upload(client, b"Project title,Follows\nLinked,QI-0042\n")
        assert response.status_code == 400
        page = BeautifulSoup(response.data, "html.parser")
        problems = [[td.get_text(strip=True) for td in tr.select("td")]
                    for tr in page.select("#import-problems tbody tr")]
        assert problems == [["2", "Follows", "Select follows from the list of records: QI-0042 does not exist"]]
    finally:
        app.extensions["repo_engine"].close()


def test_a_chain_of_rows_is_left_out_from_its_first_bad_link(cli, tmp_path, site):
    rows = ["QI-0010,Bad date,31/02/2025,"] + [f"QI-{n:04d},Link {n},,QI-{n - 1:04d}" for n in range(11, 14)]
    path = csv_file(tmp_path, "Reference,Project title,Start date,Follows\n" + "\n".join(rows) + "\n,Fine,,\n")
    status, out, _ = cli("import", "qi", "tracker", path, "--skip-invalid", "--dry-run")
    assert status == 1
    assert "Row 5, column Follows: Select follows from the list of records: QI-0012 (row 4) has problems" in out
    assert "5 rows read; 1 ready to create; 4 rows with problems." in out
