"""The rules of a type's ``workflow:``, decided once for the record page, the API and ``Records.act``.

``may_act``: may this person take this action on this record (by role, as its creator, or as the person a
field names)? ``who_words`` says who may, in words a refused person reads. ``refusals``: why the action cannot
be taken now, by field ('status', 'comment' or a field's name), in the person's words. ``status_refusal``: why
a status change made outside the actions (an edit form, the API, an import) is refused.
"""
from __future__ import annotations

from typing import Any, Mapping

from engine.access.policy import User
from engine.fields.values import as_list, lower_first, with_article
from engine.schema.model import Action, Audience, RepositoryType
from engine.store.base import Record

#: How long a comment, with an action or beside a record, may be.
MAX_COMMENT = 5000


def may_act(user: User, instance_name: str, action: Action, record: Record) -> bool:
    """Whether ``user`` is among those ``action.who`` names for ``record``. Nobody signed out ever is."""
    if not user.signed_in:
        return False
    return in_audience(user, instance_name, action.who, record)


def in_audience(user: User, instance_name: str, audience: Audience, record: Record) -> bool:
    if any(user.has_role(instance_name, role) for role in audience.roles):
        return True
    if audience.creator and record.created_by == user.username:
        return True
    return any(names_person(record.values.get(name), user) for name in audience.fields)


def names_person(value: Any, user: User) -> bool:
    """Does a field's value (an address or a username, or a list of them) name ``user``? Case is ignored, as
    mail systems ignore it."""
    own = {key.strip().casefold() for key in (user.username, user.email) if key and key.strip()}
    return any(isinstance(item, str) and item.strip().casefold() in own for item in as_list(value))


def who_words(rtype: RepositoryType, action: Action) -> str:
    """'editors', 'editors or the person named in Project lead', 'the person who submitted it'."""
    who = action.who
    parts = [f"{role}s" for role in who.roles]
    parts += [f"the person named in {_label(rtype, name)}" for name in who.fields]
    if who.creator:
        parts.append("the person who submitted it")
    if not parts:
        return "no one"
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"


def available(user: User, instance_name: str, rtype: RepositoryType, record: Record) -> list[Action]:
    """The actions ``user`` may take on ``record`` now: those starting from its status that ``user`` may take,
    in the order the type lists them (empty for a type without a workflow)."""
    if rtype.workflow is None:
        return []
    return [action for action in rtype.workflow.from_status(record.status)
            if may_act(user, instance_name, action, record)]


def refusals(rtype: RepositoryType, action: Action, record: Record, comment: str) -> dict[str, str]:
    """Why ``action`` cannot be taken on ``record`` with ``comment`` now, by 'status', a field's name or
    'comment'; empty when it can. A record in another status is told only that: nothing else would help."""
    if record.status not in action.from_statuses:
        return {"status": f"{action.name} can only be used on a record that is {_either(action.from_statuses)}; "
                          f"{record.reference} is {record.status}."}
    found: dict[str, str] = {}
    found.update(missing_requirements(rtype, action, record.values))
    problem = comment_problem(action, comment)
    if problem:
        found["comment"] = problem
    return found


def missing_requirements(rtype: RepositoryType, action: Action, values: Mapping[str, Any]) -> dict[str, str]:
    """The fields ``action.requires`` that are empty, each worded as the form words a missing value."""
    found = {}
    for name in action.requires:
        field = rtype.field_map.get(name)
        if field is not None and field.kind.is_empty(values.get(name)):
            found[name] = f"{field.kind.missing_verb} {lower_first(field.label)} {_before(rtype, action)}"
    return found


def comment_problem(action: Action, comment: str) -> str | None:
    """What is wrong with the comment given with ``action``: missing when required, given when it takes none,
    or too long."""
    text = (comment or "").strip()
    if action.comment == "required" and not text:
        return f"Enter a comment to {lower_first(action.name)}"
    if action.comment == "none" and text:
        return f"{action.name} does not take a comment: leave it empty"
    if len(text) > MAX_COMMENT:
        return f"Comment must be {MAX_COMMENT:,} characters or fewer"
    return None


def status_refusal(rtype: RepositoryType, current_status: str | None, new_status: str | None) -> str | None:
    """Why setting the status from ``current_status`` to ``new_status`` outside an action is refused: only a
    type with a workflow refuses, and only a change. None when it is allowed."""
    if rtype.workflow is None or new_status is None or new_status == current_status:
        return None
    start = f"The status of {with_article(lower_first(rtype.title))} changes only through its actions."
    actions = rtype.workflow.from_status(current_status or "")
    if not actions:
        return f"{start} No action starts from {current_status}."
    listed = ", ".join(f"{action.name} ({who_words(rtype, action)})" for action in actions)
    return f"{start} From {current_status}: {listed}."


def start_refusal(rtype: RepositoryType, status: str) -> str | None:
    """Why a new record may not be given ``status`` (an admin importing history may give any); None when it
    may, or when the status is no status of the type (the validator says so)."""
    if status in rtype.start_statuses or status not in rtype.status_names:
        return None
    return (f"A new {lower_first(rtype.title)} starts as {_either(rtype.start_statuses)}: its status then "
            f"changes only through its actions")


def _before(rtype: RepositoryType, action: Action) -> str:
    """'before you approve this improvement project', 'before you use Submit for review'."""
    if len(action.name.split()) == 1:
        return f"before you {action.name.lower()} this {lower_first(rtype.title)}"
    return f"before you use {action.name}"


def _either(statuses: tuple[str, ...]) -> str:
    return statuses[0] if len(statuses) == 1 else f"{', '.join(statuses[:-1])} or {statuses[-1]}"


def _label(rtype: RepositoryType, name: str) -> str:
    field = rtype.field_map.get(name)
    return field.label if field else name
