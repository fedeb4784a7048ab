"""Every page x every kind of person x every method, on each backend, against the answer this table expects.

The table below is written out by hand from the roles described in docs/operating.md, not computed from
``engine.access.can``, so a mistake in the policy or a view that forgets to ask it shows here. Allowed: a
page answers 200, a form post redirects to its result. Refused: someone not signed in is sent to sign in
(and back), someone signed in gets 403, and a refused post writes nothing at all.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Callable

import pytest

from accesskit import PEOPLE, kept, username

EVERYONE = frozenset(PEOPLE)
SIGNED_IN = EVERYONE - {"anonymous"}
MEMBERS = frozenset({"reader", "contributor", "owner", "editor", "admin"})
MEMBER_SUBMITTERS = frozenset({"contributor", "owner", "editor", "admin"})

ALLOWED = {
    #                 open                 staff                closed
    "read":          {"open": EVERYONE,   "staff": SIGNED_IN,  "closed": MEMBERS},
    "submit":        {"open": SIGNED_IN,  "staff": SIGNED_IN,  "closed": MEMBER_SUBMITTERS},
    # the owner edits their own record; everyone else tries the record an editor created
    "edit":          dict.fromkeys(("open", "staff", "closed"), frozenset({"owner", "editor", "admin"})),
    "change_status": dict.fromkeys(("open", "staff", "closed"), frozenset({"editor", "admin"})),
    "delete":        dict.fromkeys(("open", "staff", "closed"), frozenset({"editor", "admin"})),
    "admin":         dict.fromkeys(("open", "staff", "closed"), frozenset({"admin"})),
    # pages about one's own account, the same in every instance
    "signed_in":     dict.fromkeys(("open", "staff", "closed"), SIGNED_IN),
    # an alert about a list: someone signed in who may read it
    "alert":         {"open": SIGNED_IN,  "staff": SIGNED_IN,  "closed": MEMBERS},
    # a workflow action: Approve is the editors' (and so the admins'); Withdraw only the record's creator's
    "act":           dict.fromkeys(("open", "staff", "closed"), frozenset({"editor", "admin"})),
    "act_own":       dict.fromkeys(("open", "staff", "closed"), frozenset({"owner"})),
    # commenting on a record and watching it: everyone signed in who may read it
    "discuss":       {"open": SIGNED_IN,  "staff": SIGNED_IN,  "closed": MEMBERS},
    # the people who run the deployment (none of PEOPLE; tests/alerts/test_alert_pages.py signs one in)
    "site_admin":    dict.fromkeys(("open", "staff", "closed"), frozenset()),
}


INVITED = "starter@example.nhs.uk"      # an email address with no account


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str                   # {i} instance, {ref} the record, {att} its attachment
    needs: str
    data: Callable[[object, str], dict] = field(default=lambda site, ref: {})
    fresh_record: str = ""      # "live" or "deleted": a record made for this case alone (delete, restore)
    allowed_status: int = 0     # what an allowed request answers: 0 for 200 (pages) or 302 (form posts)
    prepare: Callable[[object, str], None] = field(default=lambda site, instance: None)   # so a post has work
    draft: str = ""             # {draft}: "kept" (one per owner, reused) or "fresh" (made for this case alone)
    refused_status: int = 403   # 404 where refusing must not say the thing exists (someone else's draft)
    alert: bool = False         # {alert}: a saved-search alert of the person's own, made for this case alone
    watch: bool = False         # the person watches {ref} before the request
    repo: str = "project"       # "task": the type with a workflow (with fresh_record="task")


def _edit(status_change: bool):
    def data(site, ref):
        repository, record = _record(site, ref)
        posted = {"title": record.values["title"] + " (edited)", "version": str(record.version)}
        if status_change:
            posted["status"] = next(s for s in repository.rtype.status_names if s != record.status)
        return posted
    return data


ENDPOINTS = (
    Endpoint("instance home", "GET", "/{i}/", "read"),
    Endpoint("browse", "GET", "/{i}/project/", "read"),
    Endpoint("browse with a search", "GET", "/{i}/project/?q=own&status=Proposed", "read"),
    Endpoint("record", "GET", "/{i}/project/{ref}", "read"),
    Endpoint("history", "GET", "/{i}/project/{ref}/history", "read"),
    Endpoint("a version", "GET", "/{i}/project/{ref}/history/1", "read"),
    Endpoint("restore a version", "POST", "/{i}/project/{ref}/history/1/restore", "edit",
             lambda site, ref: {"version": str(_edited(site, ref).version)}),
    Endpoint("similar work", "GET", "/{i}/project/similar?title=own+project", "read"),
    Endpoint("attachment", "GET", "/{i}/project/{ref}/attachments/{att}", "read"),
    Endpoint("new form", "GET", "/{i}/project/new", "submit"),
    Endpoint("create", "POST", "/{i}/project/new", "submit", lambda site, ref: {"title": "A new project"}),
    Endpoint("edit form", "GET", "/{i}/project/{ref}/edit", "edit"),
    Endpoint("save edit", "POST", "/{i}/project/{ref}/edit", "edit", _edit(False)),
    Endpoint("change status", "POST", "/{i}/project/{ref}/edit", "change_status", _edit(True)),
    Endpoint("delete confirm", "GET", "/{i}/project/{ref}/delete", "delete"),
    Endpoint("delete", "POST", "/{i}/project/{ref}/delete", "delete", fresh_record="live"),
    Endpoint("members", "GET", "/{i}/members", "admin"),
    Endpoint("grant", "POST", "/{i}/members", "admin",
             lambda site, ref: {"username": "newcomer", "role": "reader"}),
    Endpoint("revoke", "POST", "/{i}/members/newcomer/revoke", "admin",
             prepare=lambda site, instance: _accounts(site).grant("newcomer", instance, "reader")),
    # someone not signed in yet: invited by email address, and the invitation removed again
    Endpoint("invite", "POST", "/{i}/members", "admin",
             lambda site, ref: {"username": INVITED, "role": "reader"},
             prepare=lambda site, instance: _accounts(site).withdraw(INVITED, instance)),
    Endpoint("remove an invitation", "POST", f"/{{i}}/members/invited/{INVITED}/remove", "admin",
             prepare=lambda site, instance: _accounts(site).invite(INVITED, instance, "reader")),
    Endpoint("bin", "GET", "/{i}/bin", "admin"),
    Endpoint("restore", "POST", "/{i}/project/{ref}/restore", "admin", fresh_record="deleted"),
    Endpoint("export", "GET", "/{i}/project/export?format=csv", "read"),
    Endpoint("import page", "GET", "/{i}/project/import", "admin"),
    Endpoint("import check", "POST", "/{i}/project/import", "admin",
             lambda site, ref: {"file": (io.BytesIO(b"Project title\nImported\n"), "projects.csv")},
             allowed_status=200),
    Endpoint("change password page", "GET", "/account/password", "signed_in"),
    # these accounts have no password of their own: an allowed post is told so (400) and changes nothing
    Endpoint("change password", "POST", "/account/password", "signed_in",
             lambda site, ref: {"current": "a guess", "new": "a new password", "confirm": "a new password"},
             allowed_status=400),
    # an allowed confirm gets as far as finding the held file gone (400); a refused one never looks
    Endpoint("import confirm", "POST", "/{i}/project/import/confirm", "admin",
             lambda site, ref: {"held": "a" * 24 + ".csv"}, allowed_status=400),
    Endpoint("import with chosen columns", "POST", "/{i}/project/import/columns", "admin",
             lambda site, ref: {"held": "a" * 24 + ".csv"}, allowed_status=400),
    # a draft is seen by its owner and by those who edit anyone's records; to everyone else it does not exist
    Endpoint("save a draft", "POST", "/{i}/project/drafts", "submit",
             lambda site, ref: {"title": "Half a project", "save_draft": "1"}),
    Endpoint("draft", "GET", "/{i}/project/drafts/{draft}", "edit", draft="kept", refused_status=404),
    Endpoint("save a draft again", "POST", "/{i}/project/drafts/{draft}", "edit",
             lambda site, ref: {"title": "Saved again", "draft_version": "1", "save_draft": "1"},
             draft="fresh", refused_status=404),
    Endpoint("submit a draft", "POST", "/{i}/project/drafts/{draft}", "edit",
             lambda site, ref: {"title": "Submitted from a draft", "draft_version": "1"},
             draft="fresh", refused_status=404),
    Endpoint("delete a draft confirm", "GET", "/{i}/project/drafts/{draft}/delete", "edit", draft="kept",
             refused_status=404),
    Endpoint("delete a draft", "POST", "/{i}/project/drafts/{draft}/delete", "edit", draft="fresh",
             refused_status=404),
    # saved-search alerts and watches: a person's own, from the list they were reading (the owner and the
    # contributor are one account: each saves the view of its own record, so that each save is new)
    Endpoint("alert me: choose how often", "POST", "/{i}/project/alert", "alert",
             lambda site, ref: {"query": "q=own"}, allowed_status=200),
    Endpoint("alert me", "POST", "/{i}/project/alert", "alert",
             lambda site, ref: {"query": f"q={ref[1]}&status=Proposed", "frequency": "daily"}),
    Endpoint("alert me about a search", "POST", "/search/alert", "signed_in",
             lambda site, ref: {"query": f"q={ref[1]}&instance={ref[0]}", "frequency": "weekly"}),
    Endpoint("your alerts", "GET", "/account/alerts", "signed_in"),
    Endpoint("change an alert", "POST", "/account/alerts/{alert}/frequency", "signed_in",
             lambda site, ref: {"frequency": "weekly"}, alert=True),
    Endpoint("delete an alert", "POST", "/account/alerts/{alert}/delete", "signed_in", alert=True),
    Endpoint("stop watching", "POST", "/account/watching/{i}/project/{ref}/stop", "signed_in", watch=True),
    # a workflow's actions, on an Open task made for the case (by the owner for "owner", else by someone else)
    Endpoint("action confirm", "GET", "/{i}/task/{ref}/actions/approve", "act", fresh_record="task", repo="task"),
    Endpoint("take an action", "POST", "/{i}/task/{ref}/actions/approve", "act", lambda site, ref: {
        "version": str(_record(site, ref)[1].version), "comment": "Fine"}, fresh_record="task", repo="task"),
    Endpoint("take an action of the creator's", "POST", "/{i}/task/{ref}/actions/withdraw", "act_own",
             lambda site, ref: {"version": str(_record(site, ref)[1].version)}, fresh_record="task", repo="task"),
    # the discussion beside a record, and watching it from the record's page
    Endpoint("comment", "POST", "/{i}/project/{ref}/comments", "discuss", lambda site, ref: {"comment": "A thought"}),
    Endpoint("watch", "POST", "/{i}/project/{ref}/watch", "discuss", lambda site, ref: {"watch": "1"}),
    Endpoint("outbox", "GET", "/admin/outbox", "site_admin"),
    Endpoint("resend", "POST", "/admin/outbox/{notice}/resend", "site_admin"),
)

KEPT_DRAFT = "A draft kept for every case"


def _draft(site, instance: str, person: str, fresh: bool) -> str:
    """The id of a draft of the owner's (for "owner") or of the editor's (for everyone else, as with records).
    Drafts earlier cases left behind are deleted first: a person may keep only so many."""
    app_site = site.app.extensions["repo_engine"]
    drafts = app_site.drafts(app_site.repository(instance, "project"))
    owner = f"contributor-{instance}" if person == "owner" else f"editor-{instance}"
    kept = [draft for draft in drafts.owned_by(owner) if draft.values.get("title") == KEPT_DRAFT]
    if kept and not fresh:
        return kept[0].id
    for left in drafts.owned_by(owner):
        if left not in kept:
            drafts.delete(left.id)
    return drafts.add(owner, {"title": "Made for one case" if fresh else KEPT_DRAFT}).id


def _alert(site, instance: str, person: str) -> str:
    """A daily alert of the person's (of staff's, for someone not signed in, who may touch nobody's)."""
    owner = username("staff" if person == "anonymous" else person, instance)
    alerts = site.app.extensions["repo_engine_alerts"]
    return alerts.add(owner, "", instance=instance, repository="project", query=f"q=case{len(alerts.all())}",
                      title="A list", frequency="daily").id


