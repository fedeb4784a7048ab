"""Saved-search alerts: a browse page's or the trust-wide search's query, kept with how often to send its digest.

``alerts.json`` lives in ``Paths.site_data`` (``{"format": 1, "alerts": {id: {...}}}``) beside ``alerts.lock``
(with a database, the same JSON is its document ``alerts``: ``engine.store.places``). Every change takes the
lock (across processes, threads and servers), reads the alerts afresh and replaces them whole and durably, as
``engine.store.drafts`` keeps drafts, so two workers saving alerts at once never lose each other's. Alerts
that cannot be read are refused with ``AlertsDamaged`` on every read and write, never taken for "no alerts":
saving over them would lose everyone's.

A digest is due once per period: a daily alert once per calendar day (UTC), a weekly one once per ISO week,
counted from when it was last sent (or made). So ``repo-engine digest`` run by cron at any time of the day
sends each digest once, and a second run the same day finds nothing due.
"""
from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode

from engine.errors import DataDamaged, EngineError, NotFound, StoreError
from engine.store.documents import parse_stamp, stamp, utc_now
from engine.store.places import Place, whole_document
from engine.store.wholefile import Layout

NAME = "alerts"
FORMAT = 1
DAILY, WEEKLY = "daily", "weekly"
FREQUENCIES = {DAILY: "Every day", WEEKLY: "Every week"}
#: How many alerts one person may keep: enough for every view they follow, too few to flood the outbox.
MAX_ALERTS_PER_PERSON = 50
#: What a query string keeps: the page a person was on is not part of what they want to hear about.
DROPPED = frozenset({"page", "per_page"})
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
ADVICE = ("Restore alerts.json from a backup, or move it aside to start again with no saved-search alerts "
          "(people can save them again; no record is affected).")


@dataclass(frozen=True)
class Alert:
    """One person's saved view: ``instance`` and ``repository`` name a browse page ('' for the trust-wide
    search), ``query`` its query string (normalised), ``title`` the view in words."""
    id: str
    owner: str
    email: str
    instance: str
    repository: str
    query: str
    title: str
    frequency: str
    created: datetime
    last_sent: datetime | None = None

    @property
    def trust_wide(self) -> bool:
        return not self.repository

    @property
    def path(self) -> str:
        """The view's address on the site (after the script root)."""
        where = "/search" if self.trust_wide else f"/{self.instance}/{self.repository}/"
        return f"{where}?{self.query}" if self.query else where

    def period(self, moment: datetime) -> str:
        """The digest period ``moment`` falls in: '2026-12-02' (daily) or '2026-W49' (weekly)."""
        moment = _utc(moment)
        if self.frequency == WEEKLY:
            year, week, _ = moment.isocalendar()
            return f"{year}-W{week:02d}"
        return moment.date().isoformat()

    @property
    def since(self) -> datetime:
        """Where the next digest's news starts: when the last one was sent, or when the alert was made."""
        return self.last_sent or self.created

    def due(self, now: datetime) -> bool:
        return _utc(now) > self.since and self.period(now) != self.period(self.since)


class AlertRefused(EngineError):
    """An alert that was not saved or changed, with why in the person's words."""


class TooManyAlerts(AlertRefused):
    def __init__(self, limit: int):
        super().__init__(f"Your alert was not saved: you already have {limit} alerts, the most one person may "
                         "keep. Delete one you no longer need (they are listed on Your alerts), then try again.")


class AlertNotFound(NotFound):
    """No such alert, or someone else's: the two are answered alike."""

    def __init__(self) -> None:
        super().__init__("There is no alert at this address. It may have been deleted.")


class AlertsDamaged(DataDamaged):
    """The saved-search alerts file cannot be read; records are not affected."""

    USER_MESSAGE = ("Saved-search alerts could not be read. Nothing has been changed. Ask the service team to "
                    "look at alerts.json.")


def normalised(query: str) -> str:
    """A query string as an alert keeps it: empty values, ``page`` and ``per_page`` left out, order kept."""
    pairs = [(name, value) for name, value in parse_qsl(query.lstrip("?"), keep_blank_values=True)
             if name not in DROPPED and value.strip() != ""]
    return urlencode(pairs)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _check_frequency(frequency: str) -> str:
    if frequency not in FREQUENCIES:
        raise AlertRefused("Choose how often to be sent the alert: every day or every week.")
    return frequency


