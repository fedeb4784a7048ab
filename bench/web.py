"""Web benchmark: browse, search and submit throughput under gunicorn at 10k QI projects, beside a floor;
a mixed load of reads and submissions beside the same reads alone; worker memory, under saves too.

The floor is a bare Flask + Jinja page of the same size (a 25-row table, about 26 KB) served by the same
gunicorn settings in the same run, so the ratio says what the engine costs above Flask itself on this machine.
Load is generated on 127.0.0.1 only, bounded in time and in request count (wrk when installed, else a small
Python multi-process client). Submissions go through the real form with CSRF on: the token and the session
cookie of a signed-in contributor are fetched once, then re-posted (Flask-WTF tokens stay valid for hours
within one session).

The mixed load: ``--clients`` connections going through browse pages, searches and record pages, with 3% of
the requests a submission of the new-record form; the read-only load is the same reads without them. Each is
run ``--runs`` times, alternately, and the medians compared. Worker memory is each gunicorn worker's VmRSS
after start-up and the first pages, after the mixed loads, and after ``--saves`` saves (edits through the
real edit form by a signed-in editor, so the repository stays at its size while every save is written).
``--only pages`` stops after the single-page rows.

With ``--database postgresql://...`` the single-page rows are measured on PostgreSQL too, and compared
(PostgreSQL's median latency over the embedded store's, each row). Both sites are served at once and measured
alternately, in ``--rounds`` rounds of the embedded store's rows then PostgreSQL's (the other way round every
other round), so that the drift of this shared machine's load weighs on both alike: each table shows the
medians over the rounds, and each row's ratio is the median of the rounds' own ratios (each round's measured
back to back, and shown too). The submit rows of all the rounds add at most about 2,000 records to each site.
The PostgreSQL site is a schema of its own in that database, filled from the same generated site by
``repo-engine migrate-data --to`` before either is served, and dropped at the end whatever ends the run. Two
gunicorn masters serve it, each with its own empty data folder and ``--workers`` workers, the load's
connections shared out between them; before any timing, a record submitted through each master must be on
the other's browse page. The mixed load, the saves and worker memory are the embedded store's only, measured
after the rounds.

    .venv/bin/python bench/web.py [--records 10000] [--seconds 10] [--clients 50] [--saves 10000]
                                  [--only pages] [--database postgresql://postgres@127.0.0.1:5432/postgres]
                                  [--rounds 3]
"""
from __future__ import annotations

import argparse
import html
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from web_load import Call, Result, run_lanes, run_load, with_posts  # noqa: E402  (modules beside this file)
from web_data import TOPICS, edit_pairs, fill_store, find_qi_instance, form_values  # noqa: E402
from scratch_schema import scratch_site  # noqa: E402

TARGETS = {"browse": 0.5, "search": 0.3}
MIXED_THROUGHPUT_TARGET = 0.7       # mixed req/s / read-only req/s, at least
MIXED_P99_TARGET = 3.0              # mixed p99 / read-only p99, at most
MEMORY_TARGET = 1.2                 # worker RSS after the saves / before, at most
POSTGRES_TARGET = 1.5               # PostgreSQL's median latency / the embedded store's, each page, at most
POSTGRES_MASTERS = 2
SUBMISSIONS = 2_000                 # the submit row's requests over all its rounds, about: how much a site grows
DATABASE_ENV = "REPO_ENGINE_DATABASE_URL"
POST_SHARE = 0.03
#: What readers open in the mixed load, and how often: listings (facet filters, a column sort, later pages),
#: searches and record pages.
READ_SHARES = {"browse": 0.50, "search": 0.25, "record": 0.25}
BENCH_USER, BENCH_PASSWORD = "bench", "bench-only-password-on-127.0.0.1"
BENCH_EDITOR = "bench-editor"
#: Pages of the browse listing cycled through for the "every page" row: more than the kept bodies (256), so
#: each request renders its page afresh, as for a reader paging through results nobody else has opened.
CYCLED_PAGES = 300
SAVE_BATCHES = 5


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen
    base: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass(frozen=True)
class Site:
    """The engine's site as its readers reach it: one gunicorn master, or several serving one database."""
    servers: tuple[Server, ...]

    @property
    def base(self) -> str:
        return self.servers[0].base

    @property
    def bases(self) -> list[str]:
        return [server.base for server in self.servers]

    def warm(self, path: str, times: int = 12) -> int:
        return max(warm(base + path, times) for base in self.bases)

    def load(self, path: str, **load) -> Result:
        """A load of ``path`` (or of ``paths``/``calls``), its connections shared out between the masters."""
        return run_load(self.base + path, servers=self.bases if len(self.servers) > 1 else (), **load)


