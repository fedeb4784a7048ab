"""`repo-engine migrate-data`: the shipped site, seeded and then used (a file attached, a comment, a watcher, an
account with a token, a draft, an alert, the secret key), moved into PostgreSQL and back reads the same through
the site's own stores; the counter goes on after the highest reference; a target that holds anything is
refused; a copy that fails half-way leaves a target the command can simply be run on again."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
from collections.abc import Mapping

import pytest

from engine.access.accounts import Accounts
from engine.cli import main
from engine.config import Paths
from engine.fields import default_registry
from engine.moving.embedded import MARKER, EmbeddedSite
from engine.notify.alerts import Alerts
from engine.notify.notice import Notice
from engine.schema import load_project
from engine.store import Stores
from engine.store.base import Idempotency, NewRecord
from engine.store.drafts import Drafts
from engine.store.outbox import site_outbox
from engine.store.places import instance_place, site_place
from engine.store.postgres import bulk
from engine.web.app import _shared_secret
from sitekit import shipped_site

LIBRARY, SEARCHES = "library-services", "evidence-search"
KEY = "power-bi:7f3a"       # a create made with an Idempotency-Key


@pytest.fixture
def site(tmp_path, monkeypatch):
    """The shipped site, seeded, and used a little: what a move must carry besides the records."""
    paths = shipped_site(tmp_path, monkeypatch)
    monkeypatch.delenv("REPO_ENGINE_DATABASE_URL", raising=False)
    assert main(["seed"]) == 0
    use(paths)
    return paths


def use(paths: Paths) -> None:
    project = load_project(paths, default_registry())
    instance = project.instances[LIBRARY]
    stores = Stores(paths)
    try:
        store = stores.get(instance, instance.repository(SEARCHES))
        store.save_attachment("ES-0001", "result_documents", "results.txt", io.BytesIO(b"falls search results\n"),
                              user="ann")
        store.add_comment("ES-0001", "Sent to the ward manager.", user="ann",
                          notices=[notice("commented", key="comment-1")])
        store.set_watching("ES-0001", "ann", True)
        values = {**store.get("ES-0002").values, "title": "Asked through the API"}
        store.insert_many([NewRecord(values, idempotency=Idempotency(KEY, "fingerprint"))], user="ann")
    finally:
        stores.close()
    site_outbox(paths).queue([notice("digest", key="digest-weekly")])
    accounts = Accounts(site_place(paths))
    accounts.add("ann", "correct horse battery", name="Ann Lee", email="ann@example.nhs.uk")
    accounts.grant("ann", LIBRARY, "editor")
    accounts.create_token("ann", label="Power BI")
    Drafts(instance_place(paths, LIBRARY) / SEARCHES).add("ann", {"title": "Half-written request"})
    (paths.site_data / ".secret_key").write_text("a1" * 32, encoding="ascii")    # as a server leaves it
    Alerts(site_place(paths)).add("ann", "ann@example.nhs.uk", instance=LIBRARY, repository=SEARCHES,
                                  query="q=falls", title="Falls searches", frequency="weekly")


def notice(event: str, key: str) -> Notice:
    return Notice(event=event, channel="email", to="ann@example.nhs.uk", instance=LIBRARY, repository=SEARCHES,
                  title="Falls", key=key)


def migrate(*args: str) -> int:
    return main(["migrate-data", "--quiet", *args])


def dump(paths: Paths) -> dict:
    """Everything the site's own stores say it holds, in canonical JSON terms: what must survive a move."""
    project = load_project(paths, default_registry())
    stores = Stores(paths)
    held: dict = {}
    try:
        for instance in project.instances.values():
            for rtype in instance.repositories:
                store = stores.get(instance, rtype)
                held[f"{instance.name}/{rtype.name}"] = [_record(store, reference)
                                                         for reference in sorted(dict(store.stored_values()))]
                held[f"{instance.name}/{rtype.name} outbox"] = [plain(one) for one in store.outbox.deliveries()]
                held[f"{instance.name}/{rtype.name} created with {KEY}"] = store.created_with(KEY)
        held["site outbox"] = [plain(one) for one in site_outbox(paths).deliveries()]
        held["accounts"] = [_user(user, Accounts(site_place(paths))) for user in
                            Accounts(site_place(paths)).users()]
        held["alerts"] = [plain(alert) for alert in Alerts(site_place(paths)).all()]
        held["secret key"] = _shared_secret(site_place(paths))
        drafts = Drafts(instance_place(paths, LIBRARY) / SEARCHES)
        held["drafts"] = [plain(draft) for draft in drafts.owned_by("ann")]
    finally:
        stores.close()
    return json.loads(json.dumps(held, sort_keys=True, default=str))