class Alerts:
    """``Alerts(place)``: every saved-search alert of one deployment, kept at the site's place
    (``folder/alerts.json``, or the database's)."""

    def __init__(self, place: Place, *, max_per_person: int = MAX_ALERTS_PER_PERSON):
        self.max_per_person = max_per_person
        self._file = whole_document(place, NAME, LAYOUT, busy=lambda: StoreError(
            "Alerts are being saved by someone else; nothing was changed. Try again in a moment."))
        self.path = self._file.where

    # -- reading ----------------------------------------------------------------------------------------------
    def get(self, alert_id: str) -> Alert:
        alert = self._current().get(alert_id) if ID_PATTERN.fullmatch(alert_id or "") else None
        if alert is None:
            raise AlertNotFound()
        return alert

    def owned_by(self, owner: str) -> list[Alert]:
        """The person's alerts, the first made first."""
        return sorted((a for a in self._current().values() if a.owner == owner), key=lambda a: a.created)

    def all(self) -> list[Alert]:
        return sorted(self._current().values(), key=lambda a: a.created)

    def due(self, now: datetime) -> list[Alert]:
        """The alerts whose digest is due at ``now`` (see the module's note on periods)."""
        return [alert for alert in self.all() if alert.due(now)]

    def verify(self) -> list[DataDamaged]:
        """The alerts' faults, read afresh (empty when sound or absent)."""
        return self._file.verify()

    def _current(self) -> dict[str, Alert]:
        return self._file.current()

    # -- writing ----------------------------------------------------------------------------------------------
    def add(self, owner: str, email: str, *, instance: str, repository: str, query: str, title: str,
            frequency: str, now: datetime | None = None) -> Alert:
        """Save a view as an alert. The same person saving the same view again changes its frequency rather
        than making a second alert; ``TooManyAlerts`` past the limit."""
        _check_frequency(frequency)
        query = normalised(query)
        with self._changing() as alerts:
            mine = [a for a in alerts.values() if a.owner == owner]
            same = next((a for a in mine if (a.instance, a.repository, a.query) == (instance, repository, query)),
                        None)
            if same is not None:
                saved = alerts[same.id] = replace(same, frequency=frequency, email=email or same.email,
                                                  title=title)
                return saved
            if len(mine) >= self.max_per_person:
                raise TooManyAlerts(self.max_per_person)
            saved = Alert(_new_id(), owner, email, instance, repository, query, title, frequency,
                          _utc(now or utc_now()))
            alerts[saved.id] = saved
        return saved

    def change_frequency(self, alert_id: str, frequency: str, *, owner: str | None = None) -> Alert:
        """``owner``: refuse (``AlertNotFound``) an alert that is someone else's."""
        _check_frequency(frequency)
        with self._changing() as alerts:
            alert = _owned(alerts, alert_id, owner)
            changed = alerts[alert.id] = replace(alert, frequency=frequency)
        return changed

    def remove(self, alert_id: str, *, owner: str | None = None) -> Alert:
        """Delete an alert (the one-click unsubscribe passes no ``owner``)."""
        with self._changing() as alerts:
            return alerts.pop(_owned(alerts, alert_id, owner).id)

    def mark_sent(self, alert_id: str, now: datetime) -> None:
        """The digest of ``now``'s period has been queued (or there was nothing to send); an alert removed
        meanwhile is no matter."""
        with self._changing() as alerts:
            if alert_id in alerts:
                alerts[alert_id] = replace(alerts[alert_id], last_sent=_utc(now))

    def _changing(self):
        """The alerts as they are kept now, under the lock, to change in place (``Document.changing``)."""
        return self._file.changing()


def _new_id() -> str:
    return secrets.token_urlsafe(16)


def _owned(alerts: dict[str, Alert], alert_id: str, owner: str | None) -> Alert:
    alert = alerts.get(alert_id)
    if alert is None or (owner is not None and alert.owner != owner):
        raise AlertNotFound()
    return alert


def _body(alerts: dict[str, Alert]) -> bytes:
    return json.dumps({"format": FORMAT, "alerts": {a.id: _doc(a) for a in alerts.values()}},
                      ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def _doc(alert: Alert) -> dict[str, Any]:
    return {"owner": alert.owner, "email": alert.email, "instance": alert.instance,
            "repository": alert.repository, "query": alert.query, "title": alert.title,
            "frequency": alert.frequency, "created": stamp(alert.created),
            "last_sent": stamp(alert.last_sent) if alert.last_sent else ""}


def _parse(path: Any, raw: bytes | None) -> dict[str, Alert]:
    """Every alert the file holds; ``AlertsDamaged`` naming what is wrong when it cannot be read whole."""
    if raw is None:
        return {}
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise AlertsDamaged(path, "the file is not readable JSON (empty, cut short or overwritten).",
                            ADVICE) from None
    if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("alerts"), dict):
        raise AlertsDamaged(path, f"the file is not an alerts file of format {FORMAT}.", ADVICE)
    return {alert_id: _alert(path, alert_id, doc) for alert_id, doc in body["alerts"].items()}


TEXT_PARTS = ("owner", "email", "instance", "repository", "query", "title")


def _alert(path: Any, alert_id: str, doc: Any) -> Alert:
    try:
        if not ID_PATTERN.fullmatch(alert_id) or not all(isinstance(doc[name], str) for name in TEXT_PARTS) \
                or doc["frequency"] not in FREQUENCIES:
            raise ValueError
        return Alert(alert_id, *(doc[name] for name in TEXT_PARTS), doc["frequency"],
                     _utc(parse_stamp(doc["created"])),
                     _utc(parse_stamp(doc["last_sent"])) if doc["last_sent"] else None)
    except (KeyError, TypeError, ValueError):
        raise AlertsDamaged(path, f"alert {alert_id[:64]!r} is missing a part or holds one that cannot be read.",
                            ADVICE) from None


LAYOUT: Layout[Alert] = Layout(_parse, _body)