def free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app_spec: str, env: dict[str, str], workers: int) -> Server:
    """The production serving command with the settings both apps share: sync workers on 127.0.0.1."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--worker-class", "sync",
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--pythonpath", f"{ROOT},{ROOT / 'bench'}",
               app_spec]
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=5).read()
            return Server(process, base)
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn {app_spec} exited with {process.returncode}")
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn {app_spec} did not answer within 60 s")


def warm(url: str, times: int = 12) -> int:
    """Let the workers load their data and compile their templates before timing; returns the page size."""
    size = 0
    for _ in range(times):
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                size = len(response.read())
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{url} answered {error.code}: see the server's log above") from None
    return size


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):        # keep the sign-in answer's cookie: do not follow it
        return None


def _token(html: str, url: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    if not match:
        raise SystemExit(f"no csrf_token field on {url}")
    return match.group(1)


def _cookie(response) -> str:
    return "; ".join(c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or [])


def posted(url: str, body: str, cookie: str, doing: str) -> urllib.error.HTTPError:
    """Post a form as a browser does; the redirect that answers a successful post, not followed."""
    request = urllib.request.Request(url, data=body.encode(), headers={"Cookie": cookie})
    try:
        urllib.request.build_opener(_Stay).open(request, timeout=30)
    except urllib.error.HTTPError as answer:
        if answer.code not in (302, 303):
            raise SystemExit(f"{doing} answered {answer.code}") from None
        return answer
    raise SystemExit(f"{doing} did not redirect: see the server's log above")


def signed_in_session(base: str, form_url: str, username: str = BENCH_USER) -> tuple[str, str]:
    """The session cookie and CSRF token a person's browser holds after signing in and opening a form."""
    with urllib.request.urlopen(base + "/sign-in", timeout=30) as response:
        cookie, token = _cookie(response), _token(response.read().decode(), base + "/sign-in")
    body = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": BENCH_PASSWORD})
    cookie = _cookie(posted(base + "/sign-in", body, cookie, "signing in"))
    with urllib.request.urlopen(urllib.request.Request(form_url, headers={"Cookie": cookie}), timeout=30) as response:
        # The form's CSRF token is kept in the session, so opening it may re-issue the cookie.
        return _cookie(response) or cookie, _token(response.read().decode(), form_url)


def add_people(data: str, instance) -> None:
    """Whose requests are timed: a contributor who submits, and an editor who edits anyone's records."""
    from engine.access.accounts import Accounts
    accounts = Accounts(Path(data))
    for username, name, role in ((BENCH_USER, "Bench Contributor", "contributor"),
                                 (BENCH_EDITOR, "Bench Editor", "editor")):
        accounts.add(username, password=BENCH_PASSWORD, name=name)
        accounts.grant(username, instance.name, role)


def page_paths(browse: str, rtype) -> dict[str, str]:
    """Browse as people use it (one facet filter and a column sort), a one-word search, and a record's page
    (its history, files and discussion)."""
    from engine.store.documents import format_reference
    facet = next(name for name in rtype.listing.facets if name != "status")
    value = rtype.field(facet).choice_values[0]
    return {
        "browse": f"{browse}?{urllib.parse.urlencode({facet: value, 'sort': rtype.record_title})}",
        "search": f"{browse}?q=discharge",
        "record": browse + format_reference(rtype.reference_prefix, 1),
    }


def submission_body(rtype, token: str, title: str | None = None) -> str:
    """The fields a user fills on the new-project form: the required ones, in the form's own field names;
    with ``title``, that as the record's title."""
    pairs = form_values(rtype, random.Random(7))
    if title is not None:
        pairs = [pair for pair in pairs if pair[0] != rtype.record_title] + [(rtype.record_title, title)]
    return urllib.parse.urlencode([("csrf_token", token), *pairs], doseq=True)


def check_one_site(site: Site, instance, rtype, workers: int) -> int:
    """Before any timing: a record submitted through each master is on the next one's browse page, or the run
    stops here. That page is opened there before the save and asked for again after it, twice per worker (the
    workers take turns as the kernel hands them connections), so that pages kept from before the save are
    met too. The masters then serve one site: one database, one secret key, no page kept past a save made
    elsewhere. Returns the records made."""
    browse = f"/{instance.name}/{rtype.name}/"
    for here, there in zip(site.servers, site.servers[1:] + site.servers[:1]):
        cookie, token = signed_in_session(here.base, here.base + browse + "new")
        warm(there.base + browse, times=2 * workers)
        title = f"Same site check {uuid.uuid4().hex[:12]}"
        posted(here.base + browse + "new", submission_body(rtype, token, title), cookie,
               f"submitting a record through {here.base}")
        for _ in range(2 * workers):
            request = urllib.request.Request(there.base + browse, headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=30) as response:
                if html.escape(title) not in response.read().decode():
                    raise SystemExit(f"not one site: the record '{title}' submitted through {here.base} is not "
                                     f"on the browse page of {there.base} ({there.base}{browse})")
    print("one site: a record submitted through each master is on the other's browse page", flush=True)
    return len(site.servers)


