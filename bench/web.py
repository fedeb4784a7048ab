"""Web benchmark: browse, search and submit throughput under gunicorn at 10k QI projects, beside a floor.

The floor is a bare Flask + Jinja page of the same size (a 25-row table, about 26 KB) served by the same
gunicorn settings in the same run, so the ratio says what the engine costs above Flask itself on this machine.
Load is generated on 127.0.0.1 only, bounded in time and in request count (wrk when installed, else a small
Python multi-process client). Submissions go through the real form with CSRF on: the token and the session
cookie of a signed-in contributor are fetched once, then re-posted (Flask-WTF tokens stay valid for hours
within one session).

    .venv/bin/python bench/web.py [--records 10000] [--seconds 10]
"""
from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from web_load import Result, run_load  # noqa: E402  (modules beside this file)
from web_data import fill_store, find_qi_instance, form_values  # noqa: E402

WORKERS = 2
TARGETS = {"browse": 0.5, "search": 0.3}
BENCH_USER, BENCH_PASSWORD = "bench", "bench-only-password-on-127.0.0.1"
#: Pages of the browse listing cycled through for the "every page" row: more than the kept bodies (256), so
#: each request renders its page afresh, as for a reader paging through results nobody else has opened.
CYCLED_PAGES = 300


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


def free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app_spec: str, env: dict[str, str]) -> Server:
    """The production serving command with the settings both apps share: 2 sync workers on 127.0.0.1."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(WORKERS), "--worker-class", "sync",
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


def warm(url: str, times: int = 2 * WORKERS * 3) -> int:
    """Let every worker load its data and compile its templates before timing; returns the page size."""
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


def signed_in_session(base: str, new_url: str) -> tuple[str, str]:
    """The session cookie and CSRF token a contributor's browser holds after signing in and opening the form."""
    with urllib.request.urlopen(base + "/sign-in", timeout=30) as response:
        cookie, token = _cookie(response), _token(response.read().decode(), base + "/sign-in")
    body = urllib.parse.urlencode({"csrf_token": token, "username": BENCH_USER, "password": BENCH_PASSWORD})
    request = urllib.request.Request(base + "/sign-in", data=body.encode(), headers={"Cookie": cookie})
    try:
        urllib.request.build_opener(_Stay).open(request, timeout=30)
        raise SystemExit("signing in did not redirect: see the server's log above")
    except urllib.error.HTTPError as answer:
        if answer.code not in (302, 303):
            raise SystemExit(f"signing in answered {answer.code}") from None
        cookie = _cookie(answer)
    with urllib.request.urlopen(urllib.request.Request(new_url, headers={"Cookie": cookie}), timeout=30) as response:
        # The form's CSRF token is kept in the session, so opening it may re-issue the cookie.
        return _cookie(response) or cookie, _token(response.read().decode(), new_url)


def add_contributor(data: str, instance) -> None:
    """The person whose submissions are timed: a contributor in the benchmarked instance."""
    from engine.access.accounts import Accounts
    accounts = Accounts(Path(data))
    accounts.add(BENCH_USER, password=BENCH_PASSWORD, name="Bench Contributor")
    accounts.grant(BENCH_USER, instance.name, "contributor")


def page_urls(browse: str, rtype) -> dict[str, str]:
    """Browse as people use it (one facet filter and a column sort) and a one-word search."""
    facet = next(name for name in rtype.listing.facets if name != "status")
    value = rtype.field(facet).choice_values[0]
    return {
        "browse": f"{browse}?{urllib.parse.urlencode({facet: value, 'sort': rtype.record_title})}",
        "search": f"{browse}?q=discharge",
    }


def submission_body(rtype, token: str) -> str:
    """The fields a user fills on the new-project form: the required ones, in the form's own field names."""
    return urllib.parse.urlencode([("csrf_token", token), *form_values(rtype, random.Random(7))], doseq=True)


def row(name: str, result: Result, floor_rps: float | None, size: int | None) -> str:
    ratio = f"{result.rps / floor_rps:5.2f}x" if floor_rps else "   - "
    target = TARGETS.get(name)
    verdict = "" if target is None else ("ok" if result.rps >= target * floor_rps else f"BELOW {target}x")
    kb = f"{size / 1024:6.1f}" if size else "     -"
    return (f"{name:<12} {result.rps:9.1f} {result.median_ms:9.1f} {result.p95_ms:9.1f} {ratio:>7} {kb} "
            f"{result.requests:8d} {result.errors:6d}  {result.client:<13} {verdict}"
            f"{'  (stopped at the request cap: rate understated)' if result.capped else ''}")


