"""Composing the email a notice sends: what it says for each event, as plain text and NHS-styled HTML.

A mail is written from the notice alone (everything it says was stored with it when the change was made) and
the site's names: its address (``REPO_ENGINE_BASE_URL``) for links, who mail is from (``REPO_ENGINE_MAIL_FROM``),
and the titles of instances and repository types. Every value is escaped in the HTML part (the templates under
``templates/`` are autoescaped) and made one line in headers, so a record's title can never add a header.
"""
from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from engine.notify.notice import Notice

TEMPLATES = Path(__file__).parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


class MailNotComposed(Exception):
    """A notice that cannot become a mail as things are (no sender address, a recipient that is no address)."""


@dataclass(frozen=True)
class MailSite:
    """What a mail needs to know of the site beyond its notice."""
    base_url: str = ""
    sender: str = ""
    instance_titles: Mapping[str, str] = field(default_factory=dict)
    type_titles: Mapping[tuple[str, str], str] = field(default_factory=dict)    # (instance, repository)

    @classmethod
    def from_env(cls, project=None, env: Mapping[str, str] = os.environ) -> "MailSite":
        instances = project.instances.values() if project is not None else ()
        return cls(base_url=env.get("REPO_ENGINE_BASE_URL", "").rstrip("/"),
                   sender=env.get("REPO_ENGINE_MAIL_FROM", ""),
                   instance_titles={one.name: one.title for one in instances},
                   type_titles={(one.name, rtype.name): rtype.title
                                for one in instances for rtype in one.repositories})

    def url(self, path: str) -> str:
        return self.base_url + path

    def record_url(self, instance: str, repository: str, reference: str) -> str:
        return self.url("/" + "/".join(quote(part, safe="") for part in (instance, repository, reference)))


@dataclass(frozen=True)
class Story:
    """What one mail says: its subject, the sentences of its body, the comment quoted, where its link goes."""
    subject: str
    lines: tuple[str, ...]
    link: str = ""
    link_text: str = ""
    comment: str = ""
    records: tuple[Mapping[str, str], ...] = ()


def one_line(text: Any) -> str:
    """``text`` with every control character (newlines included) a space and runs of spaces one: a header."""
    cleaned = "".join(" " if unicodedata.category(c) == "Cc" else c for c in str(text))
    return " ".join(cleaned.split())


def long_date(iso: str) -> str:
    """'2026-12-22' -> '22 December 2026' (the GOV.UK and NHS style); anything else as it is."""
    try:
        day = date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return f"{day.day} {day:%B %Y}"


def _a_type(site: MailSite, notice: Notice) -> str:
    """'improvement project': the type's title as it reads inside a sentence (an acronym stays in capitals)."""
    title = site.type_titles.get((notice.instance, notice.repository)) or "record"
    return title if title[1:2].isupper() else title[:1].lower() + title[1:]


def _named(notice: Notice) -> str:
    return f"{notice.reference}: {notice.title}" if notice.title else notice.reference


def _link(site: MailSite, notice: Notice) -> dict[str, str]:
    return {"link": site.record_url(notice.instance, notice.repository, notice.reference),
            "link_text": f"View {notice.reference}"}


def _submitted(site: MailSite, notice: Notice, actor: str) -> Story:
    kind = _a_type(site, notice)
    return Story(f"New {kind} {_named(notice)}",
                 (f"{actor} submitted a new {kind}, {_named(notice)}.", f"Its status is {notice.status}."),
                 comment=notice.comment, **_link(site, notice))


def _action(site: MailSite, notice: Notice, actor: str) -> Story:
    title = notice.title or notice.reference
    status = notice.status
    # "Approve" leading to "Approved" reads as "was approved"; "Send back" to "Draft" needs both names.
    if status.lower().endswith("ed"):
        subject = f"{title} was {status.lower()} by {actor}"
    else:
        subject = f"{title}: {notice.action} by {actor}, now {status}"
    return Story(subject, (f"{actor} took the action {notice.action} on {_named(notice)}.",
                           f"Its status is now {status}."),
                 comment=notice.comment, **_link(site, notice))


def _commented(site: MailSite, notice: Notice, actor: str) -> Story:
    return Story(f"{actor} commented on {notice.title or notice.reference}",
                 (f"{actor} commented on {_named(notice)}.",), comment=notice.comment, **_link(site, notice))


def _edited(site: MailSite, notice: Notice, actor: str) -> Story:
    return Story(f"{notice.title or notice.reference} was edited by {actor}",
                 (f"{actor} edited {_named(notice)}.", f"Its status is {notice.status}."),
                 comment=notice.comment, **_link(site, notice))