def read_calls(path: str, rtype, records: int, length: int = 1000, seed: int = 11) -> list[Call]:
    """``length`` reads of the browse listing at ``path``, its searches and its records, in READ_SHARES."""
    from engine.store.documents import format_reference
    rng = random.Random(seed)
    facet = next(name for name in rtype.listing.facets if name != "status")
    urlencode = urllib.parse.urlencode
    kinds = {
        "browse": [f"{path}?{urlencode({facet: value, 'sort': rtype.record_title})}"
                   for value in rtype.field(facet).choice_values] + [f"{path}?page={n}" for n in range(1, 21)],
        "search": [f"{path}?{urlencode({'q': word})}" for word in TOPICS[:12]],
        "record": [path + format_reference(rtype.reference_prefix, rng.randint(1, records)) for _ in range(300)],
    }
    picked = rng.choices(list(READ_SHARES), weights=list(READ_SHARES.values()), k=length)
    return [Call(rng.choice(kinds[kind])) for kind in picked]


def edit_lanes(path: str, rtype, docs: list[dict], saves: int, lanes: int, cookie: str, token: str
               ) -> list[list[Call]]:
    """``saves`` posts of the edit form, going through the records in turn (the version each expects follows
    from how often the record was edited before), a record always in the same lane so its edits keep order."""
    title = rtype.field(rtype.record_title)
    calls: list[list[Call]] = [[] for _ in range(lanes)]
    for save in range(saves):
        number, version = save % len(docs) + 1, save // len(docs) + 1
        doc = docs[number - 1]
        values = {**doc, title.name: f"{doc[title.name]} (revision {version + 1})"[: title.max_length or 250]}
        body = urllib.parse.urlencode([("csrf_token", token), ("version", str(version)),
                                       *edit_pairs(rtype, values)])
        calls[(number - 1) % lanes].append(Call(f"{path}{doc['reference']}/edit", "POST", body, cookie))
    return calls


