"""The mail each notice sends: its subject and words, a plain and an HTML part that escape every value, links
to the record and to the person's alerts, one-click unsubscribe headers, and a Message-ID each try shares."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from engine.notify.mail import MailNotComposed, MailSite, compose, long_date
from notifykit import notice

SITE = MailSite(base_url="https://repo.example.nhs.uk", sender="Repository Engine <repo@example.nhs.uk>",
                instance_titles={"quality-improvement": "Quality Improvement"},
                type_titles={("quality-improvement", "qi-project"): "Improvement project",
                             ("clinical-governance", "guideline"): "Local guideline"})


def parts(message):
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return plain, BeautifulSoup(html, "html.parser")


@pytest.mark.parametrize("made, subject", [
    (notice("submitted", status="Proposed"), "New improvement project QI-0012: Reducing falls on Ward 7"),
    (notice("action"), "Reducing falls on Ward 7 was approved by Chris Jones"),
    (notice("action", action="Send back", status="Draft"),
     "Reducing falls on Ward 7: Send back by Chris Jones, now Draft"),
    (notice("commented", comment="Looks good"), "Chris Jones commented on Reducing falls on Ward 7"),
    (notice("edited"), "Reducing falls on Ward 7 was edited by Chris Jones"),
    (notice("review_due", instance="clinical-governance", repository="guideline", reference="GL-0003",
            details={"due": "2026-12-22", "days": 20}), "GL-0003 is due for review on 22 December 2026"),
    (notice("review_overdue", reference="GL-0003", details={"due": "2026-11-22", "days": -10}),
     "GL-0003 is overdue for review (it was due on 22 November 2026)"),
    (notice("digest", reference="", details={"query_words": "improvement projects where status is Approved",
                                              "records": [{"reference": "QI-0001", "title": "A"}]}),
     "Your alert: 1 record for improvement projects where status is Approved"),
])
def test_each_event_has_its_subject(made, subject):
    assert compose(made, SITE)["Subject"] == subject


def test_an_action_mail_says_who_did_what_with_the_comment_and_links_the_record():
    message = compose(notice("action", comment="Well argued.\nGo ahead."), SITE)
    plain, html = parts(message)
    assert "Chris Jones took the action Approve on QI-0012: Reducing falls on Ward 7." in plain
    assert "Its status is now Approved." in plain and "  Go ahead." in plain
    link = "https://repo.example.nhs.uk/quality-improvement/qi-project/QI-0012"
    assert f"View QI-0012: {link}" in plain
    assert html.find("a", string="View QI-0012")["href"] == link
    assert "Well argued.\nGo ahead." in html.get_text()
    assert html.find("a", string="Manage what you are sent")["href"] == "https://repo.example.nhs.uk/account/alerts"
    assert "Manage what you are sent: https://repo.example.nhs.uk/account/alerts" in plain
    assert message["From"] == SITE.sender and message["To"] == "ann@example.nhs.uk"


def test_the_html_is_nhs_styled_and_self_contained():
    _, html = parts(compose(notice("submitted"), SITE))
    band = html.find("td", string="Quality Improvement")
    assert "background-color:#005eb8" in band["style"]
    assert "Frutiger" in html.body["style"] and "Arial" in html.body["style"]
    assert not html.find_all(["link", "script", "img", "style"])
    assert all(a["href"].startswith("https://repo.example.nhs.uk/") for a in html.find_all("a"))


def test_every_value_is_escaped_and_no_value_can_add_a_header():
    hostile = '<script>alert("x")</script>\nBcc: everyone@example.com'
    message = compose(notice("commented", title=hostile, comment="<b>bold</b> & <img src=x onerror=y>",
                             actor_name="<i>Eve</i>"), SITE)
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "<b>" not in html and "<img" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt; &amp;" in html
    assert "\n" not in message["Subject"] and message["Bcc"] is None
    assert message["Subject"] == '<i>Eve</i> commented on <script>alert("x")</script> Bcc: everyone@example.com'
    plain, _ = parts(message)
    assert '<script>alert("x")</script>' in plain        # plain text shows what was written, as written


def test_watch_and_alert_mails_carry_one_click_unsubscribe():
    message = compose(notice("edited", unsubscribe="/unsubscribe/abc.DEF"), SITE)
    url = "https://repo.example.nhs.uk/unsubscribe/abc.DEF"
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain, html = parts(message)
    assert f"Unsubscribe from these emails: {url}" in plain
    assert html.find("a", string="Unsubscribe from these emails")["href"] == url
    plain_only = compose(notice("edited"), SITE)
    assert plain_only["List-Unsubscribe"] is None and "Unsubscribe" not in parts(plain_only)[0]


def test_the_message_id_comes_from_the_notice_so_a_resend_is_recognised():
    one = notice()
    first, again = compose(one, SITE), compose(one, SITE)
    assert first["Message-ID"] == again["Message-ID"] == f"<notice-{one.id}@example.nhs.uk>"
    assert compose(notice(), SITE)["Message-ID"] != first["Message-ID"]


def test_a_review_reminder_says_when_and_how_long():
    made = notice("review_due", reference="GL-0003", title="Sepsis pathway",
                  details={"due": "2026-12-22", "days": 20})
    plain, _ = parts(compose(made, SITE))
    assert "GL-0003: Sepsis pathway is due for review on 22 December 2026, in 20 days." in plain
    today = notice("review_due", reference="GL-0003", title="Sepsis pathway", details={"due": "2026-12-22", "days": 0})
    assert "22 December 2026, today." in parts(compose(today, SITE))[0]


def test_a_digest_lists_each_record_with_its_link():
    made = notice("digest", reference="", unsubscribe="/unsubscribe/alert1", details={
        "query_words": "improvement projects about falls",
        "records": [{"reference": "QI-0001", "title": "Falls <bundle>", "status": "Approved",
                     "instance": "quality-improvement", "repository": "qi-project",
                     "url": "/quality-improvement/qi-project/QI-0001"},
                    {"reference": "QI-0002", "title": "Bed rails", "status": "Draft",
                     "instance": "quality-improvement", "repository": "qi-project"}]})
    message = compose(made, SITE)
    plain, html = parts(message)
    assert message["Subject"] == "Your alert: 2 records for improvement projects about falls"
    assert "- QI-0001: Falls <bundle> (Approved), Quality Improvement" in plain
    links = {a.get_text(): a["href"] for a in html.find_all("a")}
    assert links["QI-0001: Falls <bundle>"] == "https://repo.example.nhs.uk/quality-improvement/qi-project/QI-0001"
    assert links["QI-0002: Bed rails"] == "https://repo.example.nhs.uk/quality-improvement/qi-project/QI-0002"
    assert "&lt;bundle&gt;" in message.get_body(("html",)).get_content()


@pytest.mark.parametrize("to", ["not an address", "ann@example.nhs.uk\nBcc: x@example.com", "", "a b@c"])
def test_a_broken_address_is_refused_with_words(to):
    with pytest.raises(MailNotComposed, match="is not an email address"):
        compose(notice(to=to), SITE)


def test_without_a_sender_address_nothing_is_composed():
    with pytest.raises(MailNotComposed, match="REPO_ENGINE_MAIL_FROM is not set"):
        compose(notice(), MailSite(base_url="https://x"))


def test_long_dates_read_as_people_write_them():
    assert long_date("2026-01-05") == "5 January 2026" and long_date("soon") == "soon"


def test_a_long_digest_says_how_many_and_links_the_whole_list():
    rows = [{"reference": f"QI-{n:04d}", "title": f"Project {n}", "url": f"/quality-improvement/qi-project/QI-{n:04d}"}
            for n in range(1, 3)]
    made = notice("digest", reference="", details={"query_words": "falls", "records": rows, "count": 60,
                                                  "path": "/quality-improvement/qi-project/?q=falls"})
    message = compose(made, SITE)
    plain, html = parts(message)
    assert message["Subject"] == "Your alert: 60 records for falls"
    assert "60 records new or changed in your alert for falls." in plain and "The first 2 are listed here." in plain
    link = html.find("a", string="See them all")["href"]
    assert link == "https://repo.example.nhs.uk/quality-improvement/qi-project/?q=falls"