def _watch(site, instance: str, person: str, reference: str) -> None:
    if person != "anonymous":
        app_site = site.app.extensions["repo_engine"]
        app_site.store(app_site.repository(instance, "project")).set_watching(reference, username(person, instance),
                                                                              True)


def _edited(site, ref):
    """The record after one more save, so that version 1 is not the current one and restoring it is work."""
    repository, record = _record(site, ref)
    records = site.app.extensions["repo_engine"].records(repository)
    return records.update(record.reference, {"title": record.values["title"] + "."}, user=record.created_by,
                          expected_version=record.version)


def _accounts(site):
    accounts = site.app.extensions["repo_engine"].accounts
    if accounts.get("newcomer") is None:
        accounts.add("newcomer")
    return accounts


def _record(site, ref: tuple[str, ...]):
    """The repository and record ``ref`` names: (instance, reference) or (instance, reference, repository)."""
    app_site = site.app.extensions["repo_engine"]
    repository = app_site.repository(ref[0], ref[2] if len(ref) > 2 else "project")
    return repository, app_site.store(repository).get(ref[1], include_deleted=True)


def _fresh(site, instance: str, kind: str, person: str) -> str:
    """A record made for one case: a live or deleted project by the editor, or an Open task by the owner (for
    "owner") or else by someone playing no other part."""
    app_site = site.app.extensions["repo_engine"]
    if kind == "task":
        author = f"contributor-{instance}" if person == "owner" else "someone-else"
        records = app_site.records(app_site.repository(instance, "task"))
        return records.create({"title": "A task"}, user=author).reference
    deleted = kind == "deleted"
    repository = app_site.repository(instance, "project")
    record = app_site.records(repository).create({"title": "Made for one case"}, user=f"editor-{instance}")
    if deleted:
        app_site.store(repository).delete(record.reference, user=f"editor-{instance}")
    return record.reference


