"""Wrong passwords are counted once for the whole deployment: two apps on one data folder (as two gunicorn
workers) share the counts kept in ``sign-in-failures.json``. Too many from one address keeps that address out,
not the person whose username it is; many from everywhere slow that username down without locking it; and an
attempt is counted before its password is checked, so parallel guesses in several processes get no more checks
than the limit."""
from __future__ import annotations

import json
import multiprocessing
import threading
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from filelock import FileLock

from access_helpers import PASSWORD, add_account
from accesskit import make_site
from engine.web.app import create_app
from engine.web.auth.limits import FILE_NAME, FailedSignIns, MustWait, SignInBusy

ATTACKER, HOME = "203.0.113.7", "10.20.30.40"


@pytest.fixture
def workers(tmp_path):
    """Two apps on the same schemas, instances and data folder, as two worker processes would be."""
    first = make_site(tmp_path).app
    second = create_app({**first.config, "DATA": str(tmp_path / "data")})
    add_account(first, "ann", "editor", "closed", password=PASSWORD)
    yield first, second
    for app in (first, second):
        app.extensions["repo_engine"].close()


def sign_in(app, password: str, username: str = "ann", address: str = ATTACKER):
    return app.test_client().post("/sign-in", data={"username": username, "password": password},
                                  environ_base={"REMOTE_ADDR": address})


def problem(response) -> str:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return page.select_one(".nhsuk-error-summary").get_text(" ", strip=True)


def test_the_fifth_failure_across_both_workers_keeps_that_address_out(workers):
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
        assert "Too many attempts to sign in. Wait 5 minutes and try again" in problem(response)


def test_the_person_whose_username_is_guessed_still_signs_in_from_their_own_computer(workers):
    first, second = workers
    for _ in range(6):
        sign_in(first, "a wrong guess", address=ATTACKER)
    assert sign_in(second, PASSWORD, address=ATTACKER).status_code == 429
    assert sign_in(second, PASSWORD, address=HOME).status_code == 302
    assert sign_in(first, "another wrong guess", address=ATTACKER).status_code == 429     # still out


def test_a_correct_password_in_one_worker_clears_the_count_in_the_other(workers):
    first, second = workers
    for _ in range(4):
        sign_in(first, "a wrong guess")
    assert sign_in(second, PASSWORD).status_code == 302
    for _ in range(4):
        assert sign_in(first, "a wrong guess").status_code == 400
    assert sign_in(second, PASSWORD).status_code == 302


def test_correct_passwords_are_never_counted(workers):
    first, _ = workers
    for _ in range(6):                      # one more than a lock would allow
        assert sign_in(first, PASSWORD).status_code == 302
    assert json.loads((first.extensions["repo_engine"].paths.site_data / FILE_NAME).read_text()) == {}


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_guesses_spread_over_many_addresses_slow_the_username_down_without_locking_it(tmp_path):
    clock = Clock()
    limits = FailedSignIns(tmp_path, per_pair=5, per_username=6, window=300, clock=clock)
    for n in range(6):                      # one wrong guess from each of six addresses
        limits.reserve("ann", f"198.51.100.{n}")
    with pytest.raises(MustWait) as slowed:
        limits.reserve("ann", HOME)
    assert slowed.value.seconds == pytest.approx(50)       # 300 s shared among 6 attempts
    limits.reserve("bob", HOME)                             # other usernames are not slowed
    clock.now += 50
    limits.release(limits.reserve("ann", HOME))             # the real person's turn comes: not a failure
    limits.reserve("ann", "198.51.100.99")                  # the next guess is a failure
    with pytest.raises(MustWait):
        limits.reserve("ann", "198.51.100.98")              # so the one after waits its turn again
    clock.now += 50
    limits.reserve("ann", "198.51.100.98")


def test_the_slowed_username_is_told_to_wait_seconds_not_minutes(workers):
    first, _ = workers
    folder = first.extensions["repo_engine"].paths.site_data
    first.extensions["repo_engine_sign_in_limits"] = FailedSignIns(folder, per_username=6, clock=Clock())
    for n in range(6):
        assert sign_in(first, "a wrong guess", address=f"198.51.100.{n}").status_code == 400
    response = sign_in(first, PASSWORD, address=HOME)
    assert response.status_code == 429
    assert "Too many attempts to sign in. Wait 50 seconds and try again" in problem(response)


def test_one_address_guessing_many_usernames_is_kept_out_for_every_username(tmp_path):
    limits = FailedSignIns(tmp_path, per_address=4, clock=Clock())
    for name in ("ann", "bob", "cat", "dan"):
        limits.reserve(name, ATTACKER)
    with pytest.raises(MustWait) as refused:
        limits.reserve("eve", ATTACKER)
    assert refused.value.seconds == pytest.approx(300)
    limits.reserve("eve", HOME)


def test_an_attempt_refused_is_not_counted_so_the_wait_does_not_grow(tmp_path):
    clock = Clock()
    limits = FailedSignIns(tmp_path, per_pair=2, window=300, clock=clock)
    limits.reserve("ann", ATTACKER)
    limits.reserve("ann", ATTACKER)
    before = (tmp_path / FILE_NAME).read_bytes()
    for _ in range(3):
        clock.now += 90
        with pytest.raises(MustWait):
            limits.reserve("ann", ATTACKER)
    assert (tmp_path / FILE_NAME).read_bytes() == before
    clock.now += 31                         # 300 s after the first two, not after the refused ones
    limits.reserve("ann", ATTACKER)


