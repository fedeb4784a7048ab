"""Invitations: a role in an instance kept for an email address that has no account yet.

A department admin adds a new starter by their work email address before that person has ever signed in. The
role waits in ``accounts.json``, under ``invitations`` (address -> instance -> role, who invited and when),
and is changed only inside ``Accounts._changing``, like everything else in that file. An invitation is not an
account: no password, no token, no session can name it. It is taken up, and forgotten, when an account with
that address is made (``repo-engine users add ... --email``) or signs in through single sign-on; addresses are
compared without regard to case, as mail systems compare them.

These functions work on the account data being changed; ``engine.access.accounts`` calls them.
"""
from __future__ import annotations

import re
from typing import Iterable

#: Local part: no spaces, and none of the characters that would need quoting; domain: dotted DNS labels.
EMAIL = re.compile(r"^[^\s@<>()\[\]\\,;:\"]{1,64}@"
                   r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")
LONGEST = 254           # the longest address mail can be sent to (RFC 5321)
WRONG_FORMAT = "Enter an email address in the correct format, like name@example.nhs.uk"


def email_address(text: str | None) -> str | None:
    """``text`` as an invitation is filed under (trimmed, in lower case) when it is an email address; else None."""
    address = (text or "").strip().lower()
    if len(address) > LONGEST or not EMAIL.match(address):
        return None
    return address


def offer(data: dict, address: str, instance: str, role: str, by: str, when: str) -> None:
    """Keep ``role`` in ``instance`` for ``address`` (replacing a role it was invited to there before)."""
    data["invitations"].setdefault(address, {})[instance] = {"role": role, "by": by, "invited": when}


def withdraw(data: dict, address: str, instance: str) -> bool:
    """Forget the invitation of ``address`` to ``instance``; False when there was none."""
    waiting = data["invitations"].get(address, {})
    found = waiting.pop(instance, None) is not None
    if not waiting:
        data["invitations"].pop(address, None)
    return found


def take_up(data: dict, username: str, addresses: Iterable[str | None]) -> None:
    """Give ``username`` every role waiting for one of ``addresses``, and forget those invitations. A role the
    account already had in that instance is replaced, as giving someone a role replaces the one they had."""
    roles = data["users"][username].setdefault("roles", {})
    for address in sorted({found for found in map(email_address, addresses) if found}):
        for instance, invited in data["invitations"].pop(address, {}).items():
            roles[instance] = invited["role"]


def roles_by_address(data: dict) -> dict[str, dict[str, str]]:
    """Every address waiting, with the role it will have in each instance."""
    return {address: {instance: invited["role"] for instance, invited in waiting.items()}
            for address, waiting in sorted(data["invitations"].items())}
