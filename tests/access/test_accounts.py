"""The account store: password hashes, roles, single sign-on accounts, API tokens, and sharing one file
between worker processes."""
from __future__ import annotations

import json
import multiprocessing

import pytest
from argon2 import PasswordHasher
from filelock import FileLock

from engine.access.accounts import Accounts, AccountError

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(tmp_path):
    return Accounts(tmp_path, hasher=FAST)


def test_password_is_kept_only_as_an_argon2_hash(accounts, tmp_path):
    accounts.add("ann", PASSWORD, name="Ann Smith", email="ann@example.nhs.uk")
    text = (tmp_path / "accounts.json").read_text()
    assert PASSWORD not in text
    assert json.loads(text)["users"]["ann"]["password"].startswith("$argon2id$")


def test_right_password_gives_the_user_and_wrong_one_nothing(accounts):
    accounts.add("ann", PASSWORD, name="Ann Smith")
    assert accounts.check_password("ann", PASSWORD).name == "Ann Smith"
    assert accounts.check_password("ann", PASSWORD + "x") is None
    assert accounts.check_password("nobody", PASSWORD) is None


def test_an_account_without_a_password_cannot_sign_in_with_an_empty_one(accounts):
    accounts.add("sso-person")
    assert accounts.check_password("sso-person", "") is None
    assert accounts.check_password("sso-person", "anything at all") is None


def test_set_password_replaces_the_old_one(accounts):
    accounts.add("ann", PASSWORD)
    accounts.set_password("ann", "a different passphrase")
    assert accounts.check_password("ann", PASSWORD) is None
    assert accounts.check_password("ann", "a different passphrase") is not None


@pytest.mark.parametrize("call, message", [
    (lambda a: a.add("ann", "short"), "at least 10 characters"),
    (lambda a: a.add("has space"), "A username is"),
    (lambda a: a.add("ann"), "already an account"),
    (lambda a: a.grant("ann", "qi", "owner"), "no role called “owner”"),
    (lambda a: a.grant("bob", "qi", "reader"), "no account called “bob”"),
    (lambda a: a.set_password("bob", PASSWORD), "no account called “bob”"),
])
def test_bad_requests_are_refused_with_a_message_and_change_nothing(accounts, tmp_path, call, message):
    accounts.add("ann")
    before = (tmp_path / "accounts.json").read_bytes()
    with pytest.raises(AccountError, match=message):
        call(accounts)
    assert (tmp_path / "accounts.json").read_bytes() == before


def test_grant_and_revoke_roles_per_instance(accounts):
    accounts.add("ann")
    accounts.grant("ann", "qi", "editor")
    accounts.grant("ann", "audit", "reader")
    assert dict(accounts.get("ann").roles) == {"qi": "editor", "audit": "reader"}
    assert accounts.revoke("ann", "qi") is True
    assert accounts.revoke("ann", "qi") is False
    assert dict(accounts.get("ann").roles) == {"audit": "reader"}
    assert [(u.username, r) for u, r in accounts.members("audit")] == [("ann", "reader")]


def test_another_process_sees_a_revoke_at_once(accounts, tmp_path):
    accounts.add("ann")
    accounts.grant("ann", "qi", "editor")
    other = Accounts(tmp_path, hasher=FAST)       # as another worker process would hold it
    assert other.get("ann").role_in("qi") == "editor"
    accounts.revoke("ann", "qi")
    assert other.get("ann").role_in("qi") is None


def _add_many(folder, prefix):
    store = Accounts(folder, hasher=FAST)
    for n in range(15):
        store.add(f"{prefix}{n}")


def test_writers_in_several_processes_lose_nothing(tmp_path):
    workers = [multiprocessing.get_context("fork").Process(target=_add_many, args=(tmp_path, p))
               for p in "abc"]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert len(Accounts(tmp_path, hasher=FAST)) == 45


def test_sso_accounts_are_made_on_first_sign_in_with_no_roles_and_found_again(accounts):
    first = accounts.find_or_add_sso("https://login.example|abc", "Ann.Smith@nhs.net", "Ann Smith")
    assert first.username == "ann.smith@nhs.net" and first.roles == {} and not first.site_admin
    again = accounts.find_or_add_sso("https://login.example|abc", "ann.smith2@nhs.net", "Ann Smith")
    assert again.username == first.username and again.email == "ann.smith2@nhs.net"
    assert len(accounts) == 1


def test_sso_links_an_existing_account_by_email_only_once(accounts):
    accounts.add("ann", email="ann@nhs.net")
    accounts.grant("ann", "qi", "admin")
    assert accounts.find_or_add_sso("iss|1", "ann@nhs.net", "Ann").username == "ann"
    stranger = accounts.find_or_add_sso("iss|2", "ann@nhs.net", "Not Ann")
    assert stranger.username != "ann" and stranger.roles == {}


def test_tokens_are_shown_once_kept_hashed_and_revocable(accounts, tmp_path):
    accounts.add("ann")
    token = accounts.create_token("ann", label="reporting script")
    assert token not in (tmp_path / "accounts.json").read_text()
    assert accounts.user_for_token(token).username == "ann"
    assert accounts.user_for_token(token + "x") is None
    assert accounts.user_for_token("nonsense") is None
    assert [t["label"] for t in accounts.tokens("ann")] == ["reporting script"]
    assert accounts.revoke_token(token) is True
    assert accounts.user_for_token(token) is None


def test_token_for_an_unknown_user_is_refused(accounts):
    with pytest.raises(AccountError, match="no account"):
        accounts.create_token("bob")


def test_a_change_while_another_worker_holds_the_list_is_refused_and_leaves_it_whole(tmp_path):
    accounts = Accounts(tmp_path, hasher=FAST, lock_timeout=0.1)
    accounts.add("ann", PASSWORD)
    before = (tmp_path / "accounts.json").read_bytes()
    with FileLock(str(tmp_path / "accounts.json.lock")):        # another worker stuck while writing
        with pytest.raises(AccountError, match="The account list is busy; nothing was changed"):
            accounts.grant("ann", "qi", "editor")
    assert (tmp_path / "accounts.json").read_bytes() == before
    accounts.grant("ann", "qi", "editor")
    assert accounts.get("ann").role_in("qi") == "editor"