def plain(value) -> object:
    """A stored value (a ``Record``, ``Version``, ``Attachment``...) as JSON-ready data: how two backends
    compare, whatever order their documents keep keys in."""
    def data(one):
        if dataclasses.is_dataclass(one):
            return {field.name: data(getattr(one, field.name)) for field in dataclasses.fields(one)}
        if isinstance(one, Mapping):
            return {str(key): data(item) for key, item in one.items()}
        if isinstance(one, (list, tuple, set, frozenset)):
            return [data(item) for item in one]
        return one
    return json.loads(json.dumps(data(value), sort_keys=True, default=str))


def _record(store, reference: str) -> dict:
    files = []
    for attachment in store.attachments(reference):
        _, stream = store.open_attachment(reference, attachment.id)
        with stream:
            files.append([plain(attachment), hashlib.sha256(stream.read()).hexdigest(),
                          store.attachment_text(attachment.id)])
    return {"record": plain(store.get(reference, include_deleted=True)),
            "history": [_version(version) for version in store.history(reference)],
            "files": files, "comments": [plain(comment) for comment in store.comments(reference)],
            "watchers": sorted(store.watchers(reference))}


def _version(version) -> dict:
    """A version, its changes by field name: the first version lists a record's values in the order its
    document keeps them, which PostgreSQL's ``jsonb`` does not (it orders keys by length)."""
    held = plain(version)
    held["changes"] = sorted(held["changes"], key=lambda change: change["name"])
    return held


def _user(user, accounts: Accounts) -> list:
    return [plain(user), [(token["label"], token.get("created")) for token in accounts.tokens(user.username)]]


def in_database(paths: Paths, url: str, monkeypatch) -> Paths:
    monkeypatch.setenv("REPO_ENGINE_DATABASE_URL", url)
    return Paths.from_env()


def next_reference(paths: Paths) -> str:
    """The reference a new record gets after the move."""
    project = load_project(paths, default_registry())
    instance = project.instances[LIBRARY]
    stores = Stores(paths)
    try:
        store = stores.get(instance, instance.repository(SEARCHES))
        values = dict(store.get("ES-0001").values)
        values.pop("result_documents", None)
        return store.insert(values, user="ann").reference
    finally:
        stores.close()


def test_a_site_moved_into_postgresql_and_back_is_the_same_site(site, postgres_url, tmp_path, monkeypatch, capsys):
    before = dump(site)
    assert before[f"{LIBRARY}/{SEARCHES}"][0]["files"] and before["accounts"] and before["alerts"]
    assert before[f"{LIBRARY}/{SEARCHES} outbox"] and before["site outbox"]
    assert before[f"{LIBRARY}/{SEARCHES} created with {KEY}"] == "ES-0009"
    assert migrate("--to", postgres_url) == 0
    assert "every table and file read back and checked" in capsys.readouterr().out

    between = dump(in_database(site, postgres_url, monkeypatch))
    assert between == before
    monkeypatch.delenv("REPO_ENGINE_DATABASE_URL")
    monkeypatch.setenv("REPO_ENGINE_DATA", str(tmp_path / "back"))
    assert migrate("--from", postgres_url) == 0
    back = Paths.from_env()
    assert dump(back) == before
    assert Accounts(site_place(back)).get("ann").roles == {LIBRARY: "editor"}
    highest = max(int(entry["record"]["reference"][3:]) for entry in before[f"{LIBRARY}/{SEARCHES}"])
    assert next_reference(back) == f"ES-{highest + 1:04d}"


