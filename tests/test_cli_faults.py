"""``repo-engine`` when a repository's data is damaged or the disk is full: one plain line on standard error
saying what happened (for damaged data, the file, the fault and what to do) and exit status 1, never a
traceback; nothing half-done (no token printed that was never kept)."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from engine.access.accounts import Accounts
from engine.cli import main
from engine.errors import DataDamaged
from engine.store import Stores
from faultkit import FAULT, FULL_DISK, raising
from web.conftest import write_project


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """Run ``repo-engine`` on the page tests' project (instance ``qi``, one repository); returns (exit status,
    standard output, standard error)."""
    write_project(tmp_path)
    monkeypatch.setenv("REPO_ENGINE_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    Accounts(tmp_path / "data").add("ann", name="Ann")

    def run(*args: str) -> tuple[int, str, str]:
        status = main(["--schemas", str(tmp_path / "schemas"), "--instances", str(tmp_path / "instances"), *args])
        out, err = capsys.readouterr()
        return status, out, err
    return run


def said_plainly(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("repo-engine: ")
    return lines[0]


@pytest.mark.parametrize("kind", FULL_DISK)
@pytest.mark.parametrize("command", [("users", "token", "ann"), ("users", "grant", "ann", "qi", "editor"),
                                     ("users", "add", "bob", "--no-password")])
def test_an_account_change_on_a_full_disk_says_so_in_one_line(cli, tmp_path, monkeypatch, kind, command):
    accounts_file = tmp_path / "data" / "accounts.json"
    before = accounts_file.read_bytes()
    monkeypatch.setattr("engine.store.wholefile.replace_file", raising(FULL_DISK[kind](accounts_file)))
    status, out, err = cli(*command)
    assert status == 1
    line = said_plainly(err)
    assert "full" in line and "nothing was written" in line and str(accounts_file) in line
    assert out == ""                                    # above all, no token that was never kept
    assert accounts_file.read_bytes() == before


class DamagedStore:
    """What a damaged repository's store does: every method raises ``DataDamaged``; closing still works."""

    def __init__(self, damaged: DataDamaged):
        self.damaged = damaged

    def __getattr__(self, name: str):
        return raising(self.damaged)

    def close(self) -> None:
        pass


@pytest.fixture
def damaged(tmp_path, monkeypatch) -> DataDamaged:
    error = DataDamaged(tmp_path / "data" / "qi" / "qi-project" / "records.json", FAULT)
    monkeypatch.setattr(Stores, "get", lambda self, instance, rtype: DamagedStore(error))
    return error


@pytest.mark.parametrize("command", [("export", "qi", "qi-project"), ("reindex", "qi")])
def test_damaged_data_names_the_file_the_fault_and_what_to_do(cli, damaged, command):
    status, _out, err = cli(*command)
    assert status == 1
    assert said_plainly(err) == f"repo-engine: {damaged.report()}"


def test_an_import_into_damaged_data_writes_nothing_and_says_why(cli, damaged, tmp_path):
    sheet = Path(tmp_path / "projects.csv")
    sheet.write_text("Project title,Division\nFalls on Ward 12,Surgery\n", encoding="utf-8")
    status, out, err = cli("import", "qi", "qi-project", str(sheet), "--quiet")
    assert status == 1
    assert "Traceback" not in out + err
    assert damaged.report() in out + err


def test_an_unexpected_os_error_is_not_dressed_up_as_a_full_disk(cli, monkeypatch):
    monkeypatch.setattr("engine.store.wholefile.replace_file", raising(PermissionError(13, "Permission denied")))
    with pytest.raises(PermissionError):
        cli("users", "token", "ann")