def test_expired_attempts_are_dropped_from_the_file_and_stop_counting(tmp_path):
    clock = Clock()
    limits = FailedSignIns(tmp_path, per_pair=2, window=300, clock=clock)
    limits.reserve("ann", "10.0.0.1")
    limits.reserve("ANN ", "10.0.0.1")
    with pytest.raises(MustWait) as refused:
        limits.reserve("ann", "10.0.0.1")
    assert refused.value.seconds == pytest.approx(300)
    clock.now += 301
    limits.reserve("bob", "10.0.0.2")
    saved = json.loads((tmp_path / FILE_NAME).read_text())
    assert saved == {"pair": {"10.0.0.2 bob": [clock.now]}, "address": {"10.0.0.2": [clock.now]},
                     "user": {"bob": [clock.now]}}
    limits.reserve("ann", "10.0.0.1")


def test_a_count_keeps_only_as_many_attempts_as_its_limit(tmp_path):
    clock = Clock()
    limits = FailedSignIns(tmp_path, per_username=3, window=300, clock=clock)
    for n in range(3):
        limits.reserve("ann", f"10.0.0.{n}")
    clock.now += 100
    limits.reserve("ann", "10.0.0.9")               # the slowed username's next turn: four in the window
    saved = json.loads((tmp_path / FILE_NAME).read_text())
    assert saved["user"]["ann"] == [clock.now - 100] * 2 + [clock.now]


def test_a_damaged_file_is_counted_afresh_instead_of_stopping_every_sign_in(tmp_path):
    (tmp_path / FILE_NAME).write_text("{not json")
    limits = FailedSignIns(tmp_path)
    limits.reserve("ann", "10.0.0.1")
    assert json.loads((tmp_path / FILE_NAME).read_text())["user"]["ann"]


def test_an_attempt_that_cannot_be_counted_is_refused_instead_of_going_uncounted(tmp_path):
    limits = FailedSignIns(tmp_path, lock_timeout=0.1)
    with FileLock(str(tmp_path / FILE_NAME) + ".lock"):       # another worker stuck while writing
        with pytest.raises(SignInBusy, match="Signing in is busy"):
            limits.reserve("ann", "10.0.0.1")
    assert not (tmp_path / FILE_NAME).exists()
    limits.reserve("ann", "10.0.0.1")
    assert json.loads((tmp_path / FILE_NAME).read_text())["user"]["ann"]


def test_a_sign_in_whose_attempt_cannot_be_counted_is_told_the_service_is_busy(workers, monkeypatch):
    app, _ = workers
    folder = app.extensions["repo_engine"].paths.site_data
    app.extensions["repo_engine_sign_in_limits"] = FailedSignIns(folder, lock_timeout=0.1)
    checks = []
    monkeypatch.setattr(app.extensions["repo_engine"].accounts, "check_password",
                        lambda *args: checks.append(args))
    with FileLock(str(folder / FILE_NAME) + ".lock"):
        client = app.test_client()
        response = client.post("/sign-in", data={"username": "ann", "password": PASSWORD})
    assert response.status_code == 503
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.select_one("main h1").get_text(strip=True) == "The service is busy"
    assert "Signing in is busy at the moment. Wait a minute and try again." in page.select_one("main").get_text()
    assert checks == []                                             # the password was never tried
    assert client.get("/closed/project/").status_code == 302        # still not signed in


# -- parallel guesses in several worker processes ---------------------------------------------------------

WORKERS, THREADS = 4, 8


def _guess_in_a_worker(config: dict, start, checks, statuses) -> None:
    """One worker process: its own app on the shared data folder, eight threads sending a wrong password at
    once, every check of a password counted in ``checks`` (shared by all the processes)."""
    app = create_app(config)
    accounts = app.extensions["repo_engine"].accounts
    check = accounts.check_password

    def counted(username: str, password: str):
        with checks.get_lock():
            checks.value += 1
        return check(username, password)
    accounts.check_password = counted

    def guess() -> None:
        response = app.test_client().post("/sign-in", data={"username": "ann", "password": "a wrong guess"})
        statuses.put(response.status_code)
    threads = [threading.Thread(target=guess) for _ in range(THREADS)]
    start.wait(30)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)


@pytest.mark.slow
def test_parallel_guesses_in_four_processes_check_the_password_no_more_often_than_the_limit(workers, tmp_path):
    first, _ = workers
    config = {**first.config, "DATA": str(tmp_path / "data")}
    context = multiprocessing.get_context("fork")
    start, checks, statuses = context.Barrier(WORKERS), context.Value("i", 0), context.Queue()
    processes = [context.Process(target=_guess_in_a_worker, args=(config, start, checks, statuses))
                 for _ in range(WORKERS)]
    for process in processes:
        process.start()
    answers = Counter(statuses.get(timeout=120) for _ in range(WORKERS * THREADS))
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    assert checks.value == 5
    assert answers == {400: 5, 429: WORKERS * THREADS - 5}
    assert sign_in(first, PASSWORD, address="127.0.0.1").status_code == 429
    assert sign_in(first, PASSWORD, address=HOME).status_code == 302
