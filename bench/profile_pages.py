"""CPU time per request of the bench's pages, in-process, against a database `make bench` left behind.

CPU time is that of this process only (the database's own work is not included; the query count shows
it instead), and it still varies with the machine's load; the Python function calls per request (counted
with cProfile) do not, so they compare before and after a change on a busy machine.

    BENCH_KEEP_DB=1 BENCH_SCALE=smoke make bench      # once, to leave a seeded database
    python bench/profile_pages.py [--requests 200] [--profile dashboard]

`--profile PAGE` prints a pyinstrument profile of that page (pip install pyinstrument). The dashboard,
history and view pages are measured as asked again (served from the page cache), and as `<page>_cold`:
rendered on every request, with the page cache off.
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", default="")
    parser.add_argument("--pages", default="")
    options = parser.parse_args()

    import django

    django.setup()
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