def measure(floor: Server, engine: Server, instance, rtype, load: dict) -> dict[str, tuple[Result, int | None]]:
    """The floor before and after the engine's pages (the machine is shared: this brackets its drift),
    then submissions, which change the data and so come last."""
    browse = f"{engine.base}/{instance.name}/{rtype.name}/"
    urls = {"floor": floor.base + "/", **page_urls(browse, rtype), "floor, again": floor.base + "/"}
    results = {}
    for name, url in urls.items():
        size = warm(url)
        results[name] = (run_load(url, **load), size)
    path = urllib.parse.urlsplit(browse).path
    paths = [f"{path}?sort={rtype.record_title}&page={n}" for n in range(1, CYCLED_PAGES + 1)]
    size = warm(browse + "?" + paths[-1].split("?", 1)[1], times=1)     # the last page exists: not a short "past the end" page
    results["every page"] = (run_load(browse, paths=paths, **load), size)
    cookie, token = signed_in_session(engine.base, browse + "new")
    results["submit"] = (run_load(browse + "new", method="POST", body=submission_body(rtype, token),
                                  cookie=cookie, **{**load, "max_requests": min(load["max_requests"], 2_000)}),
                         None)
    return results


def report(results: dict[str, tuple[Result, int | None]], args) -> float:
    """Print the table; returns the floor's rate (the mean of its two runs)."""
    floor_rps = (results["floor"][0].rps + results["floor, again"][0].rps) / 2
    print(f"\n{args.records} records, gunicorn {WORKERS} sync workers, {args.connections} connections, "
          f"{args.seconds:g} s each, on 127.0.0.1; floor = mean of its two runs, {floor_rps:.1f} req/s")
    print("browse and search repeat one URL, as for a popular listing; 'every page' cycles through "
          f"{CYCLED_PAGES} pages of the browse listing, so none is served from kept bodies")
    print(f"{'page':<12} {'req/s':>9} {'p50 ms':>9} {'p95 ms':>9} {'floor':>7} {'KB':>6} {'requests':>8} "
          f"{'errors':>6}  {'load by':<13} target")
    for name, (result, size) in results.items():
        print(row(name, result, None if name.startswith("floor") else floor_rps, size))
    return floor_rps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each measurement")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=50_000, help="per measurement, whichever comes first")
    args = parser.parse_args(argv)
    load = dict(seconds=args.seconds, connections=args.connections, max_requests=args.max_requests)

    with tempfile.TemporaryDirectory(prefix="bench-web-") as data:
        env = {"REPO_ENGINE_SCHEMAS": str(ROOT / "schemas"), "REPO_ENGINE_INSTANCES": str(ROOT / "instances"),
               "REPO_ENGINE_DATA": data}
        instance, rtype = find_qi_instance(env)
        started = time.perf_counter()
        fill_store(env, instance, rtype, args.records)
        add_contributor(data, instance)
        print(f"{args.records} {rtype.name} records written in {time.perf_counter() - started:.1f} s", flush=True)
        servers = [start_gunicorn("web_floor:create_floor_app()", {}), start_gunicorn("engine:create_app()", env)]
        try:
            results = measure(*servers, instance, rtype, load)
            written = stored_count(env, instance, rtype) - args.records
        finally:
            for server in servers:
                server.stop()
    floor_rps = report(results, args)
    failed = [name for name, target in TARGETS.items() if results[name][0].rps < target * floor_rps]
    submitted = results["submit"][0].requests - results["submit"][0].errors
    if written < submitted:     # a redirect to the sign-in page would look like a successful post
        print(f"submit: {submitted} posts were answered with a redirect but only {written} records were made")
        return 1
    return 1 if failed else 0


def stored_count(env: dict[str, str], instance, rtype) -> int:
    from engine.config import Paths
    from engine.store import Stores
    stores = Stores(Paths.from_env(env["REPO_ENGINE_SCHEMAS"], env["REPO_ENGINE_INSTANCES"],
                                   env["REPO_ENGINE_DATA"]))
    try:
        return stores.get(instance, rtype).count()
    finally:
        stores.close()


if __name__ == "__main__":
    sys.exit(main())
