"""``REPO_ENGINE_SMTP_URL`` read as an operator writes it, and mail handed to a real SMTP server."""
from __future__ import annotations

import pytest
from aiosmtpd.smtp import AuthResult

from engine.notify.mail import MailSite, compose
from engine.notify.smtp import MailNotSent, SmtpServer, send
from notifykit import Mailbox, notice, start_smtp


@pytest.mark.parametrize("url, server", [
    ("smtp://mail.example.nhs.uk", SmtpServer("smtp", "mail.example.nhs.uk", 25)),
    ("smtp://relay:2525", SmtpServer("smtp", "relay", 2525)),
    ("smtp+starttls://ann%40trust:p%40ss%3Aw%2Frd@mail.example.nhs.uk:587",
     SmtpServer("smtp+starttls", "mail.example.nhs.uk", 587, "ann@trust", "p@ss:w/rd")),
    ("smtp+starttls://u:p@host", SmtpServer("smtp+starttls", "host", 587, "u", "p")),
    ("smtps://u:p@host", SmtpServer("smtps", "host", 465, "u", "p")),
])
def test_the_url_names_the_server_and_how_to_sign_in(url, server):
    assert SmtpServer.from_url(url) == server


@pytest.mark.parametrize("url, words", [
    ("http://mail:25", "must start smtp://"), ("smtp://:25", "names no host"), ("smtp://h:port", "not a number"),
])
def test_a_wrong_url_says_what_is_wrong(url, words):
    with pytest.raises(MailNotSent, match=words):
        SmtpServer.from_url(url)


def test_an_unset_url_is_a_clear_error():
    with pytest.raises(MailNotSent, match="REPO_ENGINE_SMTP_URL is not set"):
        SmtpServer.from_env({})


def test_the_password_never_shows_in_an_error():
    server = SmtpServer.from_url("smtp://ann:hunter2@127.0.0.1:9")
    assert "hunter2" not in str(server) and "hunter2" not in repr(str(server))


SITE = MailSite(base_url="https://repo.example.nhs.uk", sender="repo@example.nhs.uk")


def test_a_mail_reaches_the_server_whole(mailbox):
    made = notice()
    send(compose(made, SITE), SmtpServer.from_url(f"smtp://127.0.0.1:{mailbox.port}"))
    [message] = mailbox.messages
    assert mailbox.envelopes == [("repo@example.nhs.uk", ["ann@example.nhs.uk"])]
    assert message["Message-ID"] == f"<notice-{made.id}@example.nhs.uk>"
    assert message.get_content_type() == "multipart/alternative"
    assert "took the action Approve" in message.get_body(("plain",)).get_content()


def test_a_refused_recipient_is_an_error_naming_it(mailbox):
    mailbox.refuse.add("gone@example.nhs.uk")
    with pytest.raises(MailNotSent, match=r"refused gone@example.nhs.uk \(550 5.1.1 No such mailbox here\)"):
        send(compose(notice(to="gone@example.nhs.uk"), SITE),
             SmtpServer.from_url(f"smtp://127.0.0.1:{mailbox.port}"))


def test_a_server_that_is_not_there_is_an_error_not_a_hang():
    with pytest.raises(MailNotSent, match="smtp://127.0.0.1:9"):
        send(compose(notice(), SITE), SmtpServer.from_url("smtp://127.0.0.1:9"), timeout=2)


def test_signing_in_with_the_url_s_user_and_password():
    box = Mailbox()

    def check(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"ann@trust", b"p@ss"), handled=False)

    controller = start_smtp(box, authenticator=check, auth_require_tls=False)
    try:
        good = SmtpServer.from_url(f"smtp://ann%40trust:p%40ss@127.0.0.1:{controller.port}")
        send(compose(notice(), SITE), good)
        assert len(box.messages) == 1
        bad = SmtpServer.from_url(f"smtp://ann%40trust:wrong@127.0.0.1:{controller.port}")
        with pytest.raises(MailNotSent, match="535"):
            send(compose(notice(), SITE), bad, timeout=5)
    finally:
        controller.stop()
