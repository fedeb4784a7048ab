"""Wrong passwords are counted once for the whole deployment: two apps on one data folder (as two gunicorn
workers) share the count kept in ``sign-in-failures.json``, which is written only when it changes and keeps
nothing older than the window."""
from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from filelock import FileLock

from access_helpers import PASSWORD, add_account
from accesskit import make_site
from engine.web.app import create_app
from engine.web.auth.limits import FILE_NAME, FailedSignIns, SignInBusy


@pytest.fixture
def workers(tmp_path):
    """Two apps on the same schemas, instances and data folder, as two worker processes would be."""
    first = make_site(tmp_path).app
    second = create_app({**first.config, "DATA": str(tmp_path / "data")})
    add_account(first, "ann", "editor", "closed", password=PASSWORD)
    yield first, second
    for app in (first, second):
        app.extensions["repo_engine"].close()


def sign_in(app, password: str, username: str = "ann"):
    return app.test_client().post("/sign-in", data={"username": username, "password": password})


def test_the_fifth_failure_across_both_workers_locks_the_username(workers):
    first, second = workers
    for app in (first, second, first, second):
        assert sign_in(app, "a wrong guess").status_code == 400
    assert sign_in(first, PASSWORD).status_code == 302       # four failures: not yet
    for app in (second, first, second, first):
        assert sign_in(app, "a wrong guess").status_code == 400
    assert sign_in(second, "a wrong guess").status_code == 400       # the fifth since the success
    for app in (first, second):
        response = sign_in(app, PASSWORD)
        assert response.status_code == 429
        text = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(".nhsuk-error-summary")
        assert "Too many attempts to sign in" in text.get_text()


def test_a_correct_password_in_one_worker_clears_the_count_in_the_other(workers):
    first, second = workers
    for _ in range(4):
        sign_in(first, "a wrong guess")
    assert sign_in(second, PASSWORD).status_code == 302
    for _ in range(4):
        assert sign_in(first, "a wrong guess").status_code == 400
    assert sign_in(second, PASSWORD).status_code == 302


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_checking_and_signing_in_without_failures_write_nothing(tmp_path):
    limits = FailedSignIns(tmp_path)
    assert limits.wait("ann", "10.0.0.1") == 0
    limits.succeeded("ann")
    assert not (tmp_path / FILE_NAME).exists()


def test_expired_failures_are_dropped_from_the_file_and_stop_counting(tmp_path):
    clock = Clock()
    limits = FailedSignIns(tmp_path, per_user=2, window=300, clock=clock)
    limits.failed("ann", "10.0.0.1")
    limits.failed("ann", "10.0.0.1")
    assert limits.wait("ANN ", "10.0.0.9") == pytest.approx(300)
    clock.now += 301
    assert limits.wait("ann", "10.0.0.9") == 0
    limits.failed("bob", "10.0.0.2")
    saved = json.loads((tmp_path / FILE_NAME).read_text())
    assert set(saved["user"]) == {"bob"} and set(saved["address"]) == {"10.0.0.2"}


def test_a_username_keeps_only_as_many_failures_as_its_limit(tmp_path):
    limits = FailedSignIns(tmp_path, per_user=3, per_address=50, clock=Clock())
    for _ in range(10):
        limits.failed("ann", "10.0.0.1")
    saved = json.loads((tmp_path / FILE_NAME).read_text())
    assert len(saved["user"]["ann"]) == 3 and len(saved["address"]["10.0.0.1"]) == 10


def test_a_damaged_file_is_counted_afresh_instead_of_stopping_every_sign_in(tmp_path):
    (tmp_path / FILE_NAME).write_text("{not json")
    limits = FailedSignIns(tmp_path)
    assert limits.wait("ann", "10.0.0.1") == 0
    limits.failed("ann", "10.0.0.1")
    assert json.loads((tmp_path / FILE_NAME).read_text())["user"]["ann"]


def test_a_failure_that_cannot_be_counted_refuses_instead_of_going_uncounted(tmp_path):
    limits = FailedSignIns(tmp_path, lock_timeout=0.1)
    with FileLock(str(tmp_path / FILE_NAME) + ".lock"):       # another worker stuck while writing
        with pytest.raises(SignInBusy, match="Signing in is busy"):
            limits.failed("ann", "10.0.0.1")
    limits.failed("ann", "10.0.0.1")
    assert json.loads((tmp_path / FILE_NAME).read_text())["user"]["ann"]


def test_a_sign_in_whose_failure_cannot_be_counted_is_told_the_service_is_busy(workers, tmp_path):
    app, _ = workers
    folder = app.extensions["repo_engine"].paths.site_data
    app.extensions["repo_engine_sign_in_limits"] = FailedSignIns(folder, lock_timeout=0.1)
    with FileLock(str(folder / FILE_NAME) + ".lock"):
        client = app.test_client()
        response = client.post("/sign-in", data={"username": "ann", "password": "a wrong guess"})
    assert response.status_code == 503
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.select_one("main h1").get_text(strip=True) == "The service is busy"
    assert "Signing in is busy at the moment. Wait a minute and try again." in page.select_one("main").get_text()
    assert client.get("/closed/project/").status_code == 302        # still not signed in
