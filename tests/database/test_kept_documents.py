"""The small tables the site keeps whole (accounts, drafts, alerts, the count of wrong passwords) behave alike
in a folder and in the database: what one holder (a worker, a server) changes the next reads, changes made at
once by several lose nothing, a change that cannot have the lock is refused whole, and damage is refused,
never read as empty."""
from __future__ import annotations

import threading
from contextlib import contextmanager

import psycopg
import pytest
from argon2 import PasswordHasher
from filelock import FileLock

from engine.access.accounts import AccountError, Accounts
from engine.notify.alerts import Alerts
from engine.store.drafts import Drafts, DraftsDamaged
from engine.store.places import InDatabase
from engine.store.postgres.database import database
from engine.web.auth.limits import FailedSignIns, MustWait
from pgkit import BACKENDS

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(params=BACKENDS)
def place(request, tmp_path):
    """Where the site keeps them: this test's folder, or an empty site of its own in the test database."""
    if request.param == "postgresql":
        return InDatabase(database(request.getfixturevalue("postgres_url")))
    return tmp_path


@contextmanager
def held(place, name: str):
    """The table ``name`` held by someone else (a worker stuck mid-change): its lock file, or its row."""
    if not isinstance(place, InDatabase):
        with FileLock(str(place / name)):
            yield
        return
    with psycopg.connect(place.db.url) as conn:
        conn.execute("INSERT INTO documents (name, revision, body) VALUES (%s, 0, 'null') ON CONFLICT DO NOTHING",
                     (name,))
        conn.execute("SELECT 1 FROM documents WHERE name = %s FOR UPDATE", (name,))
        yield


def damage(place, name: str, body: str) -> None:
    """Keep ``body`` as the table ``name``, as a bad restore or a hand edit might."""
    if isinstance(place, InDatabase):
        with place.db.connection() as conn:
            conn.execute("INSERT INTO documents (name, revision, body) VALUES (%s, 7, %s::jsonb) "
                         "ON CONFLICT (name) DO UPDATE SET revision = 7, body = excluded.body", (name, body))
    else:
        (place / f"{name}.json").write_text(body)


def test_an_account_made_by_one_holder_signs_in_with_another(place):
    Accounts(place, hasher=FAST).add("ann", "a long password", email="ann@nhs.net")
    other = Accounts(place, hasher=FAST)
    assert other.check_password("ann", "a long password").email == "ann@nhs.net"
    other.grant("ann", "qi", "editor")
    token = other.create_token("ann", label="report")
    mine = Accounts(place, hasher=FAST)
    assert mine.get("ann").role_in("qi") == "editor" and mine.user_for_token(token).username == "ann"
    other.revoke("ann", "qi")
    assert mine.get("ann").role_in("qi") is None


def test_accounts_added_at_once_by_many_threads_are_all_kept(place):
    holders = [Accounts(place, hasher=FAST) for _ in range(3)]

    def add(holder, prefix):
        for n in range(8):
            holder.add(f"{prefix}{n}")
    threads = [threading.Thread(target=add, args=(holder, prefix)) for holder, prefix in zip(holders, "abc")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(Accounts(place, hasher=FAST)) == 24


def test_a_change_while_another_holds_the_accounts_is_refused_and_changes_nothing(place):
    accounts = Accounts(place, hasher=FAST, lock_timeout=0.2)
    accounts.add("ann")
    name = "accounts.json.lock" if not isinstance(place, InDatabase) else "accounts"
    with held(place, name):
        with pytest.raises(AccountError, match="The account list is busy; nothing was changed"):
            accounts.grant("ann", "qi", "editor")
    assert Accounts(place, hasher=FAST).get("ann").role_in("qi") is None
    accounts.grant("ann", "qi", "editor")
    assert Accounts(place, hasher=FAST).get("ann").role_in("qi") == "editor"


def test_drafts_saved_by_one_holder_are_read_and_changed_by_another(place):
    where = place / "qi" / "qi-project"
    saved = Drafts(where).add("ann", {"title": "Falls"})
    other = Drafts(where)
    assert other.get(saved.id).values == {"title": "Falls"}
    other.update(saved.id, {"title": "Falls on wards"}, expected_version=1)
    assert Drafts(where).owned_by("ann")[0].values == {"title": "Falls on wards"}
    assert Drafts(place / "qi" / "another").owned_by("ann") == []       # each repository its own


def test_damaged_drafts_are_refused_never_read_as_none(place):
    where = place / "qi" / "qi-project"
    drafts = Drafts(where)
    drafts.add("ann", {"title": "Falls"})
    name = where.document("drafts") if isinstance(where, InDatabase) else "qi/qi-project/drafts"
    damage(place, name, '{"format": 1, "drafts": []}')
    assert isinstance(Drafts(where).verify()[0], DraftsDamaged)
    with pytest.raises(DraftsDamaged):
        Drafts(where).owned_by("ann")


def test_alerts_are_kept_for_every_holder(place):
    saved = Alerts(place).add("ann", "ann@nhs.net", instance="qi", repository="qi-project", query="q=falls",
                              title="Falls", frequency="daily")
    other = Alerts(place)
    assert [alert.id for alert in other.owned_by("ann")] == [saved.id]
    other.change_frequency(saved.id, "weekly", owner="ann")
    assert Alerts(place).get(saved.id).frequency == "weekly"
    Alerts(place).remove(saved.id)
    assert other.all() == []


def test_wrong_passwords_are_counted_for_every_holder_together(place):
    first, second = FailedSignIns(place, per_pair=2), FailedSignIns(place, per_pair=2)
    first.reserve("ann", "10.0.0.1")
    second.reserve("ann", "10.0.0.1")
    with pytest.raises(MustWait):
        first.reserve("ann", "10.0.0.1")
    second.reserve("ann", "10.0.0.2")           # another address is not kept out
