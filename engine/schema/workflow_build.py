"""Freezing a type's ``workflow:``, ``notify:`` and ``review:`` into ``Workflow``, ``NotifyRule`` and ``Review``.

The blocks are known to be valid (``engine.schema.workflow_checks`` has passed them); see docs/workflow.md.
"""
from __future__ import annotations

from typing import Any

from engine.schema.draft import TypeDraft
from engine.schema.model import Action, Audience, NotifyRule, Review, Source, Workflow

#: Who may take an action that does not say (``who:`` left out).
DEFAULT_WHO = Audience(roles=("editor",))
#: Words of ``who:``/``to:`` that are not roles.
CREATOR, WATCHERS = "creator", "watchers"


def workflow_parts(draft: TypeDraft) -> dict[str, Any]:
    """The ``RepositoryType`` keyword arguments for the three blocks: ``workflow``, ``notify``, ``review``."""
    values = draft.values
    actions = tuple(build_action(item, source(draft, "workflow", index))
                    for index, item in enumerate(values.get("workflow", ())))
    rules = tuple(build_notify_rule(item, source(draft, "notify", index))
                  for index, item in enumerate(values.get("notify", ())))
    review = values.get("review")
    return {"workflow": Workflow(actions) if actions else None,
            "notify": rules,
            "review": None if review is None else build_review(review, source(draft, "review"))}


def source(draft: TypeDraft, key: str, index: int | None = None) -> Source:
    spot = draft.spot(key)
    spot = spot if index is None else spot / index
    return Source(spot.doc.shown_path, spot.line)


def build_action(item: dict[str, Any], where: Source | None = None) -> Action:
    written = item.get("from", ())
    return Action(
        name=item["action"],
        from_statuses=(written,) if isinstance(written, str) else tuple(written),
        to=item["to"],
        who=audience(item["who"]) if "who" in item else DEFAULT_WHO,
        comment=item.get("comment", "optional"),
        requires=tuple(item.get("requires", ())),
        then_superseded=item.get("then", {}).get("superseded"),
        source=where,
    )


def build_notify_rule(item: dict[str, Any], where: Source | None = None) -> NotifyRule:
    on = item["on"]
    webhook = item.get("webhook", {})
    return NotifyRule(
        event="action" if isinstance(on, dict) else on,
        action=on["action"] if isinstance(on, dict) else None,
        to=audience(item.get("to", ())),
        webhook_env=webhook.get("url_env"),
        secret_env=webhook.get("secret_env"),
        source=where,
    )


def build_review(item: dict[str, Any], where: Source | None = None) -> Review:
    remind = tuple(item["remind"]) if "remind" in item else Review.__dataclass_fields__["remind"].default
    return Review(date=item["date"], owner=item.get("owner"), remind=remind, source=where)


def audience(items) -> Audience:
    """``[creator, editor, {role: admin}, {field: lead_email}, watchers]`` as an ``Audience``."""
    roles: list[str] = []
    fields: list[str] = []
    for item in items:
        if isinstance(item, dict):
            (roles if "role" in item else fields).append(item.get("role", item.get("field")))
        elif item not in (CREATOR, WATCHERS):
            roles.append(item)
    return Audience(roles=tuple(roles), fields=tuple(fields), creator=CREATOR in items, watchers=WATCHERS in items)
