"""Where the QI projects live in the shipped instances, and a minimal PDF a user might attach."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

REPOSITORY = "qi-project"
REPO_ROOT = Path(__file__).resolve().parents[2]
ADMIN = "browser-admin"        # every role everywhere; signed in by its session cookie
STAFF = "browser-staff"        # signed in with no role: submits where staff may; password access_helpers.PASSWORD


@dataclass(frozen=True)
class Site:
    """URLs (relative to the live server) of the instance hosting QI projects."""
    instance: str
    repository: str = REPOSITORY

    @property
    def instance_home(self) -> str:
        return f"/{self.instance}/"

    @property
    def browse(self) -> str:
        return f"/{self.instance}/{self.repository}/"

    @property
    def new(self) -> str:
        return f"{self.browse}new"

    def record(self, reference: str) -> str:
        return f"{self.browse}{reference}"


def find_site(env: Mapping[str, str], instance: str = "quality-improvement") -> Site:
    """The shipped Quality Improvement Team instance, checked to host QI projects the way the app reads it."""
    from engine.config import Paths
    from engine.fields import default_registry
    from engine.schema import load_project

    project = load_project(Paths.from_env(env["REPO_ENGINE_SCHEMAS"], env["REPO_ENGINE_INSTANCES"]),
                           default_registry())
    assert project.instances[instance].has_repository(REPOSITORY), f"{instance} no longer hosts {REPOSITORY}"
    return Site(instance=instance)


def shipped_repositories(root: Path) -> list[str]:
    """The browse URL of every repository of every shipped instance (read at collection time)."""
    from engine.config import Paths
    from engine.fields import default_registry
    from engine.schema import load_project

    project = load_project(Paths(schemas=root / "schemas", instances=root / "instances"), default_registry())
    return [f"/{name}/{rtype.name}/" for name in sorted(project.instances)
            for rtype in project.instances[name].repositories]


def write_pdf(path: Path, text: str = "Project charter") -> Path:
    """A small, valid one-page PDF (correct cross-reference offsets), as a user's document would be."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path
