"""Digests of saved-search alerts: for each alert due, the records its view shows that are new or changed since
its last digest, queued as one notice in the site outbox.

A view is read exactly as its page reads it: a browse alert's query string through ``engine.web.listing``'s
``read_browse`` (the same filters, search and thesaurus), a trust-wide one through ``engine.web.finding``'s
``read_trust_query`` and ``search_trust`` (only the repositories the alert's owner may read today). Each digest's
``key`` names the alert and its period, so a second run in the same period queues nothing even if marking the
alert sent failed after the notice was queued.
"""
from __future__ import annotations

import logging
from itertools import takewhile
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Iterable
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict

from engine.access import User, can
from engine.errors import EngineError, NotFound
from engine.notify.alerts import Alert, Alerts
from engine.notify.notice import EMAIL, Notice
from engine.notify.unsubscribe import alert_path
from engine.search.parse import parse
from engine.store.base import Outbox, Record

log = logging.getLogger("engine.notify")
#: The most records one digest lists (its count says how many there were in all).
LISTED = 50
#: How many of a trust-wide search's most relevant records are looked through for new ones.
SEARCHED = 1000


@dataclass
class DigestRun:
    """What one run did: digests queued, alerts with nothing new, alerts that could not be run (and why)."""
    queued: list[str] = field(default_factory=list)
    quiet: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def words(self) -> str:
        said = f"{len(self.queued)} digest{'s' if len(self.queued) != 1 else ''} queued, " \
               f"{len(self.quiet)} with nothing new"
        return said + (f", {len(self.failed)} not run" if self.failed else "")


def send_digests(site, alerts: Alerts, outbox: Outbox, secret: str, now: datetime) -> DigestRun:
    """Queue the digest of every alert due at ``now`` (``site`` is the web ``Site``: its project, stores and
    accounts) in ``outbox``, the site's, and mark each sent."""
    run = DigestRun()
    for alert in alerts.due(now):
        try:
            notice = digest_notice(site, alert, secret, now)
        except NotFound as gone:        # its instance or repository is no longer hosted: nothing to send
            log.warning("The view of alert %s is no longer there: %s", alert.id, gone)
            notice = None
        except EngineError as error:    # damaged or busy: tried again next run, from the same moment
            log.warning("The digest of alert %s was not made: %s", alert.id, error)
            run.failed.append((alert.id, str(error)))
            continue
        if notice is None:
            run.quiet.append(alert.id)
        else:
            outbox.queue([notice])
            run.queued.append(alert.id)
        alerts.mark_sent(alert.id, now)
    return run


def digest_notice(site, alert: Alert, secret: str, now: datetime) -> Notice | None:
    """The digest of ``alert`` for the period of ``now``; None when nothing is new, or there is nobody to send
    it to (its owner's account is gone, or has no address). The account's address wins over the one the alert
    was saved with: people's addresses change."""
    owner = site.accounts.get(alert.owner)
    to = (owner.email or alert.email) if owner is not None else ""
    if not to:
        return None
    found = changed_since(new_or_changed(site, owner, alert), alert.since, now)
    if not found:
        return None
    records = [_described(hosted, record) for hosted, record in found[:LISTED]]
    return Notice(event="digest", channel=EMAIL, to=to, instance=alert.instance,
                  repository=alert.repository, title=alert.title, key=f"digest:{alert.id}:{alert.period(now)}",
                  unsubscribe=alert_path(secret, alert.id),
                  details={"records": records, "query_words": alert.title, "count": len(found),
                           "path": alert.path})


def new_or_changed(site, owner: User, alert: Alert) -> Iterable[tuple[Any, Record]]:
    """The records the alert's view shows its owner now, as (hosted repository, record)."""
    args = MultiDict(parse_qsl(alert.query, keep_blank_values=True))
    if alert.trust_wide:
        return _searched(site, owner, args)
    from engine.web.listing import read_browse
    hosted = site.repository(alert.instance, alert.repository)
    if not can(owner, hosted.instance, "read"):
        return ()
    query = replace(read_browse(hosted, args).query, sort="-updated", page=1)
    # Last changed first: the reading stops at the first record unchanged since the alert's last digest.
    records = takewhile(lambda record: record.updated > alert.since, site.store(hosted).iter_all(query))
    return ((hosted, record) for record in records)


def _searched(site, owner: User, args: MultiDict) -> Iterable[tuple[Any, Record]]:
    from engine.web.finding import read_trust_query, search_trust
    asked = read_trust_query(args)
    if not asked.q:
        return ()
    results = search_trust(site, owner, parse(asked.q, site.project.thesaurus), chosen=asked.chosen,
                           state=asked.state, page=1, per_page=SEARCHED)
    return ((hit.hosted, hit.record) for hit in results.hits)


def changed_since(found: Iterable[tuple[Any, Record]], since: datetime, now: datetime) -> list[tuple[Any, Record]]:
    """Those made or changed after ``since`` and by ``now``, the last changed first."""
    kept = []
    for hosted, record in found:
        if record.updated > now:
            continue
        if record.updated > since:
            kept.append((hosted, record))
    kept.sort(key=lambda pair: pair[1].updated, reverse=True)
    return kept


def _described(hosted, record: Record) -> dict[str, str]:
    return {"reference": record.reference, "title": hosted.title_of(record), "status": record.status,
            "url": f"/{hosted.instance.name}/{hosted.name}/{record.reference}",
            "instance": hosted.instance.name, "repository": hosted.name}