def test_the_counter_goes_on_after_the_highest_reference_in_postgresql(site, postgres_url, monkeypatch):
    before = dump(site)
    assert migrate("--to", postgres_url) == 0
    highest = max(int(entry["record"]["reference"][3:]) for entry in before[f"{LIBRARY}/{SEARCHES}"])
    assert next_reference(in_database(site, postgres_url, monkeypatch)) == f"ES-{highest + 1:04d}"


def test_a_target_that_holds_anything_is_refused(site, postgres_url, tmp_path, monkeypatch, capsys):
    assert migrate("--to", postgres_url) == 0
    capsys.readouterr()
    assert migrate("--to", postgres_url) == 1
    said = capsys.readouterr().err
    assert "is not empty" in said and "records (" in said and "Nothing was copied" in said
    assert migrate("--from", postgres_url) == 1          # the local folders hold the site it came from
    assert "local data folders are not empty" in capsys.readouterr().err


def test_a_copy_into_postgresql_that_fails_half_way_leaves_it_empty(site, postgres_url, monkeypatch, capsys):
    real = bulk.load

    def failing(conn, table, repo, docs):
        if table == "comments":
            raise OSError(28, "No space left on device")
        return real(conn, table, repo, docs)
    monkeypatch.setattr(bulk, "load", failing)
    assert migrate("--to", postgres_url) == 1
    assert "Nothing was written to the database" in capsys.readouterr().err
    monkeypatch.setattr(bulk, "load", real)
    assert migrate("--to", postgres_url) == 0
    assert dump(in_database(site, postgres_url, monkeypatch)) == dump(site)


def test_a_copy_into_local_folders_that_fails_half_way_is_removed(site, postgres_url, tmp_path, monkeypatch,
                                                                  capsys):
    assert migrate("--to", postgres_url) == 0
    before = dump(site)
    monkeypatch.setenv("REPO_ENGINE_DATA", str(tmp_path / "back"))

    def failing(self, site):
        raise OSError(28, "No space left on device")
    with monkeypatch.context() as patched:
        patched.setattr(EmbeddedSite, "write_site", failing)
        assert migrate("--from", postgres_url) == 1
    assert "was removed; run the command again" in capsys.readouterr().err
    assert not any(path.is_file() and not path.name.endswith(".lock") for path in (tmp_path / "back").rglob("*"))
    assert migrate("--from", postgres_url) == 0
    assert dump(Paths.from_env()) == before


def test_a_copy_killed_before_it_could_tidy_up_is_removed_by_the_next_run(site, postgres_url, tmp_path,
                                                                          monkeypatch):
    assert migrate("--to", postgres_url) == 0
    before = dump(site)
    monkeypatch.setenv("REPO_ENGINE_DATA", str(tmp_path / "back"))
    with monkeypatch.context() as patched:      # as if killed: the half-copy stays, and so does the marker
        patched.setattr(EmbeddedSite, "write_site", lambda self, site: (_ for _ in ()).throw(KeyboardInterrupt))
        patched.setattr(EmbeddedSite, "_remove_half_copy", lambda self: None)
        with pytest.raises(KeyboardInterrupt):
            migrate("--from", postgres_url)
    assert (tmp_path / "back" / MARKER).exists()
    assert migrate("--from", postgres_url) == 0
    assert not (tmp_path / "back" / MARKER).exists()
    assert dump(Paths.from_env()) == before


def test_a_copy_that_does_not_read_back_as_it_was_read_is_undone(site, postgres_url, monkeypatch, capsys):
    columns, rows = bulk.LOADERS["history"]

    def altered(repo, docs):        # one version's note changed on its way in
        for number, row in enumerate(rows(repo, docs)):
            yield row[:-1] + (row[-1].replace('"created"', '"edited"'),) if number == 3 else row
    monkeypatch.setitem(bulk.LOADERS, "history", (columns, altered))
    assert migrate("--to", postgres_url) == 1
    said = capsys.readouterr().err
    assert "does not match what was read" in said
    assert re.search(r"history: (\d+) read, \1 in the copy \(same count, different content\)", said)
    monkeypatch.setitem(bulk.LOADERS, "history", (columns, rows))
    assert migrate("--to", postgres_url) == 0
