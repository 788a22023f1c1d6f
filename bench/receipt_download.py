"""Requests per second: downloading a stored receipt versus a bare Django view (target: at least half).

Run: python bench/receipt_download.py [--seconds 3] [--json]
Both go through the whole middleware stack with a logged-in owner, in one process, on a throw-away SQLite
test database (or the one DATABASE_URL names, as test_<name>).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matrix_portal.settings.test")

import django  # noqa: E402

django.setup()

from django.http import HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("", include("matrix_portal.urls"))]


def rate(client, url: str, seconds: float) -> float:
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        count += 1
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import tempfile

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    with override_settings(ROOT_URLCONF=__name__, MEDIA_ROOT=Path(tempfile.mkdtemp()), DEBUG=False):
        from receipts.services import receipt_store_pdf
        from tests.receipts.conftest import seed_receipt

        receipt = seed_receipt()
        receipt_store_pdf(receipt_id=receipt.pk)
        client = Client()
        client.force_login(receipt.payment.contribution.person)
        download = reverse("receipts:download", kwargs={"pk": receipt.pk})
        rate(client, download, 0.5)  # warm up
        bare_rps = rate(client, "/bench/bare/", args.seconds)
        download_rps = rate(client, download, args.seconds)
    connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)
    result = {
        "name": "receipt_download",
        "bare_rps": round(bare_rps, 1),
        "download_rps": round(download_rps, 1),
        "ratio": round(download_rps / bare_rps, 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"bare view {result['bare_rps']} req/s, stored receipt download {result['download_rps']} req/s "
            f"(ratio {result['ratio']}; target >= 0.5)"
        )


if __name__ == "__main__":
    main()
