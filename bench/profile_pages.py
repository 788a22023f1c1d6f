"""CPU time per request of the bench's pages, in-process, against a database `make bench` left behind.

CPU time is that of this process only (the database's own work is not included; the query count shows
it instead), and it still varies with the machine's load; the Python function calls per request (counted
with cProfile) do not, so they compare before and after a change on a busy machine.

    BENCH_KEEP_DB=1 BENCH_SCALE=smoke make bench      # once, to leave a seeded database
    python bench/profile_pages.py [--requests 200] [--profile dashboard]
    python bench/profile_pages.py --pages direct_ac [--profile direct_ac]

`--profile PAGE` prints a pyinstrument profile of that page (pip install pyinstrument). The dashboard,
history and view pages are measured as asked again (served from the page cache), and as `<page>_cold`:
rendered on every request, with the page cache off.

`direct_ac` posts approved ACs, signed with the bench's gateway key, each for a different pending payment
of the bench database (so each one confirms a payment, numbers a receipt and queues its PDF, and uses the
order up: about 250 a run with the defaults; `make bench` at smoke scale leaves 1,300). Besides this
process's CPU it reports the CPU of the PostgreSQL backend that served the requests (read from /proc: the
database must run on this machine) and the Redis round trips (the PDF task's publish) per AC.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matrix_portal.settings.bench")
os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", ""))
os.environ.setdefault("REDIS_URL", os.environ.get("BENCH_REDIS_URL", ""))
for name in ("DATABASE_URL", "REDIS_URL"):
    if not os.environ[name]:
        del os.environ[name]


def python_calls(client, path: str, requests: int = 10) -> int:
    """Python function calls per request: a count that does not depend on how busy the machine is."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        client.get(path)
    profile.disable()
    return pstats.Stats(profile).total_calls // requests