CASES = [(e, i, p) for e in ENDPOINTS for i in ("open", "staff", "closed") for p in PEOPLE]


@pytest.mark.parametrize("endpoint, instance, person", CASES,
                         ids=[f"{e.name}-{i}-{p}" for e, i, p in CASES])
def test_matrix(access_site, endpoint, instance, person):
    if endpoint.fresh_record:
        reference = _fresh(access_site, instance, endpoint.fresh_record, person)
        attachment = ""
    else:
        which = "own" if person == "owner" else "other"
        reference = access_site.records[instance, which]
        attachment = access_site.attachments[instance, which]
    _accounts(access_site)
    endpoint.prepare(access_site, instance)
    draft = _draft(access_site, instance, person, endpoint.draft == "fresh") if endpoint.draft else ""
    alert = _alert(access_site, instance, person) if endpoint.alert else ""
    if endpoint.watch:
        _watch(access_site, instance, person, reference)
    path = endpoint.path.format(i=instance, ref=reference, att=attachment, draft=draft, alert=alert,
                                notice="0" * 32)
    data = endpoint.data(access_site, (instance, reference, endpoint.repo))
    before = kept(access_site.app)

    response = access_site.client(person, instance).open(path, method=endpoint.method, data=data)

    if person in ALLOWED[endpoint.needs][instance]:
        expected = endpoint.allowed_status or (200 if endpoint.method == "GET" else 302)
        assert response.status_code == expected, response.get_data(as_text=True)[:2000]
        if response.status_code == 302:
            assert not response.location.startswith("/sign-in")
        if endpoint.method == "POST" and response.status_code == 302:     # a post that says it was done did it
            assert kept(access_site.app) != before
    else:
        if person == "anonymous":
            assert response.status_code == 302
            assert response.location.startswith("/sign-in?next=")
        else:
            assert response.status_code == endpoint.refused_status
        if endpoint.method == "POST":
            assert kept(access_site.app) == before


