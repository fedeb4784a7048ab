"""``repo-engine users``: what an operator types to add people, set passwords, grant roles and make tokens."""
from __future__ import annotations

import io
import sys

import pytest

from engine.access.accounts import Accounts
from engine.cli import main

PASSWORD = "correct horse battery"


@pytest.fixture
def site(tmp_path, monkeypatch):
    for name in ("qi", "audit"):
        (tmp_path / "instances" / name).mkdir(parents=True)
        (tmp_path / "instances" / name / "instance.yaml").write_text("title: x\n")
    monkeypatch.setenv("REPO_ENGINE_DATA", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def users(*args, stdin: str = ""):
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        return main(["users", *args])
    finally:
        sys.stdin = old


def accounts(site) -> Accounts:
    return Accounts(site / "data")


def test_add_with_a_password_on_stdin_then_sign_in_with_it(site, capsys):
    assert users("add", "ann", "--name", "Ann Smith", "--admin", "--password-stdin", stdin=PASSWORD + "\n") == 0
    assert "Added ann (site admin)." in capsys.readouterr().out
    assert accounts(site).check_password("ann", PASSWORD).site_admin


def test_passwd_changes_the_password(site):
    users("add", "ann", "--password-stdin", stdin=PASSWORD)
    assert users("passwd", "ann", "--password-stdin", stdin="another long passphrase") == 0
    assert accounts(site).check_password("ann", "another long passphrase") is not None


def test_admin_makes_and_unmakes_a_site_admin(site):
    users("add", "ann", "--no-password")
    assert users("admin", "ann") == 0
    assert accounts(site).get("ann").site_admin
    assert users("admin", "ann", "--remove") == 0
    assert not accounts(site).get("ann").site_admin
    assert users("admin", "bob") == 1


def test_remove_takes_the_account_and_its_tokens(site):
    users("add", "ann", "--no-password")
    token = accounts(site).create_token("ann")
    assert users("remove", "ann") == 0
    assert accounts(site).get("ann") is None
    assert accounts(site).user_for_token(token) is None
    assert users("remove", "ann") == 1


def test_grant_list_and_revoke(site, capsys):
    users("add", "ann", "--no-password")
    assert users("grant", "ann", "qi", "editor") == 0
    users("list")
    assert "qi: editor" in capsys.readouterr().out
    assert users("revoke", "ann", "qi") == 0
    assert accounts(site).get("ann").roles == {}


@pytest.mark.parametrize("args, message", [
    (("grant", "bob", "qi", "editor"), "no account called “bob”"),
    (("grant", "ann", "nowhere", "editor"), "no instance called “nowhere”"),
    (("grant", "ann", "qi", "owner"), "no role called “owner” (roles: reader, contributor, editor, admin)"),
    (("revoke", "ann", "audit"), "ann has no role in audit"),
    (("passwd", "bob", "--password-stdin"), "no account called “bob”"),
    (("add", "ann", "--no-password"), "already an account called “ann”"),
    (("token", "bob"), "no account called “bob”"),
])
def test_mistakes_exit_1_with_a_message(site, capsys, args, message):
    users("add", "ann", "--no-password")
    assert users(*args, stdin=PASSWORD) == 1
    assert message in capsys.readouterr().err


def test_a_short_password_is_refused(site, capsys):
    assert users("add", "ann", "--password-stdin", stdin="short") == 1
    assert "at least 10 characters" in capsys.readouterr().err
    assert accounts(site).get("ann") is None


def test_without_a_terminal_or_stdin_option_the_password_is_not_guessed(site, capsys):
    assert users("add", "ann") == 1
    assert "--password-stdin" in capsys.readouterr().err


def test_token_is_printed_once_and_signs_in_as_the_user(site, capsys):
    users("add", "ann", "--no-password")
    capsys.readouterr()
    assert users("token", "ann", "--label", "report script") == 0
    token = capsys.readouterr().out.strip()
    assert accounts(site).user_for_token(token).username == "ann"


def test_demo_makes_a_site_admin_with_a_random_password_only_when_there_are_no_accounts(site, capsys):
    assert users("demo") == 0
    out = capsys.readouterr().out
    password = out.split("password: ")[1].split()[0]
    assert "(site admin: every role in every instance, including instances added later)" in out
    demo = accounts(site).check_password("demo", password)
    assert demo.site_admin
    assert demo.role_in("qi") == demo.role_in("an-instance-added-later") == "admin"
    users("demo")
    assert "no demo account made" in capsys.readouterr().out
    assert len(accounts(site)) == 1


def test_demo_passwords_differ_between_sites(site, monkeypatch, capsys):
    seen = set()
    for n in range(2):
        monkeypatch.setenv("REPO_ENGINE_DATA", str(site / f"data{n}"))
        users("demo")
        seen.add(capsys.readouterr().out.split("password: ")[1].split()[0])
    assert len(seen) == 2


def test_an_account_added_with_an_invited_address_starts_with_the_roles_waiting(site, capsys):
    accounts(site).invite("new.starter@nhs.net", "qi", "editor", by="ida")
    accounts(site).invite("new.starter@nhs.net", "audit", "reader", by="ida")
    assert users("list") == 0
    assert "new.starter@nhs.net\t(invited, not signed in yet)\t\taudit: reader, qi: editor" in capsys.readouterr().out
    assert users("add", "nstarter", "--email", "New.Starter@nhs.net", "--no-password") == 0
    assert "Roles it was invited to: audit: reader, qi: editor." in capsys.readouterr().out
    assert dict(accounts(site).get("nstarter").roles) == {"audit": "reader", "qi": "editor"}
    users("list")
    assert "invited" not in capsys.readouterr().out
