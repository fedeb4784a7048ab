"""Sending a mail through the SMTP server ``REPO_ENGINE_SMTP_URL`` names.

``smtp://host:25`` (plain), ``smtp+starttls://user:pass@host:587`` (upgraded to TLS before signing in),
``smtps://user:pass@host:465`` (TLS from the start). A user name or password with ``@``, ``:`` or ``/`` in it
is written percent-encoded (``%40``), as in any URL.
"""
from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Mapping
from urllib.parse import unquote, urlsplit

#: Seconds to wait for the server at each step: a server that hangs delays the outbox, never stops it.
TIMEOUT = 30
PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class MailNotSent(Exception):
    """The mail could not be handed to the SMTP server; the message says why (never the password)."""


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    user: str = ""
    password: str = ""

    @classmethod
    def from_url(cls, url: str) -> "SmtpServer":
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in PORTS:
            raise MailNotSent(f"REPO_ENGINE_SMTP_URL must start smtp://, smtp+starttls:// or smtps://, "
                              f"not {scheme + '://' if scheme else 'without a scheme'}")
        try:
            port = parts.port or PORTS[scheme]
        except ValueError:
            raise MailNotSent("REPO_ENGINE_SMTP_URL has a port that is not a number") from None
        if not parts.hostname:
            raise MailNotSent("REPO_ENGINE_SMTP_URL names no host")
        return cls(scheme, parts.hostname, port, unquote(parts.username or ""), unquote(parts.password or ""))

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "SmtpServer":
        url = env.get("REPO_ENGINE_SMTP_URL", "")
        if not url.strip():
            raise MailNotSent("REPO_ENGINE_SMTP_URL is not set")
        return cls.from_url(url)

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def send(message: EmailMessage, server: SmtpServer, *, timeout: float = TIMEOUT) -> None:
    """Hand ``message`` to ``server``; ``MailNotSent`` saying what went wrong when it was not accepted."""
    context = ssl.create_default_context()
    try:
        if server.scheme == "smtps":
            connection = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with connection:
            if server.scheme == "smtp+starttls":
                connection.starttls(context=context)
            if server.user:
                connection.login(server.user, server.password)
            refused = connection.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        raise MailNotSent(f"{server} refused {_refusals(error.recipients)}") from None
    except smtplib.SMTPResponseException as error:
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) \
            else str(error.smtp_error)
        raise MailNotSent(f"{server} answered {error.smtp_code} {text}") from None
    except (smtplib.SMTPException, OSError) as error:
        raise MailNotSent(f"{server}: {str(error) or type(error).__name__}") from None
    if refused:
        raise MailNotSent(f"{server} refused {_refusals(refused)}")


def _refusals(recipients: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{who} ({code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text})"
                     for who, (code, text) in recipients.items())
