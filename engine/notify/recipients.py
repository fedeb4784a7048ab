"""Who is told what happened to a record: a type's ``notify:`` rules and the record's watchers, as ``Notice``s.

``Notifier`` turns one event (a record submitted, an action taken, a comment, an edit) into the notices the
write that makes it queues in the outbox: for each matching rule one email per person its ``to:`` names
(roles from the accounts, the record's creator, the people its fields name) and one webhook post per rule
with a webhook; and, without any rule, one email to each watcher of the record for every action, comment and
edit, carrying the one-click unsubscribe path of that watch. One notice per address per event, and never to
the person who did it (their username or email, in any case).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Protocol

from engine.access.invitations import email_address
from engine.access.policy import User
from engine.fields.values import as_list
from engine.notify.notice import EMAIL, WEBHOOK, Notice
from engine.notify.unsubscribe import watch_path
from engine.schema.model import Action, Audience, Instance, RepositoryType
from engine.store.base import Record

#: ``watchers(reference)``: the usernames watching a record (``Store.watchers``).
Watchers = Callable[[str], frozenset[str]]


class People(Protocol):
    """The accounts a notifier reads (``engine.access.accounts.Accounts``)."""
    def members(self, instance: str) -> list[tuple[User, str]]: ...

    def get(self, username: str) -> User | None: ...

    def users(self) -> list[User]: ...


class NoPeople:
    """No accounts (a script or test without any): only addresses a record holds are told."""
    def members(self, instance: str) -> list[tuple[User, str]]:
        return []

    def get(self, username: str) -> User | None:
        return None

    def users(self) -> list[User]:
        return []


@dataclass(frozen=True)
class Subject:
    """What a notice is about: a record as written (its reference empty until the store gives it one)."""
    reference: str
    status: str
    created_by: str
    values: Mapping[str, Any]

    @classmethod
    def of(cls, record: Record) -> "Subject":
        return cls(record.reference, record.status, record.created_by, record.values)


@dataclass(frozen=True)
class Event:
    name: str               # submitted | action | commented | edited
    action: str = ""
    comment: str = ""
    watchers: bool = True   # are the record's watchers told without a rule?


@dataclass(frozen=True)
class _Person:
    address: str
    username: str = ""
    unsubscribe: str = ""


class Notifier:
    """The notices of one repository's events. ``people``: the accounts (``Accounts``); ``watchers``: who
    watches a record; ``secret``: the site's key, which signs the unsubscribe links (None: no links)."""

    def __init__(self, instance: Instance, rtype: RepositoryType, people: People | None = None,
                 watchers: Watchers | None = None, secret: str | None = None):
        self.instance = instance
        self.rtype = rtype
        self.people = people if people is not None else NoPeople()     # an Accounts of no one is falsy
        self.watchers = watchers or (lambda reference: frozenset())
        self.secret = secret

    # -- events --------------------------------------------------------------------------------------------
    def submitted(self, record_values: Mapping[str, Any], status: str, actor: User) -> list[Notice]:
        """A new record (its reference is filled in by the store when it is written)."""
        subject = Subject("", status, actor.username, record_values)
        return self._notices(Event("submitted", watchers=False), subject, actor)

    def acted(self, record: Record, action: Action, comment: str, actor: User) -> list[Notice]:
        """``actor`` took ``action`` on ``record`` (told with the status it moves to)."""
        subject = Subject(record.reference, action.to, record.created_by, record.values)
        return self._notices(Event("action", action.name, comment), subject, actor)

    def commented(self, record: Record, text: str, actor: User) -> list[Notice]:
        return self._notices(Event("commented", comment=text), Subject.of(record), actor)

    def edited(self, record: Record, actor: User) -> list[Notice]:
        """``record`` as the edit leaves it."""
        return self._notices(Event("edited"), Subject.of(record), actor)

    def person(self, username: str) -> User:
        """The account of ``username``, or a person known only by that name (a script's user, an import's)."""
        return self.people.get(username) or User(username=username)

    # -- who ------------------------------------------------------------------------------------------------
    def _notices(self, event: Event, subject: Subject, actor: User) -> list[Notice]:
        rules = [rule for rule in self.rtype.notify if rule.matches(event.name, event.action or None)]
        told_watchers = event.watchers or any(rule.to.watchers for rule in rules)
        people = [person for rule in rules for person in self._audience(rule.to, subject)]
        if told_watchers and subject.reference:
            people += self._watchers(subject.reference)
        found: list[Notice] = []
        seen: set[str] = set()
        for person in people:
            key = person.address.casefold()
            if key in seen or _is_actor(person, actor):
                continue
            seen.add(key)
            found.append(self._notice(event, subject, actor, EMAIL, person.address, unsubscribe=person.unsubscribe))
        hooks = {rule.webhook_env: rule for rule in rules if rule.webhook_env}
        found += [self._notice(event, subject, actor, WEBHOOK, env, secret_env=rule.secret_env or "")
                  for env, rule in hooks.items()]
        return found

    def _audience(self, audience: Audience, subject: Subject) -> Iterator[_Person]:
        """The people ``audience`` names for ``subject``, watchers aside (they are added with their links)."""
        if audience.roles:
            for user, _role in self.people.members(self.instance.name):
                if any(user.has_role(self.instance.name, role) for role in audience.roles):
                    yield from _reached(user)
        if audience.creator and subject.created_by:
            account = self.people.get(subject.created_by)
            if account is not None:
                yield from _reached(account)
            elif address := email_address(subject.created_by):     # an import kept who made it, as written
                yield _Person(address)
        for name in audience.fields:
            for item in as_list(subject.values.get(name)):
                if isinstance(item, str):
                    yield from self._named(item)

    def _named(self, text: str) -> Iterator[_Person]:
        """The person a field's value names: an address as it is (with its account, if any, for telling who
        it is), else the account whose username or address it is."""
        address = email_address(text)
        account = self._account(text)
        if address is not None:
            yield _Person(address, account.username if account else "")
        elif account is not None:
            yield from _reached(account)

    def _account(self, text: str) -> User | None:
        key = text.strip().casefold()
        exact = self.people.get(text.strip())
        if exact is not None:
            return exact
        return next((u for u in self.people.users()
                     if u.username.casefold() == key or (u.email and u.email.strip().casefold() == key)), None)

    def _watchers(self, reference: str) -> Iterator[_Person]:
        for username in sorted(self.watchers(reference)):
            account = self.people.get(username)
            if account is None or not email_address(account.email):
                continue
            link = watch_path(self.secret, self.instance.name, self.rtype.name, reference, username) \
                if self.secret else ""
            yield _Person(account.email.strip(), username, link)

    # -- what -----------------------------------------------------------------------------------------------
    def _notice(self, event: Event, subject: Subject, actor: User, channel: str, to: str, *,
                unsubscribe: str = "", secret_env: str = "") -> Notice:
        return Notice(event=event.name, channel=channel, to=to, instance=self.instance.name,
                      repository=self.rtype.name, reference=subject.reference, title=self._title(subject),
                      status=subject.status, actor=actor.username, actor_name=actor.display_name,
                      action=event.action, comment=event.comment, unsubscribe=unsubscribe, secret_env=secret_env)

    def _title(self, subject: Subject) -> str:
        field = self.rtype.field_map.get(self.rtype.record_title)
        text = field.kind.display_text(field, subject.values.get(field.name)) if field else ""
        return text or subject.reference


def _reached(user: User) -> Iterator[_Person]:
    """An account's address, when it has one mail can be sent to."""
    if email_address(user.email):
        yield _Person(user.email.strip(), user.username)


def _is_actor(person: _Person, actor: User) -> bool:
    """Is ``person`` the one who did it? By username, or by address, in any case."""
    if person.username and actor.username and person.username.casefold() == actor.username.casefold():
        return True
    return bool(actor.email) and person.address.casefold() == actor.email.strip().casefold()


__all__ = ["Event", "NoPeople", "Notifier", "People", "Subject", "Watchers"]
