"""Who a review reminder goes to: the type's review ``owner`` (the address or account its field names), and
whoever the type's ``notify:`` rules for ``review_due`` / ``review_overdue`` name (roles' members, fields of the
record, its creator, its watchers, webhooks).

``engine.notify.recipients`` (``Notifier``) decides who is told of what people do to a record; a reminder has
no actor and its owner is told without a rule, so it is resolved here, from the same rules, the same accounts
and the same reading of a field's value (an address as written, else the account it names).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from engine.access.accounts import Accounts
from engine.access.invitations import email_address
from engine.fields.values import as_list
from engine.notify.notice import EMAIL, WEBHOOK
from engine.schema.model import Audience, RepositoryType
from engine.store.base import Record, Store


@dataclass(frozen=True)
class Recipient:
    """Where one notice goes: an email address, or a webhook (``to``: the variable holding its URL)."""
    channel: str
    to: str
    secret_env: str = ""


def address_of(accounts: Accounts, value: Any) -> str | None:
    """The email address ``value`` is (an owner field holding an address), else that of the account it names
    by username, else by its name as people write it ("Dr Aisha Rahman") when exactly one account has it."""
    text = str(value).strip() if isinstance(value, str) else ""
    if not text:
        return None
    written = email_address(text)
    if written:
        return written
    person = accounts.get(text)
    if person is None:
        key = text.casefold()
        named = ([u for u in accounts.users() if u.username.casefold() == key]
                 or [u for u in accounts.users() if u.name.strip().casefold() == key])
        person = named[0] if len(named) == 1 else None
    return email_address(person.email) if person else None


def owner_address(rtype: RepositoryType, record: Record, accounts: Accounts) -> str | None:
    """The review owner's email address, when the type names an owner field and the record fills it."""
    owner = rtype.review.owner if rtype.review else None
    return address_of(accounts, record.values.get(owner)) if owner else None


def recipients(instance: str, rtype: RepositoryType, record: Record, event: str, store: Store,
               accounts: Accounts) -> list[Recipient]:
    """Everyone a reminder about ``record`` (``event``: review_due or review_overdue) goes to, the owner
    first, each address once."""
    addresses = [owner_address(rtype, record, accounts)]
    hooks = []
    for rule in rtype.notify:
        if not rule.matches(event):
            continue
        addresses += _audience(instance, rule.to, record, store, accounts)
        if rule.webhook_env:
            hooks.append(Recipient(WEBHOOK, rule.webhook_env, rule.secret_env or ""))
    emails = [Recipient(EMAIL, address) for address in dict.fromkeys(a for a in addresses if a)]
    return emails + list(dict.fromkeys(hooks))


def _audience(instance: str, audience: Audience, record: Record, store: Store,
              accounts: Accounts) -> Iterable[str | None]:
    if audience.roles:
        yield from (email_address(person.email) for person, _ in accounts.members(instance)
                    if any(person.has_role(instance, role) for role in audience.roles))
    for name in audience.fields:
        yield from (address_of(accounts, item) for item in as_list(record.values.get(name)))
    if audience.creator:
        yield address_of(accounts, record.created_by)
    if audience.watchers:
        yield from (address_of(accounts, username) for username in _watchers(store, record.reference))


def _watchers(store: Store, reference: str) -> frozenset[str]:
    try:
        return store.watchers(reference)
    except NotImplementedError:     # a backend that keeps no watchers has none to tell
        return frozenset()
