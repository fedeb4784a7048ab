"""A bounded HTTP load generator for bench/web.py: wrk when installed, else a Python multi-process client.

A load is a list of calls (a GET of a page, or a POST of a form body with a session cookie) that each
connection goes through in turn, from its own starting point; ``with_posts`` spreads posts among reads at a
given share. Both clients stop by themselves after ``seconds`` or ``max_requests``, whichever comes first,
and count as errors every response whose status is not the expected one (200 for pages, a redirect for a
successful submission; wrk, which cannot tell which call a response answers, accepts either for any call of
a mixed load, and counts the redirects as the successful posts). wrk always reports the full ``seconds`` as
its run time, so a run it cut short at ``max_requests`` is marked ``capped`` (its rate would be understated);
loads of nothing but posts, which must stay few, use the Python client, whose clock stops with the last
request. ``run_lanes`` makes each of a list of calls exactly once, a list per connection, in order. A load
may be spread over several servers of one site (``servers``): its connections are shared out evenly between
them (wrk: a thread per server), and its latencies counted together.
"""
from __future__ import annotations

import http.client
import math
import multiprocessing
import random
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from typing import Sequence

WRK_SCRIPT = """
local threads = {}
local limit = %(limit)d
local expected = {%(expected)s}
local calls = {%(calls)s}
local servers = {%(servers)s}
function setup(thread)
  table.insert(threads, thread)
  local server = servers[#threads]
  if server then
    thread.addr = wrk.lookup(server[1], server[2])[1]
    thread:set("host", server[1] .. ":" .. server[2])
  end
end
function init(args)
  bad = 0
  count = 0
  capped = 0
  posted = 0
  turn = 0
end
function request()
  turn = turn %% #calls + 1
  local call = calls[turn]
  if host then call[4]["Host"] = host end
  return wrk.format(call[1], call[2], call[4], call[3])
end
function response(status, headers, body)
  count = count + 1
  if not expected[status] then bad = bad + 1 end
  if status == 302 or status == 303 then posted = posted + 1 end
  if count >= limit then capped = 1; wrk.thread:stop() end
end
function done(summary, latency, requests)
  local bad, capped, posted = 0, 0, 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("bad"); capped = capped + t:get("capped"); posted = posted + t:get("posted")
  end
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    bad + e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), capped, posted))
end
"""


@dataclass(frozen=True)
class Call:
    """One request of a load: a page read, or a form posted with the poster's session cookie."""
    path: str
    method: str = "GET"
    body: str | None = None
    cookie: str | None = None

    @property
    def expected(self) -> tuple[int, ...]:
        return (302, 303) if self.method == "POST" else (200,)

    def headers(self) -> dict[str, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if self.body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers


def with_posts(reads: Sequence[Call], post: Call, share: float, length: int = 1000, seed: int = 3) -> list[Call]:
    """``length`` calls going through ``reads`` in order, with ``post`` in place of a read at ``share`` of the
    places, chosen at random (seeded): so that each connection, starting at its own place and making only a
    few requests in a short run, meets posts at that share too, on average."""
    places = set(random.Random(seed).sample(range(length), round(share * length)))
    calls, following = [], 0
    for place in range(length):
        if place in places:
            calls.append(post)
        else:
            calls.append(reads[following % len(reads)])
            following += 1
    return calls


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    errors: int
    median_ms: float
    p95_ms: float
    p99_ms: float
    client: str
    capped: bool = False
    posts: int = 0          # posts answered with a redirect: the saves made

    @property
    def rps(self) -> float:
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in per cent) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


def lua_string(text: str | None) -> str:
    return "nil" if text is None else "[==[" + text + "]==]"


