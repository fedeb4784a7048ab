"""The generic views: one set of blueprints serving every instance and repository, and what they share."""
from __future__ import annotations

from flask import current_app, render_template

from engine.web.site import HostedRepository, Site


def site() -> Site:
    return current_app.extensions["repo_engine"]


def hosted(instance: str, repo: str) -> HostedRepository:
    """The repository a URL names; ``InstanceNotFound``/``RepositoryNotFound`` become 404 pages."""
    return site().repository(instance, repo)


def user() -> str:
    """Who is acting. Until sign-in exists, the configured default user."""
    return current_app.config["DEFAULT_USER"]


def render_page(repository: HostedRepository, which: str, **context) -> str:
    """Render one of the repository's pages, through its own template when it has one."""
    return render_template(repository.page_templates[which], hosted=repository, instance=repository.instance,
                           rtype=repository.rtype, **context)
