"""CSRF on every state-changing POST (ASVS 3.5.1): walked over every URL pattern of the project.

A POST without a token is refused with the "Page expired" page everywhere, except the endpoints that are
authenticated by an FPX signature instead (FPX posts them cross-site) and the FPX simulator's own gateway
endpoints (development only). The exempt set is asserted exactly, so a new csrf_exempt view fails here.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.security import figures
from tests.security.registry import REGISTRY
from tests.security.urls import all_routes

pytestmark = pytest.mark.django_db

SIGNATURE_AUTHENTICATED = {
    "payments:fpx_direct": "FPX direct AC (server to server), verified by its RSA signature",
    "payments:fpx_return": "FPX indirect AC (the bank's browser redirect), verified by its RSA signature",
}
SIMULATOR = {
    "fpx_simulator:seller_receiver": "the simulated FPX gateway receiving the portal's AR",
    "fpx_simulator:bank_list": "the simulated FPX gateway answering BE",
    "fpx_simulator:txn_status": "the simulated FPX gateway answering AE",
}
EXEMPT = {**SIGNATURE_AUTHENTICATED, **SIMULATOR}


def _url(route, owner) -> str | None:
    if route.name in REGISTRY:
        return reverse(route.name, kwargs=REGISTRY[route.name].make(UserFactory()).kwargs)
    kwargs = {}
    for key, converter in route.pattern.pattern.converters.items():
        kwargs[key] = 1 if type(converter).__name__ == "IntConverter" else "x"
    try:
        return reverse(route.name, kwargs=kwargs)
    except Exception:  # noqa: BLE001 - admin regex routes without a usable reverse
        return None


def test_every_post_without_a_token_is_refused_except_the_signed_fpx_returns():
    owner = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    accepted, tried = [], 0
    for route in all_routes():
        url = _url(route, owner)
        if url is None:
            continue
        response = client.post(url, {"status": "paid", "amount": "1.00"})
        tried += 1
        if response.status_code == 403 and "Page expired" in response.content.decode():
            continue
        accepted.append(route.name)
    figures.add("CSRF-less POSTs tried", tried)
    not_refused, no_longer_exempt = sorted(set(accepted) - set(EXEMPT)), sorted(set(EXEMPT) - set(accepted))
    assert (not_refused, no_longer_exempt) == ([], []), (
        "POSTs without a CSRF token not refused / exemptions gone"
    )
    assert tried > 100


def test_the_same_posts_with_a_token_get_past_the_csrf_check():
    """Control: the refusal above is the token's doing (the log-in form accepts a POST with one)."""
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(reverse("accounts:login"))
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    assert token, "the log-in page sets no CSRF cookie"
    response = strict.post(
        reverse("accounts:login"), {"ic_number": "900101145567", "csrfmiddlewaretoken": token}
    )
    assert response.status_code != 403
