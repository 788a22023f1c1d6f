"""Time the receipt PDF render: prints the median of 50 renders (after one warm-up render).

Run: python bench/receipt_render.py [--cjk] [--renders N]
Uses an unsaved Receipt row with the seed's figures, so it needs no database.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matrix_portal.settings.test")

import django  # noqa: E402

django.setup()

from receipts.models import Receipt  # noqa: E402
from receipts.rendering import render_receipt_pdf  # noqa: E402

MYT = ZoneInfo("Asia/Kuala_Lumpur")


def sample_receipt(name: str) -> Receipt:
    return Receipt(
        number="20190000104627",
        year=2019,
        sequence=104627,
        verification_token="bench-token-not-secret-0123456789abcdefghijk",
        ic_number="900101141234",
        self_employed_code="K0200078756M",
        name=name,
        sector_name_ms="TEKNOLOGI MAKLUMAT",
        payment_method_label="Portal MATRIX - FPX",
        plan_yearly_amount=Decimal("232.80"),
        months=4,
        amount=Decimal("77.60"),
        paid_at=dt.datetime(2019, 12, 27, 16, 35, 8, tzinfo=MYT),
        coverage_start=dt.datetime(2020, 1, 23, 0, 0, 0, tzinfo=MYT),
        coverage_end=dt.datetime(2020, 5, 22, 23, 59, 59, tzinfo=MYT),
        bank_name="Affin Bank",
        fpx_txn_id="1234567890",
        issued_at=dt.datetime(2019, 12, 27, 16, 35, 9, tzinfo=MYT),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--cjk", action="store_true", help="a Chinese name (loads the CJK font)")
    parser.add_argument("--json", action="store_true", help="print one JSON line for bench/run.py")
    args = parser.parse_args()
    receipt = sample_receipt("陈美玲 TAN MEI LING" if args.cjk else "NURUL ASYIKIN BINTI MOHD ZABRI")
    started = time.perf_counter()
    first = render_receipt_pdf(receipt)
    first_ms = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(args.renders):
        started = time.perf_counter()
        pdf = render_receipt_pdf(receipt)
        times.append((time.perf_counter() - started) * 1000)
        assert pdf == first, "rendering is not deterministic"
    times.sort()
    median = statistics.median(times)
    if args.json:
        print(
            json.dumps(
                {
                    "name": "receipt_render_cjk" if args.cjk else "receipt_render",
                    "renders": len(times),
                    "median_ms": round(median, 1),
                    "first_ms": round(first_ms, 1),
                    "bytes": len(first),
                }
            )
        )
        return
    print(
        f"receipt render ({'CJK' if args.cjk else 'Latin'} name, {len(first)} bytes): "
        f"first {first_ms:.0f} ms, median {median:.1f} ms, "
        f"p90 {times[int(len(times) * 0.9) - 1]:.1f} ms over {len(times)} renders"
    )


if __name__ == "__main__":
    main()
