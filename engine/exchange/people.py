"""Who created an imported record, when the file names someone with an account here.

A tracker names its lead ("ann.lee@nhs.net", or the username "alee") and often the person who typed the row
in (SharePoint's Created by). When a cell names an account, by its username or its email in any case, the
record is created by that account: its lead may then edit it and finds it on ``/mine``. The Created by cell
counts first, then the person fields in the type's order (``FieldType.names_person``); a name that is no
account keeps today's rule (Created by as written, else the importing user). Accounts are only read.
"""
from __future__ import annotations

from typing import Callable, Iterable

from engine.access.policy import User
from engine.fields.values import as_list
from engine.schema.model import RepositoryType

#: ``find(text)``: the username of the one account ``text`` names, or None.
PeopleLookup = Callable[[str], "str | None"]


def account_finder(users: Iterable[User]) -> PeopleLookup:
    """A lookup over ``users`` (``Accounts.users()``). A username matches exactly first, then in any case;
    a key two accounts share (an email given twice) names neither of them."""
    exact: dict[str, str] = {}
    folded: dict[str, set[str]] = {}
    for user in users:
        exact[user.username] = user.username
        for key in (user.username, user.email):
            if key and key.strip():
                folded.setdefault(key.strip().casefold(), set()).add(user.username)

    def find(text: str) -> str | None:
        text = text.strip()
        if text in exact:
            return exact[text]
        named = folded.get(text.casefold(), set())
        return next(iter(named)) if len(named) == 1 else None
    return find


def settle_creator(row, rtype: RepositoryType, people: PeopleLookup | None) -> None:
    """Make ``row.created_by`` the account its Created by cell or a person field names, saying which."""
    if people is None:
        return
    if row.created_by and (named := people(row.created_by)):
        row.created_by = named
        return
    for field in rtype.fields:
        if not field.kind.names_person:
            continue
        for value in as_list(row.values.get(field.name)):
            if named := people(str(value)):
                row.created_by = named
                row.readings.append(f"created by the account {named}, whom {field.label} names")
                return
