"""`make bench`: seed PostgreSQL at scale, serve the portal with gunicorn, load it from wrk, print one table.

Environment (all optional):
  BENCH_SCALE        default (50,000 persons, 300,000 paid periods), 1m (1,000,000 paid periods),
                     or smoke (2,000 persons: checks the harness in a minute; its figures mean little)
  BENCH_SECONDS      seconds of load per page (default 10)
  BENCH_CONNECTIONS  concurrent connections (default 6); BENCH_WORKERS gunicorn workers (default 3)
  BENCH_DATABASE_URL default postgresql://postgres@127.0.0.1:5432/matrix_bench (dropped and re-created)
  BENCH_REDIS_URL    default redis://127.0.0.1:6379/15 (flushed)
  BENCH_LOADGEN      wrk (default when installed) or python
  BENCH_PAIR_SECONDS seconds of bare view measured right after each page (default min(BENCH_SECONDS, 5))
  BENCH_KEEP_DB=1    keep the database afterwards; BENCH_SKIP_CELERY=1 skip the 1,000-render worker test

See docs/benchmarks.md for what each figure means.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import inspect
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALES = {
    "smoke": {"persons": 2_000, "contributions": 12_000, "failed": 100, "pending": 30},
    "default": {"persons": 50_000, "contributions": 300_000, "failed": 2_500, "pending": 600},
    "1m": {"persons": 170_000, "contributions": 1_000_000, "failed": 8_000, "pending": 2_000},
}
SCALE = os.environ.get("BENCH_SCALE", "default").lower()
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "6"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/matrix_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
HISTORY_ROWS = 50
HISTORY_POOL = 20  # 20 persons x 50 rows = the 1,000-row table the history page is first measured on
COLD_PATHS = 5000  # distinct history URLs per cold measurement: more than it can serve in the time
SESSION_POOL = 200
RENDER_SAMPLES = 50
CELERY_RENDERS = 1000
WARMUP_SECONDS = 2.0
SETTLE_SECONDS = 3.0
# the bare view is measured again right after each page for this long; the page's ratio uses that figure
PAIR_SECONDS = float(os.environ.get("BENCH_PAIR_SECONDS", str(min(SECONDS, 5.0))))
STARTED = time.perf_counter()
WORK = Path(os.environ.get("BENCH_WORK_DIR", str(ROOT / "var" / "bench")))


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.1f}s] {message}", flush=True)


# --- environment: set before Django starts, so nothing can point the bench at another database ----------
if SCALE not in SCALES:
    sys.exit(f"BENCH_SCALE must be one of {', '.join(SCALES)}")
if "bench" not in urlsplit(DATABASE_URL).path:
    sys.exit(
        "BENCH_DATABASE_URL must name a database with 'bench' in its name: it is dropped and re-created."
    )
os.environ["DJANGO_SETTINGS_MODULE"] = "matrix_portal.settings.bench"
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["REDIS_URL"] = REDIS_URL
os.environ["MEDIA_ROOT"] = str(WORK / "private")
os.environ["FPX_KEY_DIR"] = str(WORK / "fpx")
os.environ["BENCH_BARE_VIEW"] = "true"


@dataclass
class Page:
    key: str
    label: str
    url_name: str
    auth: bool = False
    method: str = "GET"
    target: float | None = None  # share of the bare view's requests/s the issue asks for
    expect_prefix: str | None = None
    requests: list = field(default_factory=list)
    status: str = ""  # "" when measured, else why not
    result: dict = field(default_factory=dict)
    queries: dict = field(default_factory=dict)


PAGES = [
    Page("bare", "bare Django view (limit)", "bench_bare"),
    Page("home", "home page", "home"),
    Page("login", "log-in step 1", "accounts:login"),
    # the bare view again, with the logged-in sessions: what every personal page pays before its view runs
    # (the session and the account from Redis, the middleware's work for a logged-in person)
    Page("bare_auth", "  bare view, logged in (floor)", "bench_bare", auth=True),
    Page("dashboard", "dashboard", "contributions:dashboard", auth=True, target=0.5),
    Page("history", "contribution history (50 rows)", "contributions:history", auth=True, target=0.5),
    # every request a path not asked before, so the page cache never answers: the database and the template
    # at work on each request (a person's first visit after a change); also the 1k-vs-large scaling figure
    Page("history_cold", "  history, first visits (not kept)", "contributions:history", auth=True),
    Page("view", "contribution view", "contributions:view", auth=True, target=0.5),
    Page("download", "stored-receipt download", "receipts:download", auth=True, target=0.5),
    Page(
        "direct_ac",
        "direct AC callback",
        "payments:fpx_direct",
        method="POST",
        target=0.25,
        expect_prefix="OK",
    ),
]


# --- infrastructure ----------------------------------------------------------------------------------
def recreate_database() -> None:
    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database() -> None:
    import psycopg

    parts = urlsplit(DATABASE_URL)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def memory_kb(pid: int) -> dict[str, int]:
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, amount, _unit = line.split()
                values[key.rstrip(":")] = int(amount)
    except OSError:
        pass
    return values


def ensure_wrk() -> str:
    """wrk if installed (installed with apt-get when missing and root), else the Python generator."""
    from bench import load

    wanted = os.environ.get("BENCH_LOADGEN", "wrk")
    if wanted == "python":
        return "python"
    if load.wrk_path():
        return "wrk"
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        progress("wrk is not installed: apt-get install wrk")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        ok = (
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], capture_output=True, env=env).returncode
            == 0
        )
        if not ok:
            subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], capture_output=True, env=env)
        if load.wrk_path():
            return "wrk"
    progress("wrk unavailable: using the Python load generator (threads, one process)")
    return "python"


class Server:
    """gunicorn with the bench settings, on a free loopback port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = WORK / "gunicorn.log"
        self.config = {
            "worker_class": "sync",
            "workers": WORKERS,
            "bind": f"127.0.0.1:{self.port}",
            "timeout": 60,
            "max_requests": 0,
        }
        self.process: subprocess.Popen | None = None
        self.peak_rss_kb = 0
        self._sampling = False

    def start(self) -> None:
        env = {**os.environ, "SITE_URL": self.url}
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "matrix_portal.wsgi:application",
            "--bind",
            self.config["bind"],
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--error-logfile",
            str(self.log),
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/bench/bare/", timeout=2) as response:  # noqa: S310
                    if response.status == 200 and len(self.workers()) >= WORKERS:
                        break
            except OSError:  # refused while booting, or the first request still loading
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log}")
            time.sleep(0.3)
        else:
            raise RuntimeError(f"gunicorn did not start: see {self.log}")
        self._sampling = True
        threading.Thread(target=self._sample, daemon=True).start()

    def workers(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def _sample(self) -> None:
        while self._sampling:
            for pid in self.workers():
                mem = memory_kb(pid)
                self.peak_rss_kb = max(self.peak_rss_kb, mem.get("VmHWM", 0), mem.get("VmRSS", 0))
            time.sleep(0.5)

    def stop(self) -> None:
        self._sampling = False
        for pid in self.workers():
            mem = memory_kb(pid)
            self.peak_rss_kb = max(self.peak_rss_kb, mem.get("VmHWM", 0))
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()


# --- Django-side helpers (after django.setup()) ------------------------------------------------------
def resolve(page: Page, *args) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(page.url_name, args=args or None)
    except NoReverseMatch:
        return None


def session_cookie(user) -> str:
    """A logged-in session made in the database, as the log-in view would make it."""
    from django.conf import settings
    from django.contrib.auth import login
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    engine = importlib.import_module(settings.SESSION_ENGINE)
    request = RequestFactory().get("/", SERVER_NAME="127.0.0.1")
    request.session = engine.SessionStore()
    request.user = AnonymousUser()
    login(request, user, backend="accounts.backends.PortalModelBackend")
    request.session["_auth_started_at"] = int(time.time())
    # the log-in request also notes when the idle expiry was last moved (matrix_portal/middleware.py). The
    # sessions are made together, but people log in at different times: spread that moment over the last
    # refresh interval, so each session's one save a minute (the idle refresh) falls anywhere in it, as for
    # people who have been using the portal for a while, instead of all 200 within one page's measurement.
    middleware = importlib.import_module("matrix_portal.middleware")
    if hasattr(middleware, "SessionIdleRefreshMiddleware"):
        interval = getattr(settings, "SESSION_IDLE_REFRESH_SECONDS", 60)
        request.session[middleware.SessionIdleRefreshMiddleware.key] = int(time.time()) - (
            user.pk * 7919 % interval
        )
    # what the accounts app's log-in adds, when it is there: the previous log-in shown on the next page,
    # and the record of the account's sessions
    views = importlib.import_module("accounts.views") if _module_exists("accounts.views") else None
    if hasattr(views, "SESSION_LAST_LOGIN"):
        request.session[views.SESSION_LAST_LOGIN] = None
    if hasattr(views, "SESSION_FAILED_SINCE"):
        request.session[views.SESSION_FAILED_SINCE] = 0
    request.session.save()
    services = importlib.import_module("accounts.services") if _module_exists("accounts.services") else None
    if hasattr(services, "user_session_record"):
        services.user_session_record(user=user, session_key=request.session.session_key)
    # and the CSRF cookie a browser has from the log-in form (without it every page would make a new one)
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    csrf_secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    return (
        f"{settings.SESSION_COOKIE_NAME}={request.session.session_key}; "
        f"{settings.CSRF_COOKIE_NAME}={csrf_secret}"
    )


def _module_exists(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def cold_requests(path: str, cookies: list[str], *, first: int) -> list[tuple[str, str, str, str]]:
    """History requests that the page cache does not answer: a parameter the page ignores (and so the page
    cache does not keep); each URL differs as well."""
    return [
        ("GET", f"{path}?page=1&visit={first + i}", cookies[i % len(cookies)], "") for i in range(COLD_PATHS)
    ]


def test_client(cookie: str | None):
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    if cookie:
        for pair in cookie.split("; "):
            name, value = pair.split("=", 1)
            client.cookies[name] = value
    return client


def count_queries(method: str, path: str, cookie: str | None, body: str = "") -> tuple[int, int, int | None]:
    """(status, SQL queries, SQL queries when asked again) of a request through the test client.

    The first figure is a first visit (the bench starts with an empty cache); the second is the same page
    asked again, as the load asks it (None for a POST, which is not repeated).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = test_client(cookie)
    with CaptureQueriesContext(connection) as captured:
        if method == "POST":
            response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
        else:
            response = client.get(path)
    if method == "POST":
        return response.status_code, len(captured.captured_queries), None
    with CaptureQueriesContext(connection) as again:
        client.get(path)
    return response.status_code, len(captured.captured_queries), len(again.captured_queries)


def visit_each_once(server: Server, page: Page) -> None:
    """Ask every distinct GET of the page once, as the people in the pool have already opened their pages.

    Only then is the page measured as it is asked again and again (the personal pages come from the page
    cache after the first visit); the `history_cold` row measures first visits instead.
    """
    seen = set()
    for method, path, cookie, _ in page.requests:
        if method != "GET" or (path, cookie) in seen:
            continue
        seen.add((path, cookie))
        request = urllib.request.Request(server.url + path)  # noqa: S310
        if cookie:
            request.add_header("Cookie", cookie)
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()


def preflight(server: Server, page: Page) -> str:
    """'' when the first request answers 200 (and the expected body), else the reason."""
    method, path, cookie, body = page.requests[0]
    request = urllib.request.Request(  # noqa: S310
        server.url + path, method=method, data=body.encode() if body else None
    )
    if cookie:
        request.add_header("Cookie", cookie)
    if body:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            content = response.read(64)
            status = response.status
    except urllib.error.HTTPError as error:
        location = error.headers.get("Location", "")
        return f"n/a (answers {error.code}{' to ' + location if location else ''})"
    if status != 200:
        return f"n/a (answers {status})"
    if page.expect_prefix and not content.startswith(page.expect_prefix.encode()):
        return f"n/a (answers {content[:30]!r})"
    return ""


def drive(server: Server, page: Page, loadgen: str, *, seconds: float) -> dict:
    from bench import load

    script = WORK / f"load-{page.key}.{'lua' if loadgen == 'wrk' else 'json'}"
    common = {
        "url": server.url,
        "requests": page.requests,
        "seconds": seconds,
        "connections": CONNECTIONS,
        "script_path": script,
        "expect_prefix": page.expect_prefix,
    }
    if loadgen == "wrk":
        return load.run_wrk(threads=1, **common)
    return load.run_python(**common)


# --- the phases ------------------------------------------------------------------------------------
def setup_database() -> None:
    from django.core.management import call_command

    progress(f"database {DATABASE_URL}: drop, create, migrate")
    recreate_database()
    flush_redis()
    call_command("migrate", verbosity=0, interactive=False)
    progress("collectstatic (whitenoise manifest)")
    call_command("collectstatic", verbosity=0, interactive=False)


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def seed_figures(seeder) -> dict:
    return dict(seeder.counts)


def render_task():
    """The receipts app's Celery task that renders and stores a receipt's PDF, if it exists yet."""
    wanted = os.environ.get("BENCH_RENDER_TASK", "")
    try:
        module = importlib.import_module("receipts.tasks")
    except ImportError:
        return None
    if wanted:
        return getattr(module, wanted.rsplit(".", 1)[-1], None)
    for name, obj in vars(module).items():
        if "render" in name.lower() and hasattr(obj, "delay") and hasattr(obj, "run"):
            return obj
    return None


def task_call(task, receipt_id: int) -> tuple[tuple, dict]:
    params = list(inspect.signature(task.run).parameters.values())
    first = params[0] if params else None
    if first is not None and first.kind is inspect.Parameter.KEYWORD_ONLY:
        return (), {first.name: receipt_id}
    return (receipt_id,), {}


SERVER: Server | None = None


def main() -> int:
    try:
        return run()
    finally:
        if SERVER is not None:
            SERVER.stop()


def run() -> int:  # noqa: C901 - one linear script, phase by phase
    global SERVER
    import django

    WORK.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(WORK / "private", ignore_errors=True)
    loadgen = ensure_wrk()
    django.setup()

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from bench import fpx
    from bench.seed import Seeder
    from contributions.models import Contribution
    from receipts.models import Receipt

    scale = SCALES[SCALE]
    results: dict = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scale": SCALE,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": round(os.getloadavg()[0], 1),
        },
        "load": {"generator": loadgen, "seconds": SECONDS, "connections": CONNECTIONS},
    }
    setup_database()
    fpx.ensure_keys(settings)
    now = timezone.now().replace(microsecond=0)

    # step A: the 1,000-row table, to measure the history page before the bulk arrives
    seeder = Seeder(now=now)
    seeder.add_staff()
    history_ids = seeder.history_pool(persons=HISTORY_POOL, rows=HISTORY_ROWS)
    seeder.write()
    vacuum_analyze()
    rows_small = Contribution.objects.count()
    progress(f"seeded step A: {rows_small} contributions ({HISTORY_POOL} persons x {HISTORY_ROWS})")

    server = SERVER = Server()
    server.start()
    results["server"] = {**server.config, "url": server.url}
    progress(f"gunicorn: {WORKERS} sync workers on {server.url}; load: {loadgen}, {CONNECTIONS} connections")
    history = next(p for p in PAGES if p.key == "history_cold")
    history_users = list(User.objects.filter(pk__in=history_ids))
    history_cookies = [session_cookie(u) for u in history_users]
    history_small = None
    history_path = resolve(history)
    if history_path:
        history.requests = cold_requests(history_path, history_cookies, first=0)
        reason = preflight(server, history)
        if not reason:
            try:
                drive(server, history, loadgen, seconds=WARMUP_SECONDS)
                history_small = drive(server, history, loadgen, seconds=SECONDS)
            except Exception as error:  # noqa: BLE001
                failure("history at 1,000 rows", error)
            progress(
                f"history at {rows_small} rows: {history_small['rps']:.0f} req/s, "
                f"p50 {history_small['p50_ms']:.1f} ms"
            )
        else:
            progress(f"history at {rows_small} rows: {reason}")

    # step B: the bulk
    progress(f"seeding {scale['persons']:,} persons, {scale['contributions']:,} paid periods (COPY)")
    t0, cpu0 = time.perf_counter(), time.process_time()
    seeder.population(persons=scale["persons"], contributions=scale["contributions"])
    seeder.unpaid_tail(failed=scale["failed"], pending=scale["pending"])
    orders_needed = int(600 * SECONDS) + 200
    orders = seeder.pending_orders(orders_needed)
    generated = time.perf_counter() - t0
    generated_cpu = time.process_time() - cpu0
    progress(f"generated rows in {generated:.1f}s ({generated_cpu:.1f}s of CPU); writing with COPY")
    written = seeder.write()
    copy_done = time.perf_counter() - t0
    progress(f"COPY done in {copy_done - generated:.1f}s; VACUUM ANALYZE")
    vacuum_analyze()
    seed_seconds = time.perf_counter() - t0
    totals = {
        "persons": User.objects.filter(is_staff=False).count(),
        "contributions": Contribution.objects.count(),
        "paid_periods": Contribution.objects.exclude(status="submitted").count(),
        "payments": written.get("payments_payment", 0),
        "receipts": Receipt.objects.count(),
        "sectors": Contribution.objects.values("sector_id").distinct().count(),
    }
    results["seed"] = {
        "seconds": round(seed_seconds, 1),
        "generate_seconds": round(generated, 1),
        "generate_cpu_seconds": round(generated_cpu, 1),
        "copy_and_index_seconds": round(copy_done - generated, 1),
        **totals,
    }
    progress(
        f"seeded in {seed_seconds:.0f}s: {totals['persons']:,} persons, "
        f"{totals['contributions']:,} contributions, "
        f"{totals['receipts']:,} receipts, {totals['sectors']} sectors"
    )

    # sessions and request lists
    progress("sessions and request lists")
    pool = set(history_ids)
    several = [pid for pid, n in seeder.periods_of.items() if n >= 2 and pid not in pool]
    picked = seeder.rng.sample(several, min(SESSION_POOL, len(several)))
    cookies = {u.pk: session_cookie(u) for u in User.objects.filter(pk__in=picked)}
    one_row_id = next((pid for pid, n in seeder.periods_of.items() if n == 1), None)
    one_row_user = User.objects.filter(pk=one_row_id).first()
    one_row_cookie = session_cookie(one_row_user) if one_row_user else None
    own_contribution = {}
    for person_id, cid in Contribution.objects.filter(person_id__in=cookies).values_list("person_id", "id"):
        own_contribution.setdefault(person_id, cid)
    own_receipt = {}
    for person_id, rid in Receipt.objects.filter(payment__contribution__person_id__in=cookies).values_list(
        "payment__contribution__person_id", "id"
    ):
        own_receipt.setdefault(person_id, rid)

    download_receipts: list[int] = []
    for page in PAGES:
        if page.key == "bare" or page.key in ("home", "login"):
            path = resolve(page)
            page.requests = [("GET", path, "", "")] if path else []
        elif page.key in ("dashboard", "bare_auth"):
            path = resolve(page)
            page.requests = [("GET", path, c, "") for c in cookies.values()] if path else []
        elif page.key == "history":
            path = resolve(page)
            page.requests = [("GET", path, c, "") for c in history_cookies] if path else []
        elif page.key == "history_cold":
            path = resolve(page)
            page.requests = cold_requests(path, history_cookies, first=COLD_PATHS) if path else []
        elif page.key == "view":
            page.requests = []
            for pid, cookie in cookies.items():
                if pid not in own_contribution:
                    continue
                path = resolve(page, own_contribution[pid])
                if not path:
                    break
                page.requests.append(("GET", path, cookie, ""))
        elif page.key == "download":
            page.requests = []
            for pid, cookie in [(p, c) for p, c in cookies.items() if p in own_receipt][:40]:
                path = resolve(page, own_receipt[pid])
                if not path:
                    break
                page.requests.append(("GET", path, cookie, ""))
                download_receipts.append(own_receipt[pid])
        if not page.requests and page.key != "direct_ac":
            page.status = "n/a (not built)"

    # stored PDFs for the receipts the download page serves
    task = render_task()
    download = next(p for p in PAGES if p.key == "download")
    if download.requests and task is not None:
        progress("rendering the PDFs the download page serves (render task, in-process)")
        try:
            for receipt_id in download_receipts:
                args, kwargs = task_call(task, receipt_id)
                task.apply(args=args, kwargs=kwargs).get()
        except Exception as error:  # noqa: BLE001
            failure("rendering the download PDFs", error)

    # direct AC: distinct signed orders
    ac = next(p for p in PAGES if p.key == "direct_ac")
    ac_path = resolve(ac)
    if ac_path:
        progress(f"signing {len(orders):,} direct ACs (RSA-SHA1, gateway key)")
        stamp = timezone.localtime(now)
        messages = [
            fpx.ac_fields(
                {**o.__dict__},
                exchange_id=settings.FPX_EXCHANGE_ID,
                seller_id=settings.FPX_SELLER_ID,
                sequence=i,
                now=stamp,
            )
            for i, o in enumerate(orders)
        ]
        bodies = fpx.signed_bodies(messages, key_path=settings.FPX_GATEWAY_KEY_PATH)
        # first 100: query count and warm-up; the rest: the load
        ac.requests = [("POST", ac_path, "", b) for b in bodies[:1]]
        ac_spare = bodies[1:100]
        ac_load = bodies[100:]
    else:
        ac.status = "n/a (not built)"
        ac_spare, ac_load = [], []

    # SQL queries per request (test client, same database, outside the load)
    progress("SQL queries per request (django.test Client + CaptureQueriesContext)")
    for page in PAGES:
        if page.status:
            continue
        method, path, cookie, body = page.requests[0]
        try:
            status, queries, kept = count_queries(method, path, cookie, body)
        except Exception as error:  # noqa: BLE001 - reported in the table, the run goes on
            page.status = failure("queries", error)
            continue
        page.queries = {"status": status, "queries": queries, "queries_kept": kept}
        if page.key in ("dashboard", "history") and one_row_cookie:
            # the same page for a person with one contribution and for one with fifty, rendered (the page
            # of the person with fifty may already be kept from the count above)
            from django.test import override_settings

            with override_settings(PERSONAL_PAGE_CACHE_SECONDS=0):
                status1, queries1, _ = count_queries(method, path, one_row_cookie, body)
                status50, queries50, _ = count_queries(method, path, history_cookies[0], body)
            page.queries.update(
                {
                    "queries_1_row": queries1,
                    "queries_50_rows": queries50,
                    "status_1_row": status1,
                    "status_50_rows": status50,
                }
            )
    if ac.requests:
        ac.requests = [("POST", ac_path, "", b) for b in ac_spare[:1]]  # the first body was used above

    # load
    for page in PAGES:
        if page.status:
            continue
        time.sleep(SETTLE_SECONDS)  # let requests still queued from the previous page finish
        try:
            page.status = preflight(server, page)
            if page.status:
                progress(f"{page.label}: {page.status}")
                continue
            if page.key == "direct_ac":
                for body in ac_spare[1:40]:  # warm every worker without reusing an order
                    urllib.request.urlopen(  # noqa: S310
                        urllib.request.Request(server.url + ac_path, data=body.encode(), method="POST"),
                        timeout=30,
                    ).read()
                page.requests = [("POST", ac_path, "", b) for b in ac_load]
            else:
                if page.auth and page.key != "history_cold":
                    visit_each_once(server, page)
                drive(server, page, loadgen, seconds=WARMUP_SECONDS)
            progress(f"load: {page.label} for {SECONDS:.0f}s")
            page.result = drive(server, page, loadgen, seconds=SECONDS)
        except Exception as error:  # noqa: BLE001
            page.status, page.result = failure("load", error), {}
            continue
        if page.key == "direct_ac" and page.result["sent"] > len(ac_load):
            page.result["replayed_orders"] = page.result["sent"] - len(ac_load)
        r = page.result
        progress(
            f"  {r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, bad {r['bad']}"
        )
        bare_first = PAGES[0]
        if page is not bare_first and bare_first.result and PAIR_SECONDS > 0:
            # the bare view right after the page: a ratio that holds while the machine's speed drifts
            time.sleep(SETTLE_SECONDS)
            try:
                paired = drive(server, bare_first, loadgen, seconds=PAIR_SECONDS)
                r["paired_bare_rps"] = paired["rps"]
                progress(f"  bare view right after: {paired['rps']:.0f} req/s")
            except Exception as error:  # noqa: BLE001
                failure("paired bare view", error)
    history_large = history.result or None  # the first-visit row, at full scale
    # the bare view again at the end: the machine's speed may drift during the run (the ratios use the mean)
    bare_page = next(p for p in PAGES if p.key == "bare")
    bare_end = None
    if bare_page.result:
        progress(f"load: {bare_page.label} again for {SECONDS:.0f}s")
        time.sleep(SETTLE_SECONDS)
        try:
            drive(server, bare_page, loadgen, seconds=WARMUP_SECONDS)
            bare_end = drive(server, bare_page, loadgen, seconds=SECONDS)
            progress(f"  {bare_end['rps']:.0f} req/s, p50 {bare_end['p50_ms']:.1f} ms")
        except Exception as error:  # noqa: BLE001
            failure("bare view at the end", error)
    server.stop()
    results["web_worker_peak_rss_mb"] = round(server.peak_rss_kb / 1024, 1)

    # receipt PDF render, in this process
    results["render"] = guarded("receipt render", measure_render, Receipt)
    # daily reminder scan
    results["reminders"] = guarded("reminder scan", measure_reminders, connection)
    # Celery worker memory over 1,000 renders
    if os.environ.get("BENCH_SKIP_CELERY"):
        results["celery"] = {"status": "skipped (BENCH_SKIP_CELERY)"}
    else:
        results["celery"] = guarded("Celery renders", measure_celery, task, Receipt)

    bare_start = bare_page.result.get("rps") or 0
    bare = (bare_start + bare_end["rps"]) / 2 if bare_end else bare_start
    results["bare_rps"] = {"start": bare_start, "end": bare_end["rps"] if bare_end else None, "used": bare}
    results["pages"] = {}
    for page in PAGES:
        entry = {"label": page.label, "url_name": page.url_name, "status": page.status or "measured"}
        if page.result:
            entry.update(
                {
                    k: page.result[k]
                    for k in ("rps", "p50_ms", "p95_ms", "p99_ms", "requests", "good", "bad", "socket_errors")
                }
            )
            paired = page.result.get("paired_bare_rps")
            entry["ratio_to_bare_mean"] = round(page.result["rps"] / bare, 3) if bare else None
            entry["paired_bare_rps"] = paired
            entry["ratio_to_bare"] = (
                round(page.result["rps"] / paired, 3) if paired else entry["ratio_to_bare_mean"]
            )
            if page.key == "bare":
                entry["ratio_to_bare"] = 1.0
            entry["target_ratio"] = page.target
            if "replayed_orders" in page.result:
                entry["replayed_orders"] = page.result["replayed_orders"]
        entry.update(page.queries)
        results["pages"][page.key] = entry
    results["history_scaling"] = {
        "rows_small": rows_small,
        "rows_large": totals["contributions"],
        "small": _brief(history_small),
        "large": _brief(history_large),
        "p50_ratio": round(history_large["p50_ms"] / history_small["p50_ms"], 2)
        if history_small and history_large
        else None,
    }
    results["total_seconds"] = round(time.perf_counter() - STARTED, 1)
    results["machine"]["load_average_at_end"] = round(os.getloadavg()[0], 1)
    print_table(results)
    out = ROOT / "bench" / "results" / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{SCALE}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    progress(f"results written to {out.relative_to(ROOT)}")
    connection.close()
    if not os.environ.get("BENCH_KEEP_DB"):
        drop_database()
    flush_redis()
    return 0


def failure(what: str, error: Exception) -> str:
    """Report an error in one measurement and let the run go on; returns the table's note."""
    import traceback

    progress(f"ERROR in {what}: {type(error).__name__}: {error}")
    traceback.print_exception(error, limit=-3, file=sys.stdout)
    return f"error ({type(error).__name__})"


def guarded(what: str, measure, *args) -> dict:
    try:
        return measure(*args)
    except Exception as error:  # noqa: BLE001
        return {"status": failure(what, error)}


def _brief(result: dict | None) -> dict | None:
    if not result:
        return None
    return {k: round(result[k], 2) for k in ("rps", "p50_ms", "p95_ms")}


def measure_render(Receipt) -> dict:
    try:
        from receipts.rendering import render_receipt_pdf
    except ImportError:
        return {"status": "n/a (not built)"}
    progress(f"receipt PDF render: median of {RENDER_SAMPLES}")
    receipt = Receipt.objects.order_by("-id").first()
    render_receipt_pdf(receipt)  # warm-up: fonts and caches
    times = []
    for _ in range(RENDER_SAMPLES):
        t0 = time.perf_counter()
        render_receipt_pdf(receipt)
        times.append((time.perf_counter() - t0) * 1000)
    return {
        "status": "measured",
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(sorted(times)[int(len(times) * 0.9) - 1], 1),
        "target_ms": 100,
    }


def measure_reminders(connection) -> dict:
    from django.test.utils import CaptureQueriesContext

    try:
        module = importlib.import_module("receipts.tasks")
        task = module.send_renewal_reminders
    except (ImportError, AttributeError):
        return {"status": "n/a (not built)"}
    progress("daily reminder scan (receipts.tasks.send_renewal_reminders, in-process)")
    with CaptureQueriesContext(connection) as captured:
        t0 = time.perf_counter()
        outcome = task.apply().get()
        seconds = time.perf_counter() - t0
    selects = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    scans = [q for q in selects if "contributions_contribution" in q["sql"]] or selects
    slowest = max(scans, key=lambda q: float(q["time"]), default=None)
    scan_total_ms = sum(float(q["time"]) for q in scans) * 1000
    plan_text, execution_ms, uses_index = "", None, None
    if slowest:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            plan_text = "\n".join(row[0] for row in cursor.fetchall())
        uses_index = "Index" in plan_text
        for line in plan_text.splitlines():
            if line.strip().startswith("Execution Time:"):
                execution_ms = float(line.split(":")[1].split()[0])
    return {
        "status": "measured",
        "task_seconds": round(seconds, 3),
        "queries": len(captured.captured_queries),
        "task_result": str(outcome)[:200],
        "scan_query_ms": execution_ms,
        "scan_selects": len(scans),
        "scan_selects_total_ms": round(scan_total_ms, 1),
        "scan_uses_index": uses_index,
        "explain": plan_text,
        "target_seconds_at_1m": 1.0,
    }


def measure_celery(task, Receipt) -> dict:
    if task is None:
        return {"status": "n/a (not built)"}
    from django.conf import settings

    flush_redis()
    ids = list(Receipt.objects.filter(pdf="").order_by("id").values_list("id", flat=True)[:CELERY_RENDERS])
    queues = {"celery"}
    for route in (getattr(settings, "CELERY_TASK_ROUTES", None) or {}).values():
        if isinstance(route, dict) and route.get("queue"):
            queues.add(route["queue"])
    log = WORK / "celery.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "matrix_portal",
        "worker",
        "--pool",
        "prefork",
        "--concurrency",
        "2",
        "-l",
        "warning",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-Q",
        ",".join(queues),
        "-n",
        f"bench-{os.getpid()}@%h",
        "--logfile",
        str(log),
    ]
    progress(f"Celery: prefork worker (concurrency 2), {len(ids)} render tasks")
    worker = subprocess.Popen(
        command,
        cwd=ROOT,
        env=dict(os.environ),
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline and len(children(worker.pid)) < 2:
            time.sleep(0.5)
        time.sleep(3)
        idle = {pid: memory_kb(pid).get("VmRSS", 0) for pid in children(worker.pid)}
        for receipt_id in ids:
            args, kwargs = task_call(task, receipt_id)
            task.apply_async(args=args, kwargs=kwargs)
        t0 = time.perf_counter()
        warm, done = None, 0
        deadline = time.time() + 600
        while time.time() < deadline:
            done = Receipt.objects.filter(pk__in=ids).exclude(pdf="").count()
            if warm is None and done >= 50:
                warm = {pid: memory_kb(pid).get("VmRSS", 0) for pid in children(worker.pid)}
            if done >= len(ids):
                break
            if worker.poll() is not None:
                break
            time.sleep(1)
        seconds = time.perf_counter() - t0
        final = {pid: memory_kb(pid) for pid in children(worker.pid)}
        main = memory_kb(worker.pid)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(worker.pid, signal.SIGKILL)
    after_mb = max((m.get("VmRSS", 0) for m in final.values()), default=0) / 1024
    warm_mb = max((warm or {}).values(), default=0) / 1024
    return {
        "status": "measured" if done >= len(ids) else f"incomplete: {done} of {len(ids)} rendered",
        "renders": done,
        "seconds": round(seconds, 1),
        "child_idle_rss_mb": round(max(idle.values(), default=0) / 1024, 1),
        "child_rss_after_50_mb": round(warm_mb, 1),
        "child_rss_after_all_mb": round(after_mb, 1),
        "child_peak_rss_mb": round(max((m.get("VmHWM", 0) for m in final.values()), default=0) / 1024, 1),
        "main_process_rss_mb": round(main.get("VmRSS", 0) / 1024, 1),
        "growth": round(after_mb / warm_mb - 1, 3) if warm_mb else None,
    }


# --- report --------------------------------------------------------------------------------------
def print_table(results: dict) -> None:
    pages = results["pages"]
    lines = [
        "",
        f"MATRIX Portal bench, scale {results['scale']} "
        f"({results['seed'].get('contributions', 0):,} contributions, "
        f"{results['seed'].get('persons', 0):,} persons); "
        f"{results['server']['workers']} gunicorn sync workers; "
        f"load {results['load']['generator']} {results['load']['connections']} connections x "
        f"{results['load']['seconds']:.0f}s; {results['machine']['cpus']} CPUs, load average "
        f"{results['machine']['load_average_at_start']} at the start, "
        f"{results['machine']['load_average_at_end']} at the end",
        "",
        f"{'page':34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'vs bare':>8} {'target':>7} "
        f"{'queries':>11}  note",
        "-" * 112,
    ]
    for key, page in pages.items():
        queries = page.get("queries")
        if "queries_1_row" in page:
            q = f"{page['queries_1_row']}/{page.get('queries_50_rows', queries)}"
        else:
            q = "" if queries is None else str(queries)
        if page.get("queries_kept") is not None and page["queries_kept"] != queries:
            q += f" ({page['queries_kept']})"
        if "rps" in page:
            ratio = page.get("ratio_to_bare")
            target = page.get("target_ratio")
            verdict = ""
            if target:
                verdict = f"{target:.0%} " + ("ok" if ratio is not None and ratio >= target else "MISS")
            note = "" if not page["bad"] else f"{page['bad']} bad responses"
            if key == "bare" and results["bare_rps"]["end"]:
                note += (
                    f"start {results['bare_rps']['start']:.0f} / end {results['bare_rps']['end']:.0f} req/s"
                )
            if page.get("paired_bare_rps"):
                note += f"bare right after: {page['paired_bare_rps']:.0f} req/s"
            if page.get("socket_errors"):
                note += f" {page['socket_errors']} socket errors"
            if page.get("replayed_orders"):
                note += f" {page['replayed_orders']} replayed orders"
            lines.append(
                f"{page['label']:34} {page['rps']:8.0f} {page['p50_ms']:8.1f} {page['p95_ms']:8.1f} "
                f"{(ratio or 0):8.0%} {verdict:>7} {q:>11}  {note}"
            )
        else:
            lines.append(f"{page['label']:34} {page['status']:>44} {q:>11}")
    lines.append("-" * 112)
    lines.append(
        "vs bare: the page's req/s over the bare view's, measured right after the page (else the bare view's "
        "mean of start and end)"
    )
    lines.append(
        "queries: per request on a first visit (test client); dashboard and history show 1 row / 50 rows; "
        "(n): when the page is asked again and served from the page cache"
    )
    hs = results["history_scaling"]
    if hs["small"] and hs["large"]:
        lines.append(
            f"history (first visits) p50 at {hs['rows_small']:,} rows {hs['small']['p50_ms']:.1f} ms "
            f"vs {hs['rows_large']:,} rows "
            f"{hs['large']['p50_ms']:.1f} ms: x{hs['p50_ratio']} (target <= 1.2)"
        )
    else:
        lines.append("history at 1k rows vs large: n/a (history page not built)")
    render = results["render"]
    lines.append(
        f"receipt PDF render: median {render['median_ms']} ms, p90 {render['p90_ms']} ms (target <= 100 ms)"
        if render.get("status") == "measured"
        else f"receipt PDF render: {render['status']}"
    )
    rem = results["reminders"]
    if rem.get("status") == "measured":
        lines.append(
            f"reminder scan: task {rem['task_seconds'] * 1000:.0f} ms ({rem['queries']} queries); "
            f"{rem['scan_selects']} selects on contributions {rem['scan_selects_total_ms']} ms; "
            f"slowest {rem['scan_query_ms']} ms, index used: {'yes' if rem['scan_uses_index'] else 'NO'} "
            f"(target <= 1 s at 1m)"
        )
    else:
        lines.append(f"reminder scan: {rem['status']}")
    lines.append(f"web worker peak RSS: {results['web_worker_peak_rss_mb']} MB (target <= 150 MB)")
    cel = results["celery"]
    if cel.get("status") == "measured":
        lines.append(
            f"Celery worker child RSS: idle {cel['child_idle_rss_mb']} MB, after 50 renders "
            f"{cel['child_rss_after_50_mb']} MB, after {cel['renders']} {cel['child_rss_after_all_mb']} MB "
            f"(growth {cel['growth']:.1%}, target <= 10%); {cel['renders']} renders in {cel['seconds']} s"
        )
    else:
        lines.append(f"Celery worker RSS over 1,000 renders: {cel['status']}")
    seed = results["seed"]
    lines.append(
        f"seed: {seed['seconds']} s (rows generated in {seed['generate_seconds']} s, "
        f"{seed['generate_cpu_seconds']} s of CPU; COPY and index rebuild "
        f"{seed['copy_and_index_seconds']} s); whole run {results['total_seconds']} s"
    )
    print("\n".join(lines), flush=True)
    if rem.get("explain"):
        print("\nreminder scan plan:\n" + rem["explain"], flush=True)


if __name__ == "__main__":
    sys.exit(main())
