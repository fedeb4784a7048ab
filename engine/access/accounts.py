"""The account store: people, their password hashes, roles per instance, API tokens and invitations (roles
waiting for someone's first sign-in, see ``engine.access.invitations``), in one JSON file.

``accounts.json`` lives in ``Paths.site_data`` (with a database, the same JSON is its document ``accounts``:
``engine.store.places``). Several worker processes, and several servers, share it: every change is made under
its lock, on the latest version, and written whole (``engine.store.wholefile``), so a reader always sees a
complete version. Each read checks whether another process changed it and reloads if so, so a role revoked
in one worker is refused by every worker on the next request.

Passwords are kept only as argon2 hashes. API tokens are shown once and kept only as a SHA-256 hash (they are
long random secrets, so a fast hash is enough and keeps a token check cheap per request).
"""
from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
import secrets
from contextlib import contextmanager
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Iterator

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engine.access import invitations
from engine.access.invitations import WRONG_FORMAT, email_address
from engine.access.policy import ROLES, User
from engine.errors import EngineError
from engine.store.places import Place, whole_document
from engine.store.wholefile import Layout

FILE_NAME = "accounts.json"
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")
TOKEN_PREFIX = "re_"
MIN_PASSWORD = 10


class AccountError(EngineError):
    """A request about accounts that cannot be done (unknown user, bad role, weak password); nothing changed."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _empty() -> dict:
    return {"users": {}, "tokens": {}, "invitations": {}}


EMPTY = MappingProxyType(_empty())     # what is read before the first account is added (never changed)


def _parse(where, raw: bytes | None) -> dict:
    return _empty() if raw is None else {**_empty(), **json.loads(raw.decode("utf-8"))}  # files before invitations


def _body(data: dict) -> bytes:
    return json.dumps(data, indent=1, sort_keys=True).encode("utf-8")


NAME = "accounts"
LAYOUT = Layout(_parse, _body, copy.deepcopy)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"There is no role called “{role}”. Roles are: {', '.join(ROLES)}.")


class Accounts:
    """``Accounts(place)``: the accounts of one deployment, kept at the site's place (``folder/accounts.json``,
    or the database's document ``accounts``)."""

    def __init__(self, place: Place, hasher: PasswordHasher | None = None, lock_timeout: float = 30.0):
        self._file = whole_document(place, NAME, LAYOUT, timeout=lock_timeout, lock_file=FILE_NAME + ".lock",
                                    busy=lambda: AccountError("The account list is busy; nothing was changed. "
                                                              "Try again."))
        self.path = self._file.where
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None    # hashed on first need: start-up stays fast

    # -- reading -------------------------------------------------------------------------------------------

    def _current(self) -> dict:
        """The latest version of the accounts (read again only when someone changed them)."""
        return self._file.current() or EMPTY

    def _user(self, record: dict | None, username: str) -> User | None:
        if record is None:
            return None
        return User(username=username, name=record.get("name", ""), email=record.get("email", ""),
                    roles=MappingProxyType(dict(record.get("roles", {}))),
                    site_admin=bool(record.get("site_admin")))

    def get(self, username: str) -> User | None:
        return self._user(self._current()["users"].get(username), username)

    def users(self) -> list[User]:
        people = self._current()["users"]
        return [self._user(people[name], name) for name in sorted(people, key=str.lower)]

    def __len__(self) -> int:
        return len(self._current()["users"])

    def session_stamp(self, username: str) -> str:
        """A short fingerprint of the account's password hash: a session remembers it when it starts, so a
        password change (a new hash, with its new salt) ends every session started before it."""
        return self.signed_in(username)[1]

    def signed_in(self, username: str) -> tuple[User | None, str]:
        """The account and its ``session_stamp``, from one reading of the accounts (every request asks)."""
        record = self._current()["users"].get(username)
        stored = (record or {}).get("password") or ""
        return self._user(record, username), hashlib.sha256(stored.encode("utf-8")).hexdigest()[:16]

    def has_password(self, username: str) -> bool:
        return bool(self._current()["users"].get(username, {}).get("password"))

    def members(self, instance: str) -> list[tuple[User, str]]:
        """Everyone given a role in ``instance``, with that role."""
        return [(u, u.roles[instance]) for u in self.users() if instance in u.roles]

    def invited(self) -> dict[str, dict[str, str]]:
        """Every email address invited and not signed in yet, with its role in each instance."""
        return invitations.roles_by_address(self._current())

    def invited_to(self, instance: str) -> list[tuple[str, str]]:
        """The email addresses invited to ``instance`` and not signed in yet, with the role waiting for each."""
        return [(address, roles[instance]) for address, roles in self.invited().items() if instance in roles]

    # -- writing -------------------------------------------------------------------------------------------

    @contextmanager
    def _changing(self) -> Iterator[dict]:
        """A copy of the latest data to change; written whole when the block ends without an error."""
        with self._file.changing() as data:
            for section, empty in _empty().items():
                data.setdefault(section, empty)
            yield data

    def _record(self, data: dict, username: str) -> dict:
        try:
            return data["users"][username]
        except KeyError:
            raise AccountError(f"There is no account called “{username}”.") from None

    def add(self, username: str, password: str | None = None, name: str = "", email: str = "",
            site_admin: bool = False) -> User:
        if not USERNAME.match(username or ""):
            raise AccountError("A username is 1 to 100 letters, digits or . _ @ + - and starts with a letter "
                               "or digit.")
        hashed = self._hash(password) if password is not None else ""
        with self._changing() as data:
            if username in data["users"]:
                raise AccountError(f"There is already an account called “{username}”.")
            data["users"][username] = {"name": name, "email": email, "password": hashed,
                                       "site_admin": site_admin, "roles": {}, "created": _now()}
            invitations.take_up(data, username, (email, username))
        return self.get(username)

    def _hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"A password must be at least {MIN_PASSWORD} characters long.")
        return self._hasher.hash(password)

    def set_password(self, username: str, password: str) -> None:
        hashed = self._hash(password)
        with self._changing() as data:
            self._record(data, username)["password"] = hashed

    def set_site_admin(self, username: str, site_admin: bool = True) -> None:
        with self._changing() as data:
            self._record(data, username)["site_admin"] = site_admin

    def check_password(self, username: str, password: str) -> User | None:
        """The user when the password is right; None otherwise. Unknown users and accounts without a password
        cost one hash check too, so timing does not tell which usernames exist."""
        stored = self._current()["users"].get(username, {}).get("password") or ""
        if not stored and self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_hex(16))
        try:
            self._hasher.verify(stored or self._dummy, password)
        except (VerificationError, InvalidHashError):
            return None
        if not stored:
            return None
        if self._hasher.check_needs_rehash(stored):
            self.set_password(username, password)
        return self.get(username)

    def remove(self, username: str) -> None:
        """Remove the account and its API tokens: the person is signed out on their next request."""
        with self._changing() as data:
            self._record(data, username)
            del data["users"][username]
            data["tokens"] = {tid: t for tid, t in data["tokens"].items() if t["username"] != username}

    def grant(self, username: str, instance: str, role: str) -> None:
        _check_role(role)
        with self._changing() as data:
            self._record(data, username).setdefault("roles", {})[instance] = role

    def revoke(self, username: str, instance: str) -> bool:
        """Take away the user's role in ``instance``; False when they had none."""
        with self._changing() as data:
            return self._record(data, username).setdefault("roles", {}).pop(instance, None) is not None

    # -- invitations -----------------------------------------------------------------------------------------

    def invite(self, email: str, instance: str, role: str, by: str = "") -> str | None:
        """Give ``role`` in ``instance`` to the person with the address ``email``: to their account when they
        have one (its username is returned), else as an invitation their first sign-in takes up (None)."""
        address = email_address(email)
        if address is None:
            raise AccountError(WRONG_FORMAT + ".")
        _check_role(role)
        with self._changing() as data:
            username = _holder(data["users"], address)
            if username is None:
                invitations.offer(data, address, instance, role, by, _now())
            else:
                data["users"][username].setdefault("roles", {})[instance] = role
        return username

    def withdraw(self, email: str, instance: str) -> bool:
        """Forget the invitation of ``email`` to ``instance``; False when there was none."""
        with self._changing() as data:
            return invitations.withdraw(data, email_address(email) or email, instance)

    # -- single sign-on --------------------------------------------------------------------------------------

    def find_or_add_sso(self, subject: str, email: str = "", name: str = "") -> User:
        """The account linked to an identity provider's ``subject`` (``issuer|sub``); else the account with that
        email not yet linked to another subject, which is then linked; else a new account. Either way it takes
        up the roles an invitation to its email address was keeping (none, mostly)."""
        with self._changing() as data:
            people = data["users"]
            username = next((u for u, r in people.items() if r.get("sso") == subject), None)
            if username is None and email:
                username = next((u for u, r in people.items() if not r.get("sso")
                                 and (r.get("email") or "").lower() == email.lower()), None)
            if username is None:
                username = self._free_username(people, email or subject)
                people[username] = {"name": name, "email": email, "password": "", "site_admin": False,
                                    "roles": {}, "created": _now()}
            record = people[username]
            record["sso"] = subject
            record["name"] = name or record.get("name", "")
            record["email"] = email or record.get("email", "")
            invitations.take_up(data, username, (record["email"],))
        return self.get(username)

    @staticmethod
    def _free_username(people: dict, wanted: str) -> str:
        base = re.sub(r"[^A-Za-z0-9._@+-]", "-", wanted.lower()).lstrip("._@+-")[:90] or "user"
        username, n = base, 1
        while username in people:
            n += 1
            username = f"{base}-{n}"
        return username

    # -- API tokens ----------------------------------------------------------------------------------------

    def create_token(self, username: str, label: str = "") -> str:
        """A new token for ``username``: returned once, only its hash kept. Format ``re_<id>_<secret>``."""
        token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        with self._changing() as data:
            self._record(data, username)
            data["tokens"][token_id] = {"username": username, "label": label, "hash": _token_hash(secret),
                                        "created": _now()}
        return f"{TOKEN_PREFIX}{token_id}_{secret}"

    def user_for_token(self, token: str) -> User | None:
        if not token.startswith(TOKEN_PREFIX) or token.count("_") < 2:
            return None
        token_id, _, secret = token[len(TOKEN_PREFIX):].partition("_")
        found = self._current()["tokens"].get(token_id)
        if found is None or not hmac.compare_digest(found["hash"], _token_hash(secret)):
            return None
        return self.get(found["username"])

    def tokens(self, username: str) -> list[dict]:
        """The user's tokens without their hashes: ``id``, ``label``, ``created``."""
        return [{"id": tid, "label": t["label"], "created": t["created"]}
                for tid, t in self._current()["tokens"].items() if t["username"] == username]

    def revoke_token(self, token_or_id: str) -> bool:
        """Revoke a token, given the token itself or its id; False when there was no such token."""
        token_id = token_or_id
        if token_or_id.startswith(TOKEN_PREFIX):
            token_id = token_or_id[len(TOKEN_PREFIX):].partition("_")[0]
        with self._changing() as data:
            return data["tokens"].pop(token_id, None) is not None


def _holder(people: dict, address: str) -> str | None:
    """The account that ``address`` names (as its username, else as its email), or None when none does."""
    found = ([u for u in people if u.lower() == address]
             or [u for u, r in people.items() if (r.get("email") or "").lower() == address])
    if len(found) > 1:
        raise AccountError(f"More than one account has the email address {address}. Give the role by "
                           "username instead.")
    return found[0] if found else None