def run_load(url: str, *, seconds: float, connections: int, max_requests: int, method: str = "GET",
             body: str | None = None, cookie: str | None = None, paths: list[str] | None = None,
             calls: Sequence[Call] | None = None, client: str = "auto", servers: Sequence[str] = ()) -> Result:
    """Load ``url``; or with ``paths`` each of those paths, or with ``calls`` each of those calls (on ``url``'s
    server) in turn. ``client``: "wrk", "python", or "auto" (wrk when installed, unless every call posts).
    ``servers``: the base URLs of several servers of one site, to spread the connections over in place of
    ``url``'s server alone (as many connections to each)."""
    if calls is None:
        parts = urllib.parse.urlsplit(url)
        calls = [Call(path, method, body, cookie)
                 for path in paths or [parts.path + (f"?{parts.query}" if parts.query else "")]]
    if client == "auto":
        client = "wrk" if shutil.which("wrk") and any(call.method != "POST" for call in calls) else "python"
    bases = list(servers) or [url]
    if connections % len(bases):
        raise ValueError(f"{connections} connections cannot be spread evenly over {len(bases)} servers")
    if client == "wrk":
        return _wrk(url, calls, seconds, connections, max_requests, bases if len(bases) > 1 else [])
    share = max(1, max_requests // connections)
    return _python([(bases[turn % len(bases)], calls, turn * len(calls) // connections, share)
                    for turn in range(connections)], seconds)


def run_lanes(url: str, lanes: Sequence[Sequence[Call]], *, seconds: float) -> Result:
    """Each lane's calls once, in order, on a connection of its own (Python client); stops after ``seconds``."""
    return _python([(url, lane, 0, len(lane)) for lane in lanes if lane], seconds)


def _wrk(url: str, calls: Sequence[Call], seconds: float, connections: int, max_requests: int,
         servers: Sequence[str]) -> Result:
    """One wrk run; with ``servers``, a thread per server (wrk shares the connections out between its threads,
    and keeps one latency histogram for them all)."""
    expected = sorted({status for call in calls for status in call.expected})
    listed = ", ".join("{%s, %s, %s, {%s}}" % (lua_string(call.method), lua_string(call.path), lua_string(call.body),
                                                ", ".join(f'["{name}"] = {lua_string(value)}'
                                                          for name, value in call.headers().items()))
                       for call in calls)
    where, threads = [urllib.parse.urlsplit(server) for server in servers], len(servers) or 1
    script = WRK_SCRIPT % dict(limit=max(1, max_requests // threads), calls=listed,      # a count per thread
                               expected=", ".join(f"[{s}] = true" for s in expected),
                               servers=", ".join(f'{{"{w.hostname}", "{w.port}"}}' for w in where))
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
                   "-s", lua.name, url]
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("RESULT "))
    requests, duration_us, errors, p50_us, p95_us, p99_us, capped, posted = map(int, line.split()[1:])
    return Result(requests, duration_us / 1e6, errors, p50_us / 1000, p95_us / 1000, p99_us / 1000, "wrk",
                  bool(capped), posted)


def _python(jobs: list[tuple[str, Sequence[Call], int, int]], seconds: float) -> Result:
    """``jobs``: per connection, the URL of its server, the calls, where in them it starts, and how many
    requests it may make."""
    work = []
    for url, calls, start, limit in jobs:
        parts = urllib.parse.urlsplit(url)
        work.append((parts.hostname, parts.port, calls, start, limit, seconds))
    # The clients end at once when the pool terminates them, whatever handler the caller has for SIGTERM: one
    # that ran Python code in them could end one holding the pool's queue lock, and the others would wait on it.
    with multiprocessing.Pool(len(work), initializer=signal.signal, initargs=(signal.SIGTERM, signal.SIG_DFL)) as pool:
        done = pool.map(_client, work)
    elapsed = max(taken for _, _, _, taken in done)
    latencies = [ms for part, _, _, _ in done for ms in part]
    return Result(len(latencies), elapsed, sum(bad for _, bad, _, _ in done),
                  statistics.median(latencies) if latencies else 0.0, percentile(latencies, 95),
                  percentile(latencies, 99), "python client", posts=sum(posted for _, _, posted, _ in done))


def _client(job) -> tuple[list[float], int, int, float]:
    """One connection's worth of load: new connection per request, as gunicorn's sync workers close them.
    Returns the latencies, the unexpected answers, the posts answered as expected and the time taken."""
    host, port, calls, start, limit, seconds = job
    latencies, bad, posted = [], 0, 0
    began = time.perf_counter()
    deadline = began + seconds
    while time.perf_counter() < deadline and len(latencies) < limit:
        call = calls[(start + len(latencies)) % len(calls)]
        sent = time.perf_counter()
        connection = http.client.HTTPConnection(host, port, timeout=10)
        try:
            connection.request(call.method, call.path, body=call.body, headers=call.headers())
            response = connection.getresponse()
            response.read()
            fine = response.status in call.expected
            bad += not fine
            posted += fine and call.method == "POST"
        except OSError:
            bad += 1
        finally:
            connection.close()
        latencies.append((time.perf_counter() - sent) * 1000)
    return latencies, bad, posted, time.perf_counter() - began
