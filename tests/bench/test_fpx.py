"""The bench's direct ACs are made with the portal's own FPX code, and the portal accepts them."""

import datetime as dt
from urllib.parse import parse_qsl

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bench import fpx as bench_fpx
from bench.seed import Seeder
from payments import fpx, keys
from payments.models import Payment
from receipts.models import Receipt

NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 15, 30, 0))


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_bench_ac_verifies_and_pays_its_order(client):
    bench_fpx.ensure_keys(settings)
    seeder = Seeder(now=NOW, seed=3)
    seeder.population(persons=6, contributions=12)
    seeder.unpaid_tail(failed=1, pending=1)
    orders = seeder.pending_orders(2)
    seeder.write()
    stamp = timezone.localtime(timezone.now())
    messages = [
        bench_fpx.ac_fields(
            {**order.__dict__},
            exchange_id=settings.FPX_EXCHANGE_ID,
            seller_id=settings.FPX_SELLER_ID,
            sequence=i,
            now=stamp,
        )
        for i, order in enumerate(orders)
    ]
    bodies = bench_fpx.signed_bodies(messages, key_path=settings.FPX_GATEWAY_KEY_PATH)
    fields = dict(parse_qsl(bodies[0], keep_blank_values=True))
    parsed = fpx.parse_message(fields, "AC", keys.gateway_public_keys())
    assert parsed.signature_valid
    assert list(parsed.fields) == list(fpx.AC_FIELDS)

    response = client.post(
        reverse("payments:fpx_direct"), bodies[0], content_type="application/x-www-form-urlencoded"
    )
    assert response.content == b"OK"
    payment = Payment.objects.get(pk=orders[0].payment_id)
    assert payment.status == Payment.Status.PAID
    assert Receipt.objects.filter(payment=payment).exists()
    assert Payment.objects.get(pk=orders[1].payment_id).status == Payment.Status.PENDING
