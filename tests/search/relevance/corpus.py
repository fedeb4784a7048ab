"""The search relevance corpus: fictional department instances and their records (corpus.yaml), loaded
through the engine's one write path so that a ranked search can be measured against queries.yaml.

``build_project(root)`` writes a project folder (the shipped schemas and the corpus instances);
``load_records(app)`` creates every corpus record in an app made on that folder and returns corpus id ->
record reference, for example ``{"falls-night-bay-01": "QI-0001", ...}``.
"""
from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import yaml

from engine.records import NewItem
from engine.store.base import Upload

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.yaml"
QUERIES = HERE / "queries.yaml"
SHIPPED_SCHEMAS = HERE.parents[2] / "schemas"
ORGANISATION = "Example NHS Foundation Trust"
LOADED_BY = "relevance-corpus"
#: A text-free PDF for a required file field (a guideline's document): the corpus holds no files, so the
#: search is measured on the records' own words only.
PLACEHOLDER_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PLACEHOLDER_NAME = "document.pdf"


def read_corpus(path: Path = CORPUS) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def read_queries(path: Path = QUERIES) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def build_project(root: Path) -> None:
    """Writes root/schemas (a copy of the shipped /work/main/schemas folder, meta/ and any thesaurus.yaml
    included) and root/instances/<name>/instance.yaml for the corpus instances."""
    root = Path(root)
    shutil.copytree(SHIPPED_SCHEMAS, root / "schemas")
    for name, spec in read_corpus()["instances"].items():
        folder = root / "instances" / name
        folder.mkdir(parents=True)
        instance = {"title": spec["title"]}
        if spec.get("description"):
            instance["description"] = spec["description"]
        instance["organisation"] = spec.get("organisation", ORGANISATION)
        instance["repositories"] = list(spec["repositories"])
        instance["access"] = dict(spec.get("access") or {"read": "anyone"})
        (folder / "instance.yaml").write_text(
            yaml.safe_dump(instance, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")


def _uploads(rtype, values: dict[str, Any]) -> dict[str, list[Upload]] | None:
    """A placeholder file for each required file field the record leaves empty (the corpus has no files)."""
    needed = [field.name for field in rtype.fields
              if field.type_name == "file" and field.required and not values.get(field.name)]
    return {name: [Upload(PLACEHOLDER_NAME, io.BytesIO(PLACEHOLDER_PDF), "application/pdf")]
            for name in needed} or None


def load_records(app) -> dict[str, str]:
    """Creates every corpus record through the app's one write path and returns corpus id -> record
    reference. One ``create_many`` per repository, records in corpus order."""
    site = app.extensions["repo_engine"]
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in read_corpus()["records"]:
        grouped.setdefault((record["instance"], record["repository"]), []).append(record)
    references: dict[str, str] = {}
    for (instance, repo), records in grouped.items():
        hosted = site.repository(instance, repo)
        items = [NewItem(dict(record["values"]), status=record["status"],
                         uploads=_uploads(hosted.rtype, record["values"]))
                 for record in records]
        created = site.records(hosted).create_many(items, user=LOADED_BY, history=True)   # records at any stage, as the seeder loads them
        for record, saved in zip(records, created, strict=True):
            references[record["id"]] = saved.reference
    return references
