"""An instance's admin pages: its members and their roles, and the bin (deleted records, restored from there).

A role is given by username, or by email address to someone who has not signed in yet: that is an invitation
(``engine.access.invitations``), listed with the members until their first sign-in takes it up.

Deleting is a soft delete (editors and admins, from the record page, after a page asking them to confirm): the
record leaves every list and page but keeps its history and documents, and an admin of the instance can put it
back.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.access import ROLES
from engine.access.accounts import AccountError
from engine.access.invitations import WRONG_FORMAT, email_address
from engine.store.base import Query
from engine.web.unreadable import each_readable
from engine.web.views import hosted, require, site, user

bp = Blueprint("manage", __name__)
BIN_SHOWN = 500         # deleted records listed per repository, the most recently deleted first


def _members_page(instance, errors: dict[str, str] | None = None, username: str = "", role: str = "",
                  code: int = 200):
    accounts = site().accounts
    html = render_template("members.html", instance=instance, members=accounts.members(instance.name),
                           invited=accounts.invited_to(instance.name), roles=ROLES, errors=errors or {},
                           username=username, role=role)
    return html, code


@bp.get("/<instance>/members")
def members(instance: str):
    found = site().instance(instance)
    require(found, "manage")
    return _members_page(found)


@bp.post("/<instance>/members")
def grant(instance: str):
    found = site().instance(instance)
    require(found, "manage")
    username, role = request.form.get("username", "").strip(), request.form.get("role", "")
    errors = {}
    if problem := _not_addable(username):
        errors["username"] = problem
    if role not in ROLES:
        errors["role"] = "Select a role"
    if not errors:
        try:
            done = _give_role(username, found, role)
        except AccountError as refused:     # removed meanwhile, or the account list busy: nothing changed
            errors["username"] = str(refused).rstrip(".")
    if errors:
        return _members_page(found, errors, username, role, 400)
    flash(done)
    return redirect(url_for("manage.members", instance=found.name))


def _not_addable(wanted: str) -> str:
    """Why a role cannot be given to ``wanted`` (a username, or the email address of someone not signed in
    yet); "" when it can."""
    if not wanted:
        return "Enter the username or email address of the person to add"
    if site().accounts.get(wanted) is not None:
        return ""
    if "@" not in wanted:
        return (f"There is no account called “{wanted}”. To add someone who has not signed in yet, enter their "
                "email address")
    return "" if email_address(wanted) else WRONG_FORMAT


def _give_role(wanted: str, instance, role: str) -> str:
    """Give the role to the account, or invite the email address; what to tell the admin."""
    accounts = site().accounts
    if accounts.get(wanted) is not None:
        accounts.grant(wanted, instance.name, role)
        return f"{wanted} is now {role} in {instance.title}."
    username = accounts.invite(wanted, instance.name, role, by=user())
    if username is not None:        # the address is that of an account already
        return f"{username} is now {role} in {instance.title}."
    return (f"{email_address(wanted)} is invited as {role} in {instance.title}. The role applies when they "
            "first sign in.")


@bp.post("/<instance>/members/<username>/revoke")
def revoke(instance: str, username: str):
    found = site().instance(instance)
    require(found, "manage")
    try:
        removed = site().accounts.revoke(username, found.name)
    except AccountError as refused:     # no such account, or the account list busy: say which
        flash(str(refused), "important")
    else:
        flash(f"{username} no longer has a role in {found.title}." if removed
              else f"{username} had no role in {found.title}.")
    return redirect(url_for("manage.members", instance=found.name))


@bp.post("/<instance>/members/invited/<email>/remove")
def withdraw(instance: str, email: str):
    found = site().instance(instance)
    require(found, "manage")
    try:
        removed = site().accounts.withdraw(email, found.name)
    except AccountError as refused:     # the account list busy
        flash(str(refused), "important")
    else:
        flash(f"The invitation of {email} to {found.title} has been removed." if removed
              else f"{email} had no invitation to {found.title}.")
    return redirect(url_for("manage.members", instance=found.name))


@bp.get("/<instance>/bin")
def bin_page(instance: str):
    found = site().instance(instance)
    require(found, "restore")
    deleted = Query(deleted=True, sort="-updated", per_page=BIN_SHOWN)
    groups = [(repository, page) for repository, page in
              each_readable(site().hosted_in(found), lambda repository: site().store(repository).query(deleted))
              if page.records]
    return render_template("bin.html", instance=found, groups=groups)


def _deletable(instance: str, repo: str, reference: str):
    """The repository, its store and the record to delete, for someone who may delete it: reading comes first,
    so nobody learns which references exist where they cannot read."""
    repository = hosted(instance, repo)
    require(repository.instance, "read")
    store = site().store(repository)
    record = store.get(reference)
    require(repository.instance, "delete")
    return repository, store, record


@bp.get("/<instance>/<repo>/<reference>/delete")
def confirm_delete(instance: str, repo: str, reference: str):
    repository, _store, record = _deletable(instance, repo, reference)
    return render_template("delete.html", hosted=repository, instance=repository.instance,
                           rtype=repository.rtype, record=record)


@bp.post("/<instance>/<repo>/<reference>/delete")
def delete(instance: str, repo: str, reference: str):
    repository, _store, _record = _deletable(instance, repo, reference)
    site().records(repository).delete(reference, user=user())
    flash(f"{reference} has been deleted. An admin of {repository.instance.title} can restore it from the bin.")
    return redirect(url_for("browse.browse", instance=instance, repo=repo))


@bp.post("/<instance>/<repo>/<reference>/restore")
def restore(instance: str, repo: str, reference: str):
    repository = hosted(instance, repo)
    require(repository.instance, "restore")
    site().store(repository).get(reference, include_deleted=True)     # 404 for a reference never used
    site().records(repository).restore(reference, user=user())
    flash(f"{reference} has been restored.")
    return redirect(url_for("records.show", instance=instance, repo=repo, reference=reference))
