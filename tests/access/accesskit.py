"""The site for the permission tests: four instances hosting one small repository type (and a type with a
workflow, for its actions), differing only in who may read and submit, with one person per role in each, and
two records per instance (one by its contributor, one by its editor) with a document attached."""
from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

from access_helpers import add_account, signed_in_as
from engine.store.base import Upload
from engine.web.app import create_app
from pgkit import rows

REPOSITORY_TYPE = """
name: project
title: Project
title_plural: Projects
reference_prefix: PR
record_title: title
fields:
  - {name: title, type: text, label: Project title, required: true}
  - {name: report, type: file, label: Report, accept: [.pdf, .txt], max_size_mb: 1}
statuses: [Proposed, In progress, Completed]
listing:
  columns: [reference, title, status, updated]
  facets: [status]
"""

#: A type with a workflow, for the pages of its actions: an editor approves, only its creator withdraws.
TASK_TYPE = """
name: task
title: Task
title_plural: Tasks
reference_prefix: TK
record_title: title
fields:
  - {name: title, type: text, label: Task title, required: true}
statuses: [Open, Approved, Withdrawn]
workflow:
  - {action: Approve, from: [Open], to: Approved, who: [editor]}
  - {action: Withdraw, from: [Open], to: Withdrawn, who: [creator], comment: none}
"""

#: instance name -> its access: line ("" for the defaults: anyone reads, signed-in staff submit)
INSTANCES = {
    "open": "",
    "staff": "access: {read: staff, submit: staff}",
    "closed": "access: {read: members, submit: members}",
    "elsewhere": "",
}

#: Who is signed in, per case: the account's role in the instance under test. "owner" is the contributor
#: acting on their own record, "contributor" the same role on someone else's; "outsider" is an admin of
#: another instance only.
PEOPLE = ("anonymous", "staff", "reader", "contributor", "owner", "editor", "admin", "outsider")


def write_project(root, instances: dict[str, str]) -> None:
    (root / "schemas").mkdir()
    (root / "schemas" / "project.yaml").write_text(textwrap.dedent(REPOSITORY_TYPE))
    (root / "schemas" / "task.yaml").write_text(textwrap.dedent(TASK_TYPE))
    for name, access in instances.items():
        folder = root / "instances" / name
        folder.mkdir(parents=True)
        (folder / "instance.yaml").write_text(f"title: The {name} team\nrepositories: [project, task]\n{access}\n")


def username(person: str, instance: str) -> str:
    """The account playing ``person`` in ``instance`` (contributor and owner are one account)."""
    return {"owner": "contributor", "outsider": "outsider"}.get(person, person) + (
        "" if person in ("staff", "outsider") else f"-{instance}")


@dataclass
class Site:
    app: object
    records: dict           # (instance, "own" | "other") -> reference
    attachments: dict       # (instance, "own" | "other") -> attachment id

    def client(self, person: str, instance: str):
        client = self.app.test_client()
        if person != "anonymous":
            signed_in_as(client, self.app, username(person, instance))
        return client


def _populate(app) -> Site:
    site = app.extensions["repo_engine"]
    add_account(app, "staff", role=None)
    add_account(app, "outsider", "admin", "elsewhere")
    records, attachments = {}, {}
    for instance in site.project.instances:
        for role in ("reader", "contributor", "editor", "admin"):
            add_account(app, f"{role}-{instance}", role, instance)
        repository = site.repository(instance, "project")
        for which, author in (("own", f"contributor-{instance}"), ("other", f"editor-{instance}")):
            upload = Upload("report.txt", io.BytesIO(b"the report"), "text/plain")
            record = site.records(repository).create({"title": f"{which} in {instance}"}, user=author,
                                                     uploads={"report": [upload]})
            records[instance, which] = record.reference
            attachments[instance, which] = site.store(repository).attachments(record.reference)[0].id
    return Site(app, records, attachments)


def make_site(root, instances: dict[str, str] = INSTANCES, **config) -> Site:
    write_project(root, instances)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "SCHEMAS": str(root / "schemas"), "INSTANCES": str(root / "instances"),
                      "DATA": str(root / "data"), **config})
    return _populate(app)


def kept(app) -> dict:
    """Everything the site keeps (files of its data folder; with a database, every row of its tables), to
    prove a refused request wrote nothing and an allowed one wrote something."""
    root = Path(app.config["DATA"])
    files = {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}
    url = app.extensions["repo_engine"].paths.database
    return {"files": files, "rows": rows(url) if url else {}}


def html(response) -> BeautifulSoup:
    """A response's page, to read with CSS selectors."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")
