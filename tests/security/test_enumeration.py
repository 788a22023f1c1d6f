"""No account enumeration (ASVS 6.3.8) at sign-up, log-in step 1 and forgot-password.

For an IC with an account and one without, ~15 requests each (from different addresses, so no rate limit
interferes) must give the same status, the same redirect, the same body length once the per-request CSRF
token and CSP nonce (and, at log-in, the phrase itself) are blanked out, and similar median times.
"""

import re
import statistics
import time
from itertools import count

import pytest
from django.test import Client

from tests.accounts.conftest import signup_data
from tests.factories import UserFactory
from tests.security import figures

pytestmark = pytest.mark.django_db

REPEAT = 15
KNOWN_IC, UNKNOWN_IC = "790811087654", "900101145567"
_address = count(1)
_mobile = count(3000001)
VOLATILE = [
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")'),
    re.compile(r'(nonce=")[^"]*(")'),
    re.compile(r'(data-testid="secret-phrase">)[^<]*(<)'),
    re.compile(r'(name="robot"[^>]*value=")[^"]*(")'),
    re.compile(r"(challenge&quot;:&quot;|challengejson=\")[^\"&]*()"),
]


@pytest.fixture(autouse=True)
def _quick_robot_check(settings):
    settings.ROBOT_CHECK_MAX_NUMBER = 2000


def normalise(body: bytes) -> str:
    text = body.decode()
    for pattern in VOLATILE:
        text = pattern.sub(
            lambda m: m.group(1) + (m.group(2) if m.lastindex and m.lastindex > 1 else ""), text
        )
    return text


def fresh_client() -> Client:
    n = next(_address)
    return Client(REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")


def login_step1(ic):
    client = fresh_client()
    started = time.perf_counter()
    first = client.post("/accounts/login/", {"ic_number": ic})
    second = client.get(first["Location"]) if first.status_code == 302 else first
    return time.perf_counter() - started, [first, second]


def forgot_password(ic):
    client = fresh_client()
    started = time.perf_counter()
    response = client.post("/accounts/forgot-password/", {"ic_number": ic})
    return time.perf_counter() - started, [response]


def sign_up(ic):
    client = fresh_client()
    data = signup_data(
        ic_number=ic, mobile=f"+6013{next(_mobile):07d}", email=f"x{next(_mobile)}@example.test"
    )
    started = time.perf_counter()
    response = client.post("/accounts/signup/", data)
    return time.perf_counter() - started, [response]


def shape(responses) -> list[tuple]:
    return [(r.status_code, r.get("Location", ""), len(normalise(r.content))) for r in responses]


@pytest.mark.parametrize("step", [login_step1, forgot_password, sign_up], ids=lambda f: f.__name__)
def test_known_and_unknown_ic_look_the_same(step):
    UserFactory(ic_number=KNOWN_IC, email="known@example.test")
    timings = {KNOWN_IC: [], UNKNOWN_IC: []}
    shapes = {KNOWN_IC: set(), UNKNOWN_IC: set()}
    for _ in range(REPEAT):
        for ic in (KNOWN_IC, UNKNOWN_IC):
            elapsed, responses = step(ic)
            timings[ic].append(elapsed)
            shapes[ic].add(tuple(shape(responses)))
    figures.add("enumeration probes", 2 * REPEAT)
    assert shapes[KNOWN_IC] == shapes[UNKNOWN_IC], shapes
    assert len(shapes[KNOWN_IC]) == 1, shapes  # and stable from one request to the next
    assert all(status < 500 for status, _loc, _len in next(iter(shapes[KNOWN_IC])))
    known, unknown = statistics.median(timings[KNOWN_IC]), statistics.median(timings[UNKNOWN_IC])
    slow, fast = max(known, unknown), min(known, unknown)
    assert slow <= 3 * fast + 0.05, f"median {known * 1000:.1f} ms known vs {unknown * 1000:.1f} ms unknown"
