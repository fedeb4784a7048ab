"""The sender: what is due is sent once, a failed try waits 1, 5, 30 minutes, 2 and 12 hours and is then
given up, a resent delivery goes again, and no failing notice stops the others; against each kind of outbox."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from engine.notify.mail import MailSite
from engine.notify.notice import FAILED, PENDING, SENT
from engine.notify.sender import BACKOFF, channels_from_env, retry_at, run, send_due
from notifykit import NOW, later, notice, webhook_notice

SITE = MailSite(base_url="https://repo.example.nhs.uk", sender="repo@example.nhs.uk",
                type_titles={("quality-improvement", "qi-project"): "Improvement project"})


@pytest.fixture
def channels():
    """Mail and webhooks as the environment (which the mailbox and hooks fixtures set) says."""
    return channels_from_env(SITE)


def test_every_due_delivery_is_sent_once_and_marked_sent(mailbox, hooks, channels, make_outbox):
    outbox, other = make_outbox(), make_outbox("other")
    outbox.queue([notice("submitted", to=f"person{n}@example.nhs.uk") for n in range(12)])
    other.queue([webhook_notice()])
    counts = send_due([outbox, other], holder="a", now=NOW, channels=channels)
    assert (counts.sent, counts.failed) == (13, 0)
    assert len(mailbox.messages) == 12 and len(hooks.posts) == 1
    assert {one.state for one in outbox.deliveries() + other.deliveries()} == {SENT}
    assert send_due([outbox, other], holder="a", now=later(hours=1), channels=channels).sent == 0
    assert mailbox.messages[0]["Subject"].startswith("New improvement project QI-0012")


def test_a_broken_address_fails_alone_and_the_rest_are_sent(mailbox, channels, make_outbox):
    outbox = make_outbox()
    outbox.queue([notice(to="ann@example.nhs.uk"), notice(to="not an address\r\nBcc: x@y"),
                  notice(to="gone@example.nhs.uk"), notice(to="bob@example.nhs.uk")])
    mailbox.refuse.add("gone@example.nhs.uk")
    counts = send_due([outbox], holder="a", now=NOW, channels=channels)
    assert (counts.sent, counts.retrying) == (2, 2)
    assert [to for _, [to] in mailbox.envelopes] == ["ann@example.nhs.uk", "bob@example.nhs.uk"]
    errors = {one.notice.to: one.error for one in outbox.deliveries([PENDING])}
    assert errors["not an address\r\nBcc: x@y"] == "'not an address Bcc: x@y' is not an email address"
    assert "refused gone@example.nhs.uk (550" in errors["gone@example.nhs.uk"]


def test_a_failed_try_waits_longer_each_time_then_is_given_up(channels, monkeypatch, make_outbox):
    monkeypatch.delenv("REPO_ENGINE_SMTP_URL", raising=False)
    outbox = make_outbox()
    outbox.queue([notice()])
    moment = NOW
    for tries, wait in enumerate(BACKOFF, start=1):
        counts = send_due([outbox], holder="a", now=moment, channels=channels)
        [delivery] = outbox.deliveries()
        assert (counts.retrying, delivery.state, delivery.attempts) == (1, PENDING, tries)
        assert delivery.error == "REPO_ENGINE_SMTP_URL is not set"
        assert send_due([outbox], holder="a", now=moment + wait - timedelta(seconds=1),
                        channels=channels).failed == 0          # not tried again before its time
        moment += wait
    counts = send_due([outbox], holder="a", now=moment, channels=channels)
    [delivery] = outbox.deliveries()
    assert (counts.given_up, delivery.state, delivery.attempts) == (1, FAILED, 6)
    assert send_due([outbox], holder="a", now=moment + timedelta(days=30), channels=channels).failed == 0


def test_the_backoff_is_1_5_30_minutes_2_and_12_hours():
    assert [retry_at(n, NOW) - NOW for n in range(1, 6)] == [
        timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12)]
    assert retry_at(6, NOW) is None


def test_a_given_up_delivery_resent_goes_again(mailbox, hooks, channels, make_outbox):
    outbox = make_outbox()
    outbox.queue([webhook_notice()])
    hooks.status = 500
    moment = NOW
    for wait in BACKOFF + (timedelta(0),):
        send_due([outbox], holder="a", now=moment, channels=channels)
        moment += wait
    [delivery] = outbox.deliveries([FAILED])
    assert delivery.error == "the webhook in TEST_WEBHOOK_URL answered 500 Internal Server Error"
    hooks.status = 200
    assert outbox.resend(delivery.id)
    assert send_due([outbox], holder="a", now=moment, channels=channels).sent == 1
    assert len(hooks.posts) == 7 and outbox.deliveries()[0].state == SENT


def test_a_channel_that_raises_anything_is_a_failure_not_a_crash(make_outbox):
    outbox = make_outbox()
    outbox.queue([notice(), notice(channel="pigeon")])

    def explode(_):
        raise RuntimeError("boom")
    counts = send_due([outbox], holder="a", now=NOW, channels={"email": explode})
    assert counts.retrying == 2
    assert sorted(one.error for one in outbox.deliveries()) == ["RuntimeError: boom",
                                                                "no way to send a 'pigeon' notice"]


def test_the_loop_sends_until_stopped_and_survives_an_outbox_that_fails(mailbox, channels, make_outbox):
    outbox = make_outbox()
    outbox.queue([notice()])
    calls = []

    def outboxes():
        calls.append(1)
        if len(calls) == 1:
            raise OSError("the disk went away")
        return [outbox]
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(outboxes, stop, 0.05), kwargs={"channels": channels})
    thread.start()
    with mailbox.arrived:
        assert mailbox.arrived.wait_for(lambda: mailbox.messages, timeout=5)
    stop.set()
    thread.join(5)
    assert not thread.is_alive() and len(mailbox.messages) == 1 and len(calls) >= 2


def test_what_a_dead_sender_claimed_waits_for_its_lease_then_is_sent_once(mailbox, channels, make_outbox):
    outbox = make_outbox()
    outbox.queue([notice(), notice(to="bob@example.nhs.uk")])
    assert len(outbox.claim(holder="dead", now=NOW, lease=timedelta(minutes=5))) == 2
    assert send_due([outbox], holder="b", now=later(minutes=4), channels=channels).sent == 0
    assert send_due([outbox], holder="b", now=later(minutes=6), channels=channels).sent == 2
    assert send_due([outbox], holder="c", now=later(minutes=20), channels=channels).sent == 0
    assert len(mailbox.messages) == 2