def _backend_cpu(connection) -> tuple[int, float]:
    """(pid, CPU seconds so far) of the PostgreSQL backend behind `connection`, from /proc."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _RedisRoundTrips:
    """Counts the commands and pipelines redis-py sends (the Celery publish goes through it)."""

    def __init__(self):
        from redis.connection import AbstractConnection

        self.count = 0
        self._cls = AbstractConnection
        self._original = AbstractConnection.send_packed_command

    def __enter__(self):
        original, counter = self._original, self

        def counted(connection, command, check_health=True):
            counter.count += 1
            return original(connection, command, check_health)

        self._cls.send_packed_command = counted
        return self

    def __exit__(self, *exc):
        self._cls.send_packed_command = self._original


def measure_direct_ac(options) -> None:
    """The direct AC on distinct pending payments: CPU here and in PostgreSQL, queries, calls, round trips."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from bench import fpx as bench_fpx
    from bench.run import test_client
    from payments.models import Payment

    requests = options.requests
    warm, calls_n, profiled = 20, 10, requests if options.profile == "direct_ac" else 0
    needed = warm + 1 + requests + calls_n + profiled
    pending = list(
        Payment.objects.filter(method=Payment.Method.FPX, status=Payment.Status.PENDING)
        .select_related("bank")
        .order_by("pk")[:needed]
    )
    if len(pending) < needed:
        sys.exit(f"direct_ac needs {needed} pending FPX payments; the bench database has {len(pending)}")
    stamp = timezone.localtime()
    messages = [
        bench_fpx.ac_fields(
            {
                "bank_fpx_id": p.bank.fpx_id,
                "exchange_order_no": p.exchange_order_no,
                "seller_order_no": p.seller_order_no,
                "seller_txn_time": p.seller_txn_time,
                "amount": p.amount,
            },
            exchange_id=settings.FPX_EXCHANGE_ID,
            seller_id=settings.FPX_SELLER_ID,
            sequence=p.pk,
            now=stamp,
        )
        for p in pending
    ]
    bodies = iter(bench_fpx.signed_bodies(messages, key_path=settings.FPX_GATEWAY_KEY_PATH, workers=1))
    path = reverse("payments:fpx_direct")
    client = test_client(None)

    def post():
        response = client.post(path, data=next(bodies), content_type="application/x-www-form-urlencoded")
        assert response.content == b"OK", response.content

    for _ in range(warm):
        post()
    with CaptureQueriesContext(connection) as captured:
        post()
    queries = len(captured.captured_queries)
    if options.show_queries:
        for query in captured.captured_queries:
            print(f"  {query['time']:>6}  {query['sql'][:150]}")
    pid, pg0 = _backend_cpu(connection)
    samples = []
    with _RedisRoundTrips() as redis_trips:
        cpu0 = time.process_time()
        for _ in range(requests):
            t0 = time.process_time()
            post()
            samples.append(time.process_time() - t0)
        cpu = (time.process_time() - cpu0) / requests
    pid_after, pg1 = _backend_cpu(connection)
    pg = (pg1 - pg0) / requests if pid_after == pid else float("nan")  # nan: the connection was replaced
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(calls_n):
        post()
    profile.disable()
    calls = pstats.Stats(profile).total_calls // calls_n
    print(
        f"{'page':<10} {'cpu ms/req':>10} {'median ms':>10} {'pg cpu ms':>10} {'queries':>8} "
        f"{'redis rt':>9} {'py calls/req':>13}"
    )
    median = statistics.median(samples)
    print(
        f"{'direct_ac':<10} {cpu * 1000:>10.2f} {median * 1000:>10.2f} {pg * 1000:>10.2f} "
        f"{queries:>8} {redis_trips.count / requests:>9.1f} {calls:>13,}"
    )
    if profiled:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(profiled):
            post()
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=bool(os.environ.get("PROFILE_ALL"))))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", default="")
    parser.add_argument("--pages", default="")
    parser.add_argument("--show-queries", action="store_true", help="direct_ac: print its SQL statements")
    options = parser.parse_args()

    import django

    django.setup()
    if options.pages == "direct_ac":
        measure_direct_ac(options)
        return 0
    from django.db.models import Count
    from django.test.utils import override_settings
    from django.urls import reverse

    from accounts.models import User
    from bench.run import session_cookie
    from contributions.models import Contribution
    from receipts.models import Receipt
    from receipts.services import receipt_store_pdf

    fifty = (
        User.objects.filter(is_staff=False)
        .annotate(n=Count("contributions"))
        .filter(n__gte=50)
        .order_by("pk")
        .first()
    )
    receipt = Receipt.objects.filter(payment__contribution__person=fifty).order_by("pk").first()
    if not receipt.pdf:
        receipt_store_pdf(receipt_id=receipt.pk)
    contribution = Contribution.objects.filter(person=fifty).order_by("pk").first()
    cookie = session_cookie(fifty)
    pages = {
        "bare": ("/bench/bare/", None),
        "bare_auth": ("/bench/bare/", cookie),  # the same view, logged in: what every personal page pays
        "home": (reverse("home"), None),
        "login": (reverse("accounts:login"), None),
        "dashboard": (reverse("contributions:dashboard"), cookie),
        "history": (reverse("contributions:history"), cookie),
        "view": (reverse("contributions:view", args=[contribution.pk]), cookie),
        "download": (reverse("receipts:download", args=[receipt.pk]), cookie),
    }
    # the personal pages as rendered on a first visit, with the page cache off
    for key in ("dashboard", "history", "view"):
        pages[f"{key}_cold"] = pages[key]
    wanted = [p for p in options.pages.split(",") if p] or list(pages)
    print(f"{'page':<14} {'cpu ms/req':>10} {'median ms':>10} {'queries':>8} {'py calls/req':>13}")
    for key in wanted:
        if key.endswith("_cold"):
            with override_settings(PERSONAL_PAGE_CACHE_SECONDS=0):
                measure(key, *pages[key], options)
        else:
            measure(key, *pages[key], options)
    return 0


def measure(key: str, path: str, page_cookie: str | None, options) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.run import test_client

    client = test_client(page_cookie)
    for _ in range(20):
        response = client.get(path)
        assert response.status_code == 200, (key, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    queries = len(captured.captured_queries)  # read now: the next request clears the log
    samples = []
    cpu0 = time.process_time()
    for _ in range(options.requests):
        t0 = time.process_time()
        response = client.get(path)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        samples.append(time.process_time() - t0)
    cpu = (time.process_time() - cpu0) / options.requests
    median = statistics.median(samples)
    calls = python_calls(client, path)
    print(f"{key:<14} {cpu * 1000:>10.2f} {median * 1000:>10.2f} {queries:>8} {calls:>13,}")
    if key == options.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(options.requests):
            client.get(path)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=bool(os.environ.get("PROFILE_ALL"))))


if __name__ == "__main__":
    sys.exit(main())