def worker_memory(master: int) -> dict[int, int]:
    """The resident memory (VmRSS, in kB) of each gunicorn worker, that is of each child of the master."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = dict(line.split(":", 1) for line in (entry / "status").read_text().splitlines() if ":" in line)
        except OSError:         # the process ended while being looked at
            continue
        if int(status.get("PPid", "0")) == master and "VmRSS" in status:
            found[int(entry.name)] = int(status["VmRSS"].split()[0])
    return dict(sorted(found.items()))


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


@dataclass(frozen=True)
class Medians:
    """A single-page row over several rounds, read as a Result is: its rate and latencies the medians of the
    rounds' (for one round, that round's own), its counts summed."""
    rps: float
    median_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int
    posts: int
    client: str
    capped: bool

    @classmethod
    def of(cls, results: list[Result]) -> Medians:
        middle = statistics.median
        return cls(middle(r.rps for r in results), middle(r.median_ms for r in results),
                   middle(r.p95_ms for r in results), middle(r.p99_ms for r in results),
                   sum(r.requests for r in results), sum(r.errors for r in results), sum(r.posts for r in results),
                   results[0].client, any(r.capped for r in results))


@dataclass
class Run:
    """What one run of the benchmark saw on one site: the single-page rows of each round, and (on the embedded
    store) the mixed loads, the saves and worker memory."""
    rounds: list[dict[str, tuple[Result, int | None]]] = field(default_factory=list)  # rows and page sizes
    loads: dict[str, list[Result]] = field(default_factory=dict)
    loads_memory: dict[str, list[int]] = field(default_factory=dict)     # workers' total RSS after each run
    memory: dict[str, dict[int, int]] = field(default_factory=dict)
    saves: list[tuple[Result, dict[int, int]]] = field(default_factory=list)    # per batch, and RSS after it
    disk: dict[str, int] = field(default_factory=dict)
    checked: int = 0        # records made by the check that several masters serve one site

    @property
    def pages(self) -> dict[str, tuple[Medians, int | None]]:
        """Each single-page row over the rounds, and its page size."""
        return {name: (Medians.of([rows[name][0] for rows in self.rounds]), size)
                for name, (_, size) in self.rounds[0].items()}

    @property
    def submitted(self) -> int:
        """The submissions answered with a redirect, on every round of the submit row and in the mixed loads."""
        return (sum(rows["submit"][0].posts for rows in self.rounds)
                + sum(r.posts for results in self.loads.values() for r in results))


def submissions_a_round(rounds: int) -> int:
    """The submit row's request cap in each of ``rounds``: a site grows by about SUBMISSIONS records at most."""
    return max(100, SUBMISSIONS // rounds)


def measure_pages(floor: Server, engine: Site, instance, rtype, load: dict, submissions: int, run: Run) -> None:
    """One round of the single-page rows: the floor before and after the engine's pages (the machine is
    shared: this brackets its drift), then at most ``submissions`` submissions, which change the data and so
    come last."""
    browse = f"/{instance.name}/{rtype.name}/"
    on_floor = Site((floor,))
    pages = {"floor": (on_floor, "/"), **{name: (engine, path) for name, path in page_paths(browse, rtype).items()},
             "floor, again": (on_floor, "/")}
    rows = {}
    for name, (site, path) in pages.items():
        size = site.warm(path)
        rows[name] = (site.load(path, **load), size)
    paths = [f"{browse}?sort={rtype.record_title}&page={n}" for n in range(1, CYCLED_PAGES + 1)]
    # The last page exists: not a short "past the end" page.
    size = engine.warm(paths[-1], times=1)
    rows["every page"] = (engine.load(browse, paths=paths, **load), size)
    cookie, token = signed_in_session(engine.base, engine.base + browse + "new")
    cap = min(load["max_requests"], submissions)
    rows["submit"] = (engine.load(browse + "new", method="POST", body=submission_body(rtype, token),
                                  cookie=cookie, **{**load, "max_requests": cap}), None)
    run.rounds.append(rows)


def measure_mixed(engine: Server, browse: str, rtype, reads: list[Call], args, run: Run) -> None:
    """The read-only load and the mixed one, alternately, ``args.runs`` times each."""
    cookie, token = signed_in_session(engine.base, engine.base + browse + "new")
    post = Call(browse + "new", "POST", submission_body(rtype, token), cookie)
    loads = {"read-only": reads, f"mixed, {POST_SHARE:.0%} posts": with_posts(reads, post, POST_SHARE)}
    run.loads, run.loads_memory = {name: [] for name in loads}, {name: [] for name in loads}
    for turn in range(args.runs):
        for name, calls in loads.items():
            print(f"  {name}, run {turn + 1} of {args.runs}", flush=True)
            run.loads[name].append(run_load(engine.base + "/", calls=calls, seconds=args.seconds,
                                            connections=args.clients, max_requests=args.max_requests,
                                            client=args.client))
            run.loads_memory[name].append(sum(worker_memory(engine.process.pid).values()))


def look_around(engine: Site, reads: list[Call], workers: int, requests: int = 400) -> None:
    """A few hundred reads (on each master) on a few connections, so that every worker has loaded, indexed
    and rendered."""
    masters = len(engine.servers)
    engine.load("/", calls=reads, seconds=60, connections=2 * workers * masters, max_requests=requests * masters,
                client="python")


def measure_saves(engine: Server, browse: str, rtype, docs: list[dict], args, run: Run) -> None:
    """The saves in a few batches, worker memory read after each (whether it levels off or keeps growing),
    all within ``args.save_seconds``."""
    cookie, token = signed_in_session(engine.base, f"{engine.base}{browse}{docs[0]['reference']}/edit",
                                      BENCH_EDITOR)
    lanes = edit_lanes(browse, rtype, docs, args.saves, args.save_clients, cookie, token)
    batches = max(1, min(SAVE_BATCHES, args.saves // 100))
    deadline = time.monotonic() + args.save_seconds
    for batch in range(batches):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        part = [lane[batch * len(lane) // batches:(batch + 1) * len(lane) // batches] for lane in lanes]
        run.saves.append((run_lanes(engine.base + "/", part, seconds=left), worker_memory(engine.process.pid)))


def saved(run: Run) -> int:
    return sum(result.posts for result, _ in run.saves)


def get_ready(site: Site, reads: list[Call], instance, rtype, args, run: Run) -> None:
    """Before any timing: every worker has loaded and rendered (its memory is noted then), and a site of
    several masters has shown it is one site."""
    look_around(site, reads, args.workers)
    run.memory["after start-up and first pages"] = worker_memory(site.servers[0].process.pid)
    if len(site.servers) > 1:
        run.checked = check_one_site(site, instance, rtype, args.workers)


def measure(floor: Server, sites: dict[str, Site], instance, rtype, docs: list[dict], args, repository: Path,
            pages_only: bool = False) -> list[Run]:
    """What each of ``sites`` (the embedded store's first) is measured at: each made ready, the single-page
    rows of each in turn, in ``args.rounds`` rounds when there are several sites (one round for one site), the
    order reversed every other round, then, unless ``pages_only``, the rest on the first site. A run per site,
    in the same order."""
    runs = [Run() for _ in sites]
    browse = f"/{instance.name}/{rtype.name}/"
    reads = read_calls(browse, rtype, len(docs))
    for (name, site), run in zip(sites.items(), runs):
        print("first pages" + (f": {name}" if len(sites) > 1 else ""), flush=True)
        get_ready(site, reads, instance, rtype, args, run)
    rounds = args.rounds if len(sites) > 1 else 1
    load = dict(seconds=args.seconds, connections=args.connections, max_requests=args.max_requests,
                client=args.client)
    for turn in range(rounds):
        order = list(zip(sites, sites.values(), runs))[::-1 if turn % 2 else 1]     # drift within a round cancels
        print("single pages" + (f", round {turn + 1} of {rounds}: {', then '.join(name for name, _, _ in order)}"
                                if rounds > 1 else ""), flush=True)
        for _, site, run in order:
            measure_pages(floor, site, instance, rtype, load, submissions_a_round(rounds), run)
    if not pages_only:
        measure_rest(next(iter(sites.values())), browse, rtype, reads, docs, args, repository, runs[0])
    return runs


def measure_rest(site: Site, browse: str, rtype, reads: list[Call], docs: list[dict], args, repository: Path,
                 run: Run) -> None:
    """After the single pages, on the site's first master: the mixed loads, then the saves; worker memory noted
    after each, and the repository folder's size before and after the saves."""
    engine = site.servers[0]
    master = engine.process.pid
    print(f"mixed load, {args.clients} clients", flush=True)
    measure_mixed(engine, browse, rtype, reads, args, run)
    look_around(site, reads, args.workers)
    run.memory["after the mixed loads"] = worker_memory(master)
    run.disk["before the saves"] = folder_size(repository)
    print(f"{args.saves} saves", flush=True)
    measure_saves(engine, browse, rtype, docs, args, run)
    look_around(site, reads, args.workers)
    run.memory[f"after {saved(run):,} saves"] = worker_memory(master)
    run.disk["after the saves"] = folder_size(repository)


def page_row(name: str, result: Medians, floor_rps: float | None, size: int | None) -> str:
    ratio = f"{result.rps / floor_rps:5.2f}x" if floor_rps else "   - "
    target = TARGETS.get(name)
    verdict = "" if target is None else ("ok" if result.rps >= target * floor_rps else f"BELOW {target}x")
    kb = f"{size / 1024:6.1f}" if size else "     -"
    return (f"{name:<12} {result.rps:9.1f} {result.median_ms:9.1f} {result.p95_ms:9.1f} {result.p99_ms:9.1f} "
            f"{ratio:>7} {kb} {result.requests:8d} {result.errors:6d}  {result.client:<13} {verdict}"
            f"{'  (stopped at the request cap: rate understated)' if result.capped else ''}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def floor_rate(run: Run) -> float:
    return (run.pages["floor"][0].rps + run.pages["floor, again"][0].rps) / 2


def report_pages(run: Run, args, served_by: str = "", masters: int = 1) -> list[str]:
    """The single-page table (medians over the rounds, if several); returns the names of the targets missed."""
    pages = run.pages
    floor_rps = floor_rate(run)
    print(f"\n{served_by}{args.records} records, gunicorn {workers_a_master(args, masters)} sync workers "
          f"a master, {args.connections} connections, "
          f"{args.seconds:g} s each, on 127.0.0.1; floor = mean of its two runs, {floor_rps:.1f} req/s")
    if len(run.rounds) > 1:
        print(f"medians of {len(run.rounds)} rounds, requests summed; the submit rows added "
              f"{pages['submit'][0].posts:,} records to the site (at most {submissions_a_round(len(run.rounds)):,} "
              "requests a round)")
    print("browse and search repeat one URL, as for a popular listing; 'every page' cycles through "
          f"{CYCLED_PAGES} pages of the browse listing, so none is served from kept bodies")
    print(f"{'page':<12} {'req/s':>9} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'floor':>7} {'KB':>6} "
          f"{'requests':>8} {'errors':>6}  {'load by':<13} target")
    for name, (result, size) in pages.items():
        print(page_row(name, result, None if name.startswith("floor") else floor_rps, size))
    return [name for name, target in TARGETS.items() if pages[name][0].rps < target * floor_rps]


def p50_ratios(embedded: Run, postgres: Run, name: str) -> list[float]:
    """Each round's PostgreSQL p50 of row ``name`` over the embedded store's, measured back to back."""
    return [theirs[name][0].median_ms / mine[name][0].median_ms if mine[name][0].median_ms else float("inf")
            for mine, theirs in zip(embedded.rounds, postgres.rounds)]


def report_postgres(embedded: Run, postgres: Run, args) -> list[str]:
    """Each single-page row on both stores (medians over the rounds), and PostgreSQL's median latency as a
    multiple of the embedded store's: the median of the rounds' ratios, and each of them; returns the rows
    that miss the target."""
    print(f"\nembedded store (1 gunicorn master) beside PostgreSQL ({POSTGRES_MASTERS} masters, the connections "
          f"shared out between them), {args.workers} sync workers a master (PostgreSQL's "
          f"{workers_a_master(args, POSTGRES_MASTERS)}), {args.connections} connections, "
          f"{len(embedded.rounds)} rounds of one store then the other, both served throughout; "
          f"target: PostgreSQL's median latency at most {POSTGRES_TARGET:g}x the embedded store's (the median of "
          "the rounds' ratios)")
    print(f"{'page':<12} {'embedded req/s':>14} {'p50 ms':>8} {'PostgreSQL req/s':>16} {'p50 ms':>8} "
          f"{'PG/embedded p50':>15}  {'each round':<22} target")
    missed = []
    for name, (mine, _) in embedded.pages.items():
        if name.startswith("floor"):
            continue
        theirs = postgres.pages[name][0]
        ratios = p50_ratios(embedded, postgres, name)
        ratio = statistics.median(ratios)
        ok = ratio <= POSTGRES_TARGET
        print(f"{name:<12} {mine.rps:14.1f} {mine.median_ms:8.1f} {theirs.rps:16.1f} {theirs.median_ms:8.1f} "
              f"{ratio:14.2f}x  {', '.join(f'{r:.2f}' for r in ratios):<22} "
              f"{'ok' if ok else f'ABOVE {POSTGRES_TARGET:g}x by {ratio - POSTGRES_TARGET:.2f}x'}")
        if not ok:
            missed.append(f"PostgreSQL {name}")
    print(f"the floor (one server for both; medians of the rounds): {floor_rate(embedded):.1f} req/s beside the "
          f"embedded store, {floor_rate(postgres):.1f} beside PostgreSQL")
    return missed


def report_mixed(run: Run, args) -> list[str]:
    """The mixed load beside the read-only one (medians of the runs); returns the names of the targets missed."""
    print(f"\n{args.clients} clients, {args.seconds:g} s each, {args.runs} runs of each load alternately, medians; "
          f"reads: {', '.join(f'{share:.0%} {kind}' for kind, share in READ_SHARES.items())}")
    print(f"{'load':<18} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'requests':>8} {'errors':>6} {'posts':>6}  "
          f"{'req/s of each run':<20} {'workers MB after each':<22} load by")
    medians = {}
    for name, results in run.loads.items():
        rps = statistics.median(r.rps for r in results)
        p99 = statistics.median(r.p99_ms for r in results)
        medians[name] = (rps, p99)
        print(f"{name:<18} {rps:9.1f} {statistics.median(r.median_ms for r in results):9.1f} {p99:9.1f} "
              f"{sum(r.requests for r in results):8d} {sum(r.errors for r in results):6d} "
              f"{sum(r.posts for r in results):6d}  {', '.join(f'{r.rps:.0f}' for r in results):<20} "
              f"{', '.join(f'{kb / 1024:.0f}' for kb in run.loads_memory[name]):<22} {results[0].client}")
    (read_rps, read_p99), (mixed_rps, mixed_p99) = medians.values()
    throughput, latency = mixed_rps / read_rps if read_rps else 0.0, mixed_p99 / read_p99 if read_p99 else 0.0
    missed = []
    for label, value, ok, target in (
            ("mixed / read-only throughput", throughput, throughput >= MIXED_THROUGHPUT_TARGET,
             f">= {MIXED_THROUGHPUT_TARGET:g}x"),
            ("mixed / read-only p99", latency, latency <= MIXED_P99_TARGET, f"<= {MIXED_P99_TARGET:g}x")):
        print(f"{label:<30} {value:6.2f}x   target {target:<7} {verdict(ok)}")
        if not ok:
            missed.append(label)
    return missed


def report_saves(run: Run, args) -> None:
    """Each batch of saves: its rate and latency, and worker memory right after it."""
    made, taken = saved(run), sum(result.seconds for result, _ in run.saves)
    print(f"\nsaves: {made:,} of {args.saves:,} edits saved in {taken:.1f} s "
          f"({made / taken if taken else 0:.1f} a second) by {args.save_clients} clients"
          f"{'  (stopped at --save-seconds)' if sum(r.requests for r, _ in run.saves) < args.saves else ''}")
    print(f"{'saves so far':>12} {'saves/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}   worker RSS MB right after")
    so_far = 0
    for result, workers in run.saves:
        so_far += result.posts
        print(f"{so_far:12,} {result.posts / result.seconds if result.seconds else 0:8.1f} {result.median_ms:8.1f} "
              f"{result.p99_ms:8.1f} {result.errors:6d}   " + ", ".join(f"{kb / 1024:.1f}" for kb in workers.values()))
    print("repository folder on disk: " + ", ".join(f"{name} {size / 2**20:.1f} MB" for name, size in run.disk.items()))


def report_memory(run: Run, args) -> list[str]:
    """Worker memory at each point, and its growth over the saves; returns the names of the targets missed."""
    columns = " ".join(f"{'worker ' + str(n + 1):>9}" for n in range(args.workers))
    print(f"\n{'worker memory (VmRSS, MB)':<34} {columns} {'total':>9}")
    for moment, workers in run.memory.items():
        print(f"{moment:<34} " + " ".join(f"{kb / 1024:9.1f}" for kb in workers.values())
              + f" {sum(workers.values()) / 1024:9.1f}   pids {', '.join(map(str, workers))}")
    (_, before), (_, after) = list(run.memory.items())[-2:]
    if set(before) != set(after):
        print("a worker was replaced during the saves (see the server's log above): no growth to compare")
        return ["worker memory under saves"]
    growth = {pid: after[pid] / before[pid] for pid in before}
    total = sum(after.values()) / sum(before.values())
    ok = max([*growth.values(), total]) <= MEMORY_TARGET
    print(f"{'after / before the saves':<34} " + " ".join(f"{ratio:8.2f}x" for ratio in growth.values())
          + f" {total:8.2f}x   target <= {MEMORY_TARGET:g}x   {verdict(ok)}")
    return [] if ok else ["worker memory under saves"]


def stored_totals(env: dict[str, str], instance, rtype) -> tuple[int, int]:
    """How many records the repository holds, and how many edits they have had between them."""
    from engine.config import Paths
    from engine.store import Stores
    stores = Stores(Paths(Path(env["REPO_ENGINE_SCHEMAS"]), Path(env["REPO_ENGINE_INSTANCES"]),
                          Path(env["REPO_ENGINE_DATA"]), env.get(DATABASE_ENV) or None))
    try:
        store = stores.get(instance, rtype)
        return store.count(), sum(record.version - 1 for record in store.iter_all())
    finally:
        stores.close()


def written_as_answered(run: Run, records: int, stored: tuple[int, int]) -> bool:
    """A redirect to the sign-in page would look like a successful post: check the saves were made."""
    made, submitted = stored[0] - records - run.checked, run.submitted
    fine = True
    if made < submitted:
        print(f"submissions: {submitted} posts were answered with a redirect but only {made} records were made")
        fine = False
    if stored[1] < saved(run):
        print(f"saves: {saved(run)} edits were answered with a redirect but the records show {stored[1]}")
        fine = False
    return fine


def workers_a_master(args, masters: int) -> int:
    """Each master's workers: ``--workers``, or for the PostgreSQL site's masters ``--database-workers``."""
    return args.workers if masters == 1 or args.database_workers is None else args.database_workers


@contextmanager
def served(envs: list[dict[str, str]], workers: int) -> Iterator[Site]:
    """A gunicorn master of the engine for each of ``envs`` (one site), stopped at the end whatever ends it."""
    servers: list[Server] = []
    try:
        for env in envs:
            servers.append(start_gunicorn("engine:create_app()", env, workers))
        yield Site(tuple(servers))
    finally:
        for server in servers:
            server.stop()


def serve_and_measure(floor: Server, sites: dict[str, list[dict[str, str]]], instance, rtype, docs: list[dict],
                      args, pages_only: bool) -> dict[str, tuple[Run, tuple[int, int]]]:
    """Serve each of ``sites`` (the environments of its masters), all at once, measure them (see ``measure``),
    stop them; for each, what was measured and the stored totals once they have stopped."""
    with ExitStack() as serving:
        live = {name: serving.enter_context(served(envs, workers_a_master(args, len(envs))))
                for name, envs in sites.items()}
        first = next(iter(sites.values()))[0]
        repository = Path(first["REPO_ENGINE_DATA"]) / instance.name / rtype.name
        runs = measure(floor, live, instance, rtype, docs, args, repository, pages_only)
    return {name: (run, stored_totals(envs[0], instance, rtype)) for (name, envs), run in zip(sites.items(), runs)}


def copy_into_database(env: dict[str, str], site: str) -> None:
    """The schema, then the whole generated site copied in, by the commands an operator runs."""
    command = str(Path(sys.executable).parent / "repo-engine")
    started = time.perf_counter()
    for what, extra in ((["db", "upgrade"], {DATABASE_ENV: site}), (["migrate-data", "--to", site, "--quiet"], {})):
        done = subprocess.run([command, *what], env={**os.environ, **env, **extra}, cwd=ROOT, capture_output=True,
                              text=True)
        if done.returncode:
            raise SystemExit(f"repo-engine {what[0]} failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    print(f"copied into PostgreSQL by repo-engine migrate-data in {time.perf_counter() - started:.1f} s: "
          f"{done.stdout.strip()}", flush=True)


def end_on_sigterm() -> None:
    """A terminated run ends as an interrupted one does, through every ``finally``: the database is cleaned up.
    (The load clients forked from this process put SIGTERM's default back: see web_load.)"""
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each measurement")
    parser.add_argument("--connections", type=int, default=4, help="for the single-page rows")
    parser.add_argument("--clients", type=int, default=50, help="connections of the mixed and read-only loads")
    parser.add_argument("--runs", type=int, default=3, help="runs of each of the mixed and read-only loads")
    parser.add_argument("--saves", type=int, default=10_000, help="edits saved for the memory check")
    parser.add_argument("--save-clients", type=int, default=4, help="connections the saves are made on")
    parser.add_argument("--save-seconds", type=float, default=300.0, help="at most this long for the saves")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers, for both apps")
    parser.add_argument("--max-requests", type=int, default=50_000, help="per measurement, whichever comes first")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto",
                        help="load generator: wrk when installed (auto), or the Python client")
    parser.add_argument("--only", choices=("all", "pages"), default="all",
                        help="pages: the single-page rows only (no mixed load, saves or memory)")
    parser.add_argument("--database", metavar="URL",
                        help="also measure the single-page rows on PostgreSQL, in a schema of its own made in "
                             "this database for the run (e.g. postgresql://postgres@127.0.0.1:5432/postgres)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="with --database: rounds of the single-page rows, each the embedded store's then "
                             "PostgreSQL's, both sites served throughout; the tables show the medians")
    parser.add_argument("--database-workers", type=int, metavar="N",
                        help="with --database: workers of each PostgreSQL master (default: --workers); "
                             f"--workers / {POSTGRES_MASTERS} gives the two sites as many workers each")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.database and args.connections % POSTGRES_MASTERS:
        parser.error(f"--connections must be a multiple of {POSTGRES_MASTERS} with --database")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.database:
        end_on_sigterm()
    pages_only = args.only == "pages"

    with tempfile.TemporaryDirectory(prefix="bench-web-") as data, ExitStack() as held:
        env = {"REPO_ENGINE_SCHEMAS": str(ROOT / "schemas"), "REPO_ENGINE_INSTANCES": str(ROOT / "instances"),
               "REPO_ENGINE_DATA": data}
        if args.database:       # so that no database of the caller's own environment is used instead
            env[DATABASE_ENV] = ""
        instance, rtype = find_qi_instance(env)
        started = time.perf_counter()
        docs = fill_store(env, instance, rtype, args.records)
        add_people(data, instance)
        print(f"{args.records} {rtype.name} records written in {time.perf_counter() - started:.1f} s", flush=True)
        sites = {"embedded store": [env]}
        if args.database:       # the site as generated, before any submission changes it
            scratch = held.enter_context(scratch_site(args.database))
            copy_into_database(env, scratch)
            sites["PostgreSQL"] = [
                {**env, "REPO_ENGINE_DATA": held.enter_context(tempfile.TemporaryDirectory(prefix="bench-web-pg-")),
                 DATABASE_ENV: scratch} for _ in range(POSTGRES_MASTERS)]
        floor = start_gunicorn("web_floor:create_floor_app()", {}, args.workers)
        held.callback(floor.stop)
        measured = serve_and_measure(floor, sites, instance, rtype, docs, args, pages_only)
    run, stored = measured["embedded store"]
    missed = report_pages(run, args, "embedded store: " if args.database else "")
    if not pages_only:
        missed += report_mixed(run, args)
        report_saves(run, args)
        missed += report_memory(run, args)
    fine = written_as_answered(run, args.records, stored)
    if args.database:
        postgres, postgres_stored = measured["PostgreSQL"]
        missed += [f"PostgreSQL {name}" for name in
                   report_pages(postgres, args, f"PostgreSQL, {POSTGRES_MASTERS} gunicorn masters: ", POSTGRES_MASTERS)]
        missed += report_postgres(run, postgres, args)
        fine = written_as_answered(postgres, args.records, postgres_stored) and fine
    return 0 if fine and not missed else 1


if __name__ == "__main__":
    sys.exit(main())
