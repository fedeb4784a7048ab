"""What the notification tests share: an outbox kept in memory (the ``Outbox`` contract in its plainest form),
notices to put in it, a real SMTP server on a free local port, and a local web server taking webhooks."""
from __future__ import annotations

import email
import email.policy
import http.server
import json
import socket
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Iterable, Sequence

from aiosmtpd.controller import Controller

from engine.notify.notice import EMAIL, FAILED, PENDING, SENDING, SENT, WEBHOOK, Delivery, Notice
from engine.store.base import Outbox

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


class MemoryOutbox(Outbox):
    """An outbox in a dict, behind one lock: what a store's outbox promises, without a disk."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows: dict[str, Delivery] = {}

    def queue(self, notices: Sequence[Notice]) -> int:
        with self.lock:
            keys = {one.notice.key for one in self.rows.values() if one.notice.key}
            fresh = [notice for notice in notices if not (notice.key and notice.key in keys)]
            for notice in fresh:
                self.rows[notice.id] = Delivery(notice)
            return len(fresh)

    def has_key(self, key: str) -> bool:
        return any(one.notice.key == key for one in self.rows.values())

    def claim(self, *, holder, now, lease, limit=50):
        with self.lock:
            due = [one for one in self.rows.values()
                   if (one.state == PENDING and (not one.next_at or one.next_at <= _iso(now)))
                   or (one.state == SENDING and one.claimed_until <= _iso(now))]
            taken = [replace(one, state=SENDING, holder=holder, claimed_until=_iso(now + lease))
                     for one in sorted(due, key=lambda one: one.notice.created)[:limit]]
            self.rows.update({one.id: one for one in taken})
            return taken

    def delivered(self, notice_id, *, now):
        with self.lock:
            self.rows[notice_id] = replace(self.rows[notice_id], state=SENT, sent_at=_iso(now), holder="",
                                           claimed_until="", attempts=self.rows[notice_id].attempts + 1)

    def failed(self, notice_id, error, *, now, retry_at):
        with self.lock:
            one = self.rows[notice_id]
            self.rows[notice_id] = replace(one, state=PENDING if retry_at else FAILED, error=error,
                                           attempts=one.attempts + 1, next_at=_iso(retry_at), holder="",
                                           claimed_until="")

    def resend(self, notice_id):
        with self.lock:
            one = self.rows.get(notice_id)
            if one is None or one.state not in (FAILED, SENT):
                return False
            self.rows[notice_id] = replace(one, state=PENDING, next_at="", error="")
            return True

    def deliveries(self, states: Iterable[str] | None = None):
        wanted = set(states) if states is not None else None
        return sorted((one for one in self.rows.values() if wanted is None or one.state in wanted),
                      key=lambda one: one.notice.created, reverse=True)


def notice(event: str = "action", **values) -> Notice:
    """A notice about QI-0012 in the quality-improvement instance, by Chris Jones unless told otherwise."""
    base = dict(event=event, channel=EMAIL, to="ann@example.nhs.uk", instance="quality-improvement",
                repository="qi-project", reference="QI-0012", title="Reducing falls on Ward 7",
                status="Approved", actor="chris", actor_name="Chris Jones", action="Approve")
    return Notice(**{**base, **values})


def webhook_notice(**values) -> Notice:
    return notice(channel=WEBHOOK, to="TEST_WEBHOOK_URL", **values)


class Mailbox:
    """Every message a local SMTP server accepted, parsed, and the envelopes they came in."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()       # addresses the server answers 550
        self.arrived = threading.Condition()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.messages]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp(mailbox: Mailbox, **options) -> Controller:
    """aiosmtpd's server in a thread of its own on a free local port (``controller.port``)."""
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    return controller


class Hooks(http.server.ThreadingHTTPServer):
    """A local web server that keeps each webhook post (headers and exact body) and answers ``status``."""
    daemon_threads = True

    def __init__(self):
        self.posts: list[tuple[dict[str, str], bytes]] = []
        self.status = 204
        super().__init__(("127.0.0.1", 0), _HookHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _, body in self.posts]


class _HookHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def repository_type(name: str = "qi-project"):
    """The tests' QI project type under another ``name`` (and so another folder) when asked."""
    from dataclasses import replace as changed
    from store.storekit import qi_project
    return changed(qi_project(), name=name) if name != "qi-project" else qi_project()


def later(minutes: float = 0, hours: float = 0) -> datetime:
    return NOW + timedelta(minutes=minutes, hours=hours)


class FixedOutboxes:
    """Stands in for ``engine.notify.sender.ProjectOutboxes``: these outboxes, whatever the project."""

    def __init__(self, outboxes):
        self.outboxes = list(outboxes)
        self.closed = False

    def __call__(self):
        return self.outboxes

    def close(self):
        self.closed = True
