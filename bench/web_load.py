"""A bounded HTTP load generator for bench/web.py: wrk when installed, else a Python multi-process client.

Both stop by themselves after ``seconds`` or ``max_requests``, whichever comes first, and count as errors
every response whose status is not the expected one (200 for pages, a redirect for a successful submission).
wrk always reports the full ``seconds`` as its run time, so a run it cut short at ``max_requests`` is marked
``capped`` (its rate would be understated); submissions, which must stay few, use the Python client, whose
clock stops with the last request.
"""
from __future__ import annotations

import http.client
import multiprocessing
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.parse
from dataclasses import dataclass

WRK_SCRIPT = """
local threads = {}
local limit = %(limit)d
local expected = {%(expected)s}
function setup(thread) table.insert(threads, thread) end
function init(args)
  bad = 0
  count = 0
  capped = 0
  wrk.method = "%(method)s"
  wrk.body = %(body)s
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = %(cookie)s
end
%(request)s
function response(status, headers, body)
  count = count + 1
  if not expected[status] then bad = bad + 1 end
  if count >= limit then capped = 1; wrk.thread:stop() end
end
function done(summary, latency, requests)
  local bad, capped = 0, 0
  for _, t in ipairs(threads) do bad = bad + t:get("bad"); capped = capped + t:get("capped") end
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    bad + e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(95), capped))
end
"""


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    errors: int
    median_ms: float
    p95_ms: float
    client: str
    capped: bool = False

    @property
    def rps(self) -> float:
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0


def lua_string(text: str) -> str:
    return "nil" if text is None else "[==[" + text + "]==]"


#: Requests cycle through these paths in turn (``run_load(paths=...)``), e.g. every page of a listing.
WRK_PATHS = """
local paths = {%s}
local turn = 0
function request()
  turn = turn %% #paths + 1
  return wrk.format(nil, paths[turn])
end
"""


def run_load(url: str, *, seconds: float, connections: int, max_requests: int, method: str = "GET",
             body: str | None = None, cookie: str | None = None, paths: list[str] | None = None) -> Result:
    """Load ``url``, or with ``paths`` each of those paths (on ``url``'s server) in turn."""
    expected = (302, 303) if method == "POST" else (200,)
    if shutil.which("wrk") and method == "GET":
        return _wrk(url, seconds, connections, max_requests, method, body, cookie, expected, paths)
    return _python(url, seconds, connections, max_requests, method, body, cookie, expected, paths)


def _wrk(url, seconds, connections, max_requests, method, body, cookie, expected, paths) -> Result:
    script = WRK_SCRIPT % dict(limit=max(1, max_requests), method=method, body=lua_string(body),
                               cookie=lua_string(cookie or ""),
                               expected=", ".join(f"[{s}] = true" for s in expected),
                               request=WRK_PATHS % ", ".join(map(lua_string, paths)) if paths else "")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
                   "-s", lua.name, url]
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("RESULT "))
    requests, duration_us, errors, p50_us, p95_us, capped = map(int, line.split()[1:])
    return Result(requests, duration_us / 1e6, errors, p50_us / 1000, p95_us / 1000, "wrk", bool(capped))


def _python(url, seconds, connections, max_requests, method, body, cookie, expected, paths) -> Result:
    jobs = [(url, seconds, max(1, max_requests // connections), method, body, cookie, expected, paths)
            ] * connections
    with multiprocessing.Pool(connections) as pool:
        parts = pool.map(_client, jobs)
    elapsed = max(seconds for _, _, seconds in parts)
    latencies = sorted(ms for part, _, _ in parts for ms in part)
    errors = sum(bad for _, bad, _ in parts)
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else 0.0
    return Result(len(latencies), elapsed, errors, statistics.median(latencies) if latencies else 0.0, p95,
                  "python client")


def _client(job) -> tuple[list[float], int, float]:
    """One connection's worth of load: new connection per request, as gunicorn's sync workers close them."""
    url, seconds, limit, method, body, cookie, expected, paths = job
    parts = urllib.parse.urlsplit(url)
    targets = paths or [parts.path + (f"?{parts.query}" if parts.query else "")]
    headers = {"Content-Type": "application/x-www-form-urlencoded", **({"Cookie": cookie} if cookie else {})}
    latencies, bad = [], 0
    began = time.perf_counter()
    deadline = began + seconds
    while time.perf_counter() < deadline and len(latencies) < limit:
        start = time.perf_counter()
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            connection.request(method, targets[len(latencies) % len(targets)], body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            bad += response.status not in expected
        except OSError:
            bad += 1
        finally:
            connection.close()
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies, bad, time.perf_counter() - began
