"""`repo-engine check` reads every repository's data and names each fault at its file; `seed` never writes
where records have been; `recover` rebuilds from what is good; `compact` brings records.json up to date."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.cli import main
from engine.config import Paths
from engine.fields import default_registry
from engine.schema import load_project
from engine.store.tinydb import TinyDBStore
from sitekit import shipped_site



@pytest.fixture
def site(tmp_path, monkeypatch):
    paths = shipped_site(tmp_path, monkeypatch)
    assert main(["seed"]) == 0
    return paths


def _repository(paths: Paths) -> Path:
    return paths.instance_data("quality-improvement") / "qi-project"


def test_check_reads_every_repository_and_is_quiet_when_all_is_sound(site, capsys):
    assert main(["check"]) == 0
    assert "every repository's data read from the embedded store: no problems found" in capsys.readouterr().out


def test_check_names_the_damaged_file_and_what_to_do_and_exits_1(site, capsys):
    assert main(["compact"]) == 0
    (_repository(site) / "records.json").write_text("")
    capsys.readouterr()
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert f"{_repository(site) / 'records.json'}: is empty." in out
    assert "repo-engine recover quality-improvement qi-project" in out and "1 problem found in stored data" in out
    assert main(["check", "--schemas-only"]) == 0


def test_seed_leaves_a_damaged_repository_alone_and_loads_the_others(site, capsys):
    folder = _repository(site)
    (folder / "records.json").unlink(missing_ok=True)
    (folder / "records.log").unlink()
    capsys.readouterr()
    assert main(["seed"]) == 0
    out = capsys.readouterr().out
    assert "quality-improvement / qi-project: left alone, its data could not be read" in out
    assert not (folder / "records.log").exists()        # nothing was written over it


def test_recover_rebuilds_the_repository_and_keeps_the_damaged_files(site, capsys):
    assert main(["compact", "quality-improvement", "qi-project"]) == 0
    folder = _repository(site)
    count = len(json.loads((folder / "records.json").read_bytes())["records"])
    backup = folder.parent / "backup.json"
    shutil.copy(folder / "records.json", backup)
    (folder / "records.json").write_bytes(b'{"records": ')
    capsys.readouterr()
    assert main(["recover", "quality-improvement", "qi-project"]) == 1
    out = capsys.readouterr().out
    assert "cannot recover" in out and "nothing was changed" in out and "--backup FILE" in out
    assert main(["recover", "quality-improvement", "qi-project", "--backup", str(backup)]) == 0
    out = capsys.readouterr().out
    assert f"recovered {count} records" in out and "damaged files are in" in out
    assert main(["check"]) == 0
    kept = [path for path in folder.iterdir() if path.name.startswith("damaged-")]
    assert kept and (kept[0] / "records.json").read_bytes() == b'{"records": '


def test_compact_reports_each_repository_and_is_idempotent(site, capsys):
    assert (_repository(site) / "records.json").exists()     # seed's stores compacted as they closed
    rtype = load_project(site, default_registry()).instances["quality-improvement"].repository("qi-project")
    TinyDBStore(rtype, site.instance_data("quality-improvement")).delete("QI-0001", user="ann")
    capsys.readouterr()
    assert main(["compact", "quality-improvement"]) == 0
    assert "quality-improvement/qi-project: compacted in" in capsys.readouterr().out
    assert main(["compact", "quality-improvement"]) == 0
    assert "quality-improvement/qi-project: already compact" in capsys.readouterr().out
    assert main(["compact", "nowhere"]) == 1
