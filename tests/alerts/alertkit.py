"""The site for the alert tests: one small repository type hosted by an open instance ("qi") and a members-only
one ("closed"), with Ann (contributor in qi, no role in closed) and an editor of both, and helpers to read the
site outbox."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bs4 import BeautifulSoup

from access_helpers import signed_in_as
from engine.notify.alerts import Alerts
from engine.notify.digest import send_digests
from engine.store.outbox import site_outbox
from engine.web.app import create_app

PROJECT = """
name: project
title: Project
title_plural: Projects
reference_prefix: PR
record_title: title
fields:
  - {name: title, type: text, label: Project title, required: true}
statuses: [Proposed, Active, Completed]
listing:
  columns: [reference, title, status, updated]
  facets: [status]
"""
INSTANCES = {"qi": "", "closed": "access: {read: members, submit: members}"}
SECRET = "alert-tests"


def write_project(root: Path) -> None:
    (root / "schemas").mkdir()
    (root / "schemas" / "project.yaml").write_text(textwrap.dedent(PROJECT))
    for name, access in INSTANCES.items():
        folder = root / "instances" / name
        folder.mkdir(parents=True)
        (folder / "instance.yaml").write_text(f"title: The {name} team\nrepositories: [project]\n{access}\n")


def make_app(root: Path, **config):
    write_project(root)
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "WTF_CSRF_ENABLED": False,
                      "SCHEMAS": str(root / "schemas"), "INSTANCES": str(root / "instances"),
                      "DATA": str(root / "data"), **config})
    accounts = app.extensions["repo_engine"].accounts
    accounts.add("ann", name="Ann Smith", email="ann@example.nhs.uk")
    accounts.grant("ann", "qi", "contributor")
    accounts.add("editor", name="Ed Itor", email="editor@example.nhs.uk")
    for instance in INSTANCES:
        accounts.grant("editor", instance, "editor")
    accounts.add("root", name="Site Admin", email="root@example.nhs.uk", site_admin=True)
    return app


@dataclass
class AlertSite:
    app: object

    @property
    def site(self):
        return self.app.extensions["repo_engine"]

    @property
    def alerts(self) -> Alerts:
        return self.app.extensions["repo_engine_alerts"]

    def hosted(self, instance: str = "qi"):
        return self.site.repository(instance, "project")

    def create(self, title: str, instance: str = "qi", status: str = "Proposed"):
        return self.site.records(self.hosted(instance)).create({"title": title}, user="editor", status=status)

    def store(self, instance: str = "qi"):
        return self.site.store(self.hosted(instance))

    def client(self, username: str | None = "ann"):
        client = self.app.test_client()
        if username:
            signed_in_as(client, self.app, username)
        return client

    def digest(self, now: datetime):
        outbox = site_outbox(self.site.paths)
        try:
            with self.app.app_context():
                return send_digests(self.site, self.alerts, outbox, SECRET, now)
        finally:
            outbox.close()

    def digests(self) -> list:
        """The notices in the site outbox, oldest first."""
        outbox = site_outbox(self.site.paths)
        try:
            return [delivery.notice for delivery in reversed(outbox.deliveries())]
        finally:
            outbox.close()


def later(days: float = 1) -> datetime:
    return datetime.now(timezone.utc) + timedelta(days=days)


def html(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")
