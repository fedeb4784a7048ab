"""The generic views: one set of blueprints serving every instance and repository, and what they share."""
from __future__ import annotations

from flask import abort, current_app, g, render_template

from engine.access import ANONYMOUS, User, can
from engine.schema.model import Instance
from engine.web.site import HostedRepository, Site


def site() -> Site:
    return current_app.extensions["repo_engine"]


def hosted(instance: str, repo: str) -> HostedRepository:
    """The repository a URL names; ``InstanceNotFound``/``RepositoryNotFound`` become 404 pages."""
    return site().repository(instance, repo)


def current_user() -> User:
    """The person making this request (``ANONYMOUS`` when nobody is signed in); set per request by sign-in."""
    return g.get("user", ANONYMOUS)


def user() -> str:
    """The username stamped on what this request writes."""
    return current_user().username or current_app.config["DEFAULT_USER"]


def require(instance: Instance, action: str, created_by: str | None = None) -> None:
    """Stop the request unless the current user may do ``action`` here (see ``engine.access.can``)."""
    if not can(current_user(), instance, action, created_by):
        abort(403)


def render_page(repository: HostedRepository, which: str, **context) -> str:
    """Render one of the repository's pages, through its own template when it has one."""
    return render_template(repository.page_templates[which], hosted=repository, instance=repository.instance,
                           rtype=repository.rtype, **context)
