"""Delivering what is in the outboxes: claim what is due, send each, and say how it went.

A sender claims deliveries with a lease, so two senders (``repo-engine outbox send`` from cron and the one
``serve`` runs) never hold the same one, and a sender killed mid-way leaves its claims to expire and be sent by
the next. A failed try is retried after 1, 5 and 30 minutes, 2 and 12 hours, then given up: an admin sees it
at ``/admin/outbox`` (or ``repo-engine outbox list --failed``) and may resend it.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Mapping, Sequence

from engine.notify.mail import MailNotComposed, MailSite, compose
from engine.notify.notice import EMAIL, WEBHOOK, Delivery, Notice
from engine.notify.smtp import MailNotSent, SmtpServer, send
from engine.notify.webhook import WebhookNotSent, post

log = logging.getLogger("engine.outbox")

#: How long after each failed try the next is made; after the last, the delivery is given up.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=12))
#: How long a claim holds; a batch stops being sent when less than ``MARGIN`` of it is left.
LEASE = timedelta(minutes=5)
MARGIN = timedelta(seconds=45)
BATCH = 10
#: Our own errors say what happened in words; anything else is named by its class too.
EXPLAINED = (MailNotComposed, MailNotSent, WebhookNotSent)

Channel = Callable[[Notice], object]


@dataclass(frozen=True)
class Counts:
    """What one round of sending did: sent, failed to be retried, failed and given up."""
    sent: int = 0
    retrying: int = 0
    given_up: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.sent + other.sent, self.retrying + other.retrying, self.given_up + other.given_up)

    @property
    def failed(self) -> int:
        return self.retrying + self.given_up

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retrying} to be tried again, {self.given_up} given up"


def new_holder() -> str:
    """A name for one sender, different in every process and every call."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def retry_at(tries: int, now: datetime) -> datetime | None:
    """When to try again after the ``tries``-th failed try (counting from 1); None: give up."""
    return now + BACKOFF[tries - 1] if tries <= len(BACKOFF) else None


def channels_from_env(site: MailSite | None = None, env: Mapping[str, str] = os.environ
                      ) -> dict[str, Channel]:
    """How each channel is sent as the environment says: SMTP for mail, an HTTP post for webhooks. The
    environment is read at each send, so a server set up after a failure is used by the next try."""
    site = site or MailSite.from_env(env=env)

    def mail(notice: Notice) -> None:
        message = compose(notice, site)     # a mail that cannot be written is not worth a connection
        send(message, SmtpServer.from_env(env))

    return {EMAIL: mail, WEBHOOK: lambda notice: post(notice, site, env=env)}


def describe(error: BaseException) -> str:
    text = str(error) if isinstance(error, EXPLAINED) else f"{type(error).__name__}: {error}"
    return " ".join(text.split())[:1000]


def send_due(outboxes: Iterable, *, holder: str, now: datetime | None = None,
             channels: Mapping[str, Channel] | None = None, lease: timedelta = LEASE,
             batch: int = BATCH) -> Counts:
    """Send every delivery that is due in each outbox, claiming ``batch`` at a time. ``now`` fixes the clock
    (tests); otherwise it is read afresh for each claim and each outcome."""
    channels = channels if channels is not None else channels_from_env()
    clock = (lambda: now) if now is not None else (lambda: datetime.now(timezone.utc))
    counts = Counts()
    for outbox in outboxes:
        seen: set[str] = set()
        while True:
            claimed = [one for one in outbox.claim(holder=holder, now=clock(), lease=lease, limit=batch)
                       if one.id not in seen]
            if not claimed:
                break
            seen.update(one.id for one in claimed)
            counts += _send_claimed(outbox, claimed, channels, clock)
    return counts


def _send_claimed(outbox, claimed: Sequence[Delivery], channels: Mapping[str, Channel],
                  clock: Callable[[], datetime]) -> Counts:
    counts = Counts()
    for delivery in claimed:
        if _lease_ending(delivery, clock()):
            break       # the rest are left to expire and be claimed again, by this sender or another
        channel = channels.get(delivery.notice.channel)
        if channel is None:
            counts += _failed(outbox, delivery, f"no way to send a {delivery.notice.channel!r} notice", clock())
            continue
        try:
            channel(delivery.notice)
        except Exception as error:     # every failure is the delivery's, never the sender's
            counts += _failed(outbox, delivery, describe(error), clock())
            continue
        outbox.delivered(delivery.id, now=clock())
        counts += Counts(sent=1)
    return counts


def _failed(outbox, delivery: Delivery, error: str, now: datetime) -> Counts:
    tries = delivery.attempts + 1
    again = retry_at(tries, now)
    outbox.failed(delivery.id, error, now=now, retry_at=again)
    notice = delivery.notice
    if again is None:
        log.error("Gave up sending %s notice %s to %s after %d tries: %s", notice.event, notice.id,
                  notice.to, tries, error)
        return Counts(given_up=1)
    log.warning("Could not send %s notice %s to %s (try %d; next at %s): %s", notice.event, notice.id,
                notice.to, tries, again.isoformat(timespec="seconds"), error)
    return Counts(retrying=1)


def _lease_ending(delivery: Delivery, now: datetime) -> bool:
    if not delivery.claimed_until:
        return False
    try:
        until = datetime.fromisoformat(delivery.claimed_until)
    except ValueError:
        return False
    if until.tzinfo is None:
        until = until.replace(tzinfo=timezone.utc)
    return now >= until - MARGIN


def run(outboxes_fn: Callable[[], Iterable], stop_event: threading.Event, interval: float = 5, *,
        holder: str | None = None, channels: Mapping[str, Channel] | None = None) -> None:
    """Send what is due every ``interval`` seconds until ``stop_event`` is set. A round that fails (an
    outbox that cannot be read) is logged and the next round goes on."""
    holder = holder or new_holder()
    while not stop_event.is_set():
        try:
            counts = send_due(outboxes_fn(), holder=holder, channels=channels)
            if counts.sent or counts.failed:
                log.info("Outbox: %s", counts)
        except Exception:
            log.exception("The outbox could not be sent")
        stop_event.wait(interval)


class ProjectOutboxes:
    """Every outbox of a project, listed afresh at each call (``run`` asks each round): each repository's in
    each instance, then the site's (digests of trust-wide searches), which this opens once and ``close``s."""

    def __init__(self, project, stores, paths):
        self.project, self.stores, self.paths = project, stores, paths
        self._site = None

    def __call__(self) -> list:
        if self._site is None:
            from engine.store.outbox import site_outbox
            self._site = site_outbox(self.paths)
        return [self.stores.get(instance, rtype).outbox
                for instance in self.project.instances.values() for rtype in instance.repositories] + [self._site]

    def close(self) -> None:
        if self._site is not None:
            self._site.close()
            self._site = None
