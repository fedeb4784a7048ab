"""A copy of the shipped schemas and instances on a test's own folder, with instance data in a folder of its
own: what the command-line tests run ``repo-engine`` on, as a new user would after cloning."""
from __future__ import annotations

import shutil
from pathlib import Path

from engine.config import Paths

ROOT = Path(__file__).resolve().parent.parent


def shipped_site(tmp_path: Path, monkeypatch) -> Paths:
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    shutil.copytree(ROOT / "instances", tmp_path / "instances", ignore=shutil.ignore_patterns("data"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REPO_ENGINE_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("REPO_ENGINE_SCHEMAS", raising=False)
    monkeypatch.delenv("REPO_ENGINE_INSTANCES", raising=False)
    return Paths.from_env()
