"""The generic views: one set of blueprints serving every instance and repository, and what they share."""
from __future__ import annotations

from flask import abort, current_app, render_template

from engine.access import can, least_role
from engine.schema.model import Instance
from engine.web.auth.redirects import sign_in_first
from engine.web.auth.session import current_user
from engine.web.site import HostedRepository, Site


def site() -> Site:
    return current_app.extensions["repo_engine"]


def hosted(instance: str, repo: str) -> HostedRepository:
    """The repository a URL names; ``InstanceNotFound``/``RepositoryNotFound`` become 404 pages."""
    return site().repository(instance, repo)


def user() -> str:
    """The username stamped on what this request writes. Every view that writes asks ``require`` first, which
    sends anyone not signed in to sign in; a write reaching here without someone signed in is a view that
    forgot to ask, and is stopped rather than stamped with a made-up name."""
    username = current_user().username
    if not username:
        raise PermissionError("a write was attempted with nobody signed in: the view must call require() first")
    return username


def require(instance: Instance, action: str, created_by: str | None = None) -> None:
    """Stop the request unless the current user may do ``action`` here (see ``engine.access.can``): someone
    not signed in goes to the sign-in page (and comes back here); someone signed in gets a 403 page saying
    which role they need and who can give it."""
    person = current_user()
    if can(person, instance, action, created_by):
        return
    if not person.signed_in:
        sign_in_first()
    abort(403, refusal(instance, action))


def refusal(instance: Instance, action: str) -> str:
    role = least_role(instance, action)
    admins = [u.display_name for u, r in site().accounts.members(instance.name) if r == "admin"]
    ask = (f"Ask an admin of {instance.title} ({', '.join(admins)}) to give you that role."
           if admins else "Ask the team that runs this service to give you that role.")
    if action == "edit":        # contributors may edit their own records; the role is for everyone else's
        return (f"You need the {role} role in {instance.title} to change records other people submitted. "
                f"{ask}")
    return f"You need the {role} role in {instance.title} to do this. {ask}"


def render_page(repository: HostedRepository, which: str, **context) -> str:
    """Render one of the repository's pages, through its own template when it has one."""
    return render_template(repository.page_templates[which], hosted=repository, instance=repository.instance,
                           rtype=repository.rtype, **context)
