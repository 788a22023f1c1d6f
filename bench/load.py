"""Load generators: wrk (Debian's package) driven by a generated Lua script, or a Python fallback.

Both take the same request list (method, path, cookie, body), cycle through it (each wrk thread takes every
n-th request, so distinct orders stay distinct), check every response (status and, when asked, the start of
the body) and report the same JSON: requests, duration, good/bad responses and latency percentiles.

Run as a script, this module is the Python fallback: `python bench/load.py SPEC.json` prints the JSON.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

LUA = r"""
local specs = {
%(specs)s
}
local expect_status = %(status)d
local expect_prefix = %(prefix)s
local threads = {}
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  nthreads = tonumber(args[1])
  pos = tid
  good = 0
  bad = 0
  sent = 0
  first_bad = 0
  formatted = {}
  for i, s in ipairs(specs) do
    local headers = {}
    if s[3] ~= "" then headers["Cookie"] = s[3] end
    if s[4] ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
    local body = nil
    if s[4] ~= "" then body = s[4] end
    formatted[i] = wrk.format(s[1], s[2], headers, body)
  end
end

function request()
  local r = formatted[(pos %% #formatted) + 1]
  pos = pos + nthreads
  sent = sent + 1
  return r
end

function response(status, headers, body)
  local body_ok = expect_prefix == nil or string.sub(body, 1, #expect_prefix) == expect_prefix
  if status == expect_status and body_ok then
    good = good + 1
  else
    bad = bad + 1
    if first_bad == 0 then first_bad = status end
  end
end

function done(summary, latency, requests)
  local g, b, s, fb = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    g = g + t:get("good")
    b = b + t:get("bad")
    s = s + t:get("sent")
    if fb == 0 then fb = t:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p95_us":%%d,"p99_us":%%d,"mean_us":%%.1f,' ..
    '"max_us":%%d,"good":%%d,"bad":%%d,"sent":%%d,"first_bad_status":%%d,' ..
    '"socket_errors":%%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max, g, b, s, fb,
    e.connect + e.read + e.write + e.timeout))
end
"""


def _lua_string(value: str) -> str:
    assert "]==]" not in value
    return f"[==[{value}]==]"


def wrk_path() -> str | None:
    return shutil.which("wrk")


def run_wrk(
    *,
    url: str,
    requests: list[tuple[str, str, str, str]],
    seconds: float,
    connections: int,
    threads: int,
    script_path: Path,
    expect_status: int = 200,
    expect_prefix: str | None = None,
) -> dict:
    specs = ",\n".join(
        "{" + ", ".join(_lua_string(part) for part in (method, path, cookie, body)) + "}"
        for method, path, cookie, body in requests
    )
    prefix = _lua_string(expect_prefix) if expect_prefix is not None else "nil"
    script_path.write_text(LUA % {"specs": specs, "status": expect_status, "prefix": prefix})
    command = [
        wrk_path() or "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(script_path),
        url,
        "--",
        str(threads),
    ]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=False)
    for line in out.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            return _finish(json.loads(line[len("BENCHJSON ") :]))
    raise RuntimeError(f"wrk failed: {out.stdout[-2000:]} {out.stderr[-2000:]}")


def _finish(result: dict) -> dict:
    seconds = result["duration_us"] / 1e6
    result["seconds"] = seconds
    result["rps"] = result["good"] / seconds if seconds else 0.0
    result["p50_ms"] = result["p50_us"] / 1000
    result["p95_ms"] = result["p95_us"] / 1000
    result["p99_ms"] = result["p99_us"] / 1000
    return result


def run_python(
    *,
    url: str,
    requests: list[tuple[str, str, str, str]],
    seconds: float,
    connections: int,
    script_path: Path,
    expect_status: int = 200,
    expect_prefix: str | None = None,
) -> dict:
    """The fallback: this file run in its own process, `connections` threads with blocking sockets."""
    spec = {
        "url": url,
        "requests": requests,
        "seconds": seconds,
        "connections": connections,
        "expect_status": expect_status,
        "expect_prefix": expect_prefix,
    }
    script_path.write_text(json.dumps(spec))
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), str(script_path)],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=False,
    )
    for line in out.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            return _finish(json.loads(line[len("BENCHJSON ") :]))
    raise RuntimeError(f"python load generator failed: {out.stderr[-2000:]}")


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def _main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    host_port = spec["url"].split("//", 1)[1].rstrip("/")
    host, port = host_port.split(":")
    requests = spec["requests"]
    connections = spec["connections"]
    deadline = time.perf_counter() + spec["seconds"]
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"good": 0, "bad": 0, "sent": 0, "socket_errors": 0, "first_bad_status": 0}
    prefix = (spec["expect_prefix"] or "").encode()

    def worker(tid: int) -> None:
        pos = tid
        local: list[float] = []
        good = bad = sent = errors = 0
        first_bad = 0
        conn = None
        while time.perf_counter() < deadline:
            method, path, cookie, body = requests[pos % len(requests)]
            pos += connections
            headers = {"Host": host_port}
            if cookie:
                headers["Cookie"] = cookie
            if body:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, int(port), timeout=30)
                conn.request(method, path, body=body.encode() if body else None, headers=headers)
                response = conn.getresponse()
                content = response.read()
                sent += 1
                if response.will_close:
                    conn.close()
                    conn = None
            except OSError:
                errors += 1
                conn = None
                continue
            local.append(time.perf_counter() - started)
            if response.status == spec["expect_status"] and content.startswith(prefix):
                good += 1
            else:
                bad += 1
                first_bad = first_bad or response.status
        with lock:
            latencies.extend(local)
            counts["good"] += good
            counts["bad"] += bad
            counts["sent"] += sent
            counts["socket_errors"] += errors
            counts["first_bad_status"] = counts["first_bad_status"] or first_bad

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    duration = time.perf_counter() - started
    latencies.sort()
    result = {
        "requests": len(latencies),
        "duration_us": int(duration * 1e6),
        "p50_us": int(_percentile(latencies, 50) * 1e6),
        "p95_us": int(_percentile(latencies, 95) * 1e6),
        "p99_us": int(_percentile(latencies, 99) * 1e6),
        "mean_us": (sum(latencies) / len(latencies) * 1e6) if latencies else 0.0,
        "max_us": int((latencies[-1] if latencies else 0) * 1e6),
        **counts,
    }
    print("BENCHJSON " + json.dumps(result))


if __name__ == "__main__":
    _main(sys.argv[1])