def test_the_table_covers_every_route_of_the_site(access_site):
    """A new page must join the matrix: every URL rule is one of ours above, or needs no permission."""
    # /search shows each person only what they may read: tests/search/test_trust_search_access.py
    no_permission = {"/", "/sign-in", "/sign-out", "/sign-in/sso", "/sign-in/sso/return", "/mine", "/search",
                     # the signed token in the address is the permission: tests/alerts/test_unsubscribe.py
                     "/unsubscribe/<token>"}
    covered = {_rule_of(e.path) for e in ENDPOINTS}
    rules = {r.rule for r in access_site.app.url_map.iter_rules()
             if not r.rule.startswith(("/assets", "/static", "/api"))}
    assert rules - covered - no_permission == set()


def _rule_of(path: str) -> str:
    path = path.split("?")[0]
    return (path.replace("{i}", "<instance>").replace("project", "<repo>", 1).replace("{ref}", "<reference>")
            .replace("{att}", "<attachment_id>").replace("newcomer", "<username>").replace("{draft}", "<draft_id>")
            .replace("{alert}", "<alert_id>").replace("{notice}", "<notice_id>")
            .replace("/history/1", "/history/<int:number>").replace(INVITED, "<email>")
            .replace("/task/", "/<repo>/").replace("/actions/approve", "/actions/<action>")
            .replace("/actions/withdraw", "/actions/<action>"))