def _review_due(site: MailSite, notice: Notice, actor: str) -> Story:
    due = long_date(notice.details.get("due", ""))
    days = int(notice.details.get("days", 0) or 0)
    when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    return Story(f"{notice.reference} is due for review on {due}",
                 (f"{_named(notice)} is due for review on {due}, {when}.",
                  "Please review it and update its review date."), **_link(site, notice))


def _review_overdue(site: MailSite, notice: Notice, actor: str) -> Story:
    due = long_date(notice.details.get("due", ""))
    days = abs(int(notice.details.get("days", 0) or 0))
    late = f", {days} day{'s' if days != 1 else ''} ago" if days else ""
    return Story(f"{notice.reference} is overdue for review (it was due on {due})",
                 (f"{_named(notice)} was due for review on {due}{late}.",
                  "Please review it and update its review date."), **_link(site, notice))


def _digest(site: MailSite, notice: Notice, actor: str) -> Story:
    words = str(notice.details.get("query_words", "") or "your saved search")
    rows = tuple(_digest_row(site, row) for row in notice.details.get("records", ()))
    total = int(notice.details.get("count", len(rows)) or len(rows))
    count = f"{total} record{'s' if total != 1 else ''}"
    lines = (f"{count.capitalize()} new or changed in your alert for {words}." if total else
             f"Nothing is new in your alert for {words}.",)
    if total > len(rows):
        lines += (f"The first {len(rows)} are listed here.",)
    path = str(notice.details.get("path", "") or "")
    return Story(f"Your alert: {count} for {words}", lines, records=rows,
                 link=site.url(path) if path.startswith("/") else "", link_text="See them all")


def _digest_row(site: MailSite, row: Mapping[str, Any]) -> dict[str, str]:
    url = str(row.get("url") or "")
    if not url:
        url = site.record_url(str(row.get("instance", "")), str(row.get("repository", "")),
                              str(row.get("reference", "")))
    elif url.startswith("/"):
        url = site.url(url)
    return {"reference": str(row.get("reference", "")), "title": str(row.get("title", "")),
            "status": str(row.get("status", "")), "url": url,
            "where": site.instance_titles.get(str(row.get("instance", "")), str(row.get("instance", "")))}


STORIES = {"submitted": _submitted, "action": _action, "commented": _commented, "edited": _edited,
           "review_due": _review_due, "review_overdue": _review_overdue, "digest": _digest}


def story(notice: Notice, site: MailSite) -> Story:
    """What the mail for ``notice`` says."""
    actor = notice.actor_name or notice.actor or "Someone"
    return STORIES[notice.event](site, notice, actor)


def unsubscribe_url(notice: Notice, site: MailSite) -> str:
    """The one-click unsubscribe link of a watch or alert mail ("" for others)."""
    if not notice.unsubscribe:
        return ""
    path = notice.unsubscribe if notice.unsubscribe.startswith("/") else f"/unsubscribe/{notice.unsubscribe}"
    return site.url(path)


def message_id(notice: Notice, sender: str) -> str:
    """The same for every try of one notice, so a mail sent again after a crash is known for the same one."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "repo-engine.invalid"
    return f"<notice-{notice.id}@{one_line(domain).replace(' ', '')}>"


def address(text: str) -> str:
    """``text`` when it is one email address; ``MailNotComposed`` otherwise."""
    name, addr = parseaddr(text)
    if (not addr or "@" not in addr or addr != text.strip() or any(c.isspace() for c in addr)
            or any(unicodedata.category(c) == "Cc" for c in text)):
        raise MailNotComposed(f"{one_line(text)!r} is not an email address")
    return addr


def compose(notice: Notice, site: MailSite) -> EmailMessage:
    """The mail telling ``notice``'s recipient what happened."""
    if not site.sender:
        raise MailNotComposed("REPO_ENGINE_MAIL_FROM is not set")
    told = story(notice, site)
    values = {"story": told, "notice": notice, "site_name": site.instance_titles.get(notice.instance)
              or "Repository Engine", "unsubscribe": unsubscribe_url(notice, site),
              "manage": site.url("/account/alerts")}
    message = EmailMessage()
    message["Subject"] = one_line(told.subject)
    message["From"] = site.sender
    message["To"] = address(notice.to)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(notice, site.sender)
    message["Auto-Submitted"] = "auto-generated"
    if values["unsubscribe"].startswith(("https://", "http://")):     # the headers need a whole URL
        message["List-Unsubscribe"] = f"<{values['unsubscribe']}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(_env.get_template("mail.txt").render(values))
    message.add_alternative(_env.get_template("mail.html").render(values), subtype="html")
    return message
