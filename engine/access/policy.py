"""Who may do what in an instance: people, their roles, and the one ``can`` every page and API call asks.

Roles rank ``reader < contributor < editor < admin``; a role in one instance says nothing about another.
The instance's ``access:`` (see ``engine.schema.model.Access``) opens reading to anyone or to all signed-in
staff, and submitting to all signed-in staff; everything else comes from roles.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from engine.schema.model import Instance

ROLES = ("reader", "contributor", "editor", "admin")

#: Every action a page or API call is checked against.
#: read: browse, record pages, history, attachments, export. submit: the new-record form and create.
#: edit: change a record's fields (contributors: only records they created). change_status: set a record's
#: status. delete / restore: the bin. manage: members and roles. import: load a spreadsheet.
ACTIONS = ("read", "submit", "edit", "change_status", "delete", "restore", "manage", "import")


@dataclass(frozen=True)
class User:
    """A signed-in person, or ``ANONYMOUS``. ``roles`` maps instance name to role name."""
    username: str
    name: str = ""
    email: str = ""
    roles: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    site_admin: bool = False        # every role in every instance (the people who run the deployment)

    @property
    def signed_in(self) -> bool:
        return bool(self.username)

    @property
    def display_name(self) -> str:
        return self.name or self.username

    def role_in(self, instance: str) -> str | None:
        return "admin" if self.site_admin else self.roles.get(instance)

    def has_role(self, instance: str, at_least: str) -> bool:
        role = self.role_in(instance)
        return role is not None and ROLES.index(role) >= ROLES.index(at_least)


ANONYMOUS = User(username="")

#: The least role each action needs in an instance; its access settings may open reading and submitting wider.
LEAST_ROLE = {"read": "reader", "submit": "contributor", "edit": "editor", "change_status": "editor",
              "delete": "editor", "restore": "admin", "manage": "admin", "import": "admin"}


def can(user: User, instance: Instance, action: str, created_by: str | None = None) -> bool:
    """May ``user`` do ``action`` in ``instance``? ``created_by``: for ``edit``, who created the record (a
    contributor may edit their own records)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not can_read(user, instance):
        return False
    if action == "read":
        return True
    if action == "submit" and instance.access.submit == "staff" and user.signed_in:
        return True
    if action == "edit" and created_by is not None and user.signed_in and created_by == user.username:
        return can(user, instance, "submit")
    return user.has_role(instance.name, LEAST_ROLE[action])


def can_read(user: User, instance: Instance) -> bool:
    audience = instance.access.read
    if audience == "anyone":
        return True
    if audience == "staff":
        return user.signed_in
    return user.role_in(instance.name) is not None


def least_role(instance: Instance, action: str) -> str:
    """The least role that lets someone do ``action`` in ``instance`` (for telling a refused person what to
    ask for): reading a members-only instance needs reader, submitting needs contributor."""
    return LEAST_ROLE[action]
