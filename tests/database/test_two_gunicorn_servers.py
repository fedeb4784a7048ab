"""Two application servers on one database behave as one site: two gunicorn masters on their own ports, each
with its own empty local data folder, sharing one PostgreSQL database. What is submitted on one (with a file)
is on the other's browse page, search and record page at the next request; an edit conflict across them is
a 409 and never a lost update; a server killed with SIGKILL loses nothing it acknowledged."""
from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BASE = "/quality-improvement/qi-project/"
PASSWORD = "two-servers-test-password"
REPORT = b"%PDF-1.4\n% the final report of the ward 12 falls project\n"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn master (two workers) serving the shipped site from its own data folder."""

    def __init__(self, env: dict[str, str], data: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = data
        self.log = data.parent / f"gunicorn-{self.port}.log"
        data.mkdir(parents=True)
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{self.port}", "engine:create_app()"],
            env={**env, "REPO_ENGINE_DATA": str(data)}, cwd=ROOT, stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/", timeout=30).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within 60 s: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: nothing gets to finish or clean up."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def signed_in(self) -> requests.Session:
        session = requests.Session()
        token = _csrf(session.get(self.url + "/sign-in").text)
        answer = session.post(self.url + "/sign-in", allow_redirects=False,
                              data={"csrf_token": token, "username": "ann", "password": PASSWORD})
        assert answer.status_code in (302, 303), answer.text[:500]
        return session


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _project(token: str, title: str) -> dict[str, str]:
    return {"csrf_token": token, "title": title, "aim": "Halve falls on Ward 12 by March 2027.",
            "background": "Falls rose last winter.", "project_lead": "Ann Example", "division": "Medicine",
            "methodology": "Lean", "start_date-day": "3", "start_date-month": "4", "start_date-year": "2026"}


def _submit(server: Server, session: requests.Session, title: str, with_file: bool = False) -> str:
    """The new-project form filled and sent; the reference of the record it made."""
    token = _csrf(session.get(server.url + BASE + "new").text)
    files = {"documents": ("final-report.pdf", REPORT, "application/pdf")} if with_file else None
    answer = session.post(server.url + BASE + "new", data=_project(token, title), files=files,
                          allow_redirects=False)
    assert answer.status_code in (302, 303), answer.text[:2000]
    return answer.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def two_servers(test_database, tmp_path_factory):
    """One pair of servers for the module (starting them is most of its time); the test that kills one
    runs last."""
    postgres_url, tmp_path = test_database.site(), tmp_path_factory.mktemp("two-servers")
    env = {**os.environ, "REPO_ENGINE_SCHEMAS": str(ROOT / "schemas"),
           "REPO_ENGINE_INSTANCES": str(ROOT / "instances"), "REPO_ENGINE_DATABASE_URL": postgres_url,
           "SECRET_KEY": secrets.token_hex(32), "REPO_ENGINE_OUTBOX": "off"}
    subprocess.run([str(BIN / "repo-engine"), "users", "add", "ann", "--admin", "--name", "Ann Example",
                    "--password-stdin"], input=f"{PASSWORD}\n{PASSWORD}\n", text=True, check=True, cwd=ROOT,
                   env={**env, "REPO_ENGINE_DATA": str(tmp_path / "cli")}, capture_output=True)
    servers = [Server(env, tmp_path / "one"), Server(env, tmp_path / "two")]
    yield servers
    for server in servers:
        server.kill()
    test_database.drop_site(postgres_url)


def test_a_record_submitted_on_one_server_is_on_the_other_at_the_next_request(two_servers):
    one, two = two_servers
    reference = _submit(one, one.signed_in(), "Reducing falls on Ward 12 with hourly rounding", with_file=True)
    reader = two.signed_in()            # the account, made once, signs in on either server
    assert reference in reader.get(two.url + BASE).text
    assert reference in reader.get(two.url + BASE, params={"q": "hourly rounding falls"}).text
    page = reader.get(two.url + BASE + reference).text
    assert "Reducing falls on Ward 12 with hourly rounding" in page
    link = re.search(r'href="([^"]*/attachments/[^"]+)"', page)
    assert link, "the record page on the other server links its file"
    assert reader.get(two.url + link.group(1)).content == REPORT
    for server in (one, two):           # neither server keeps any of it, record or file, in its own folder
        kept = [path for path in server.data.rglob("*") if path.is_file()
                and (b"hourly rounding" in path.read_bytes() or REPORT in path.read_bytes())]
        assert not kept


def test_an_edit_conflict_across_the_servers_is_a_409_and_loses_nothing(two_servers):
    one, two = two_servers
    first, second = one.signed_in(), two.signed_in()
    reference = _submit(one, first, "Safer insulin prescribing")
    edit = f"{BASE}{reference}/edit"
    forms = [(one, first, first.get(one.url + edit).text), (two, second, second.get(two.url + edit).text)]
    answers = []
    for (server, session, html), title in zip(forms, ("Safer insulin prescribing on wards",
                                                      "Safer insulin prescribing at discharge")):
        version = re.search(r'name="version"[^>]*value="(\d+)"', html) or \
            re.search(r'value="(\d+)"[^>]*name="version"', html)
        data = {**_project(_csrf(html), title), "version": version.group(1)}
        answers.append(session.post(server.url + edit, data=data, allow_redirects=False))
    assert answers[0].status_code in (302, 303)
    assert answers[1].status_code == 409
    assert "Safer insulin prescribing on wards" in second.get(two.url + BASE + reference).text


def test_a_server_killed_straight_after_acknowledging_loses_nothing(two_servers):
    one, two = two_servers
    session = one.signed_in()
    made = [_submit(one, session, f"Sepsis screening audit {number}") for number in range(5)]
    one.kill()
    reader = two.signed_in()
    for reference in made:
        assert reader.get(two.url + BASE + reference).status_code == 200
