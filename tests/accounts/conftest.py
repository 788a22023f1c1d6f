import re

import altcha
import pytest

from accounts import robot

STRONG_PASSWORD = "Kopi-Peng-Satu-2026"


@pytest.fixture(autouse=True)
def _quick_robot_check(settings):
    """A small proof of work so tests solve it in a few milliseconds."""
    settings.ROBOT_CHECK_MAX_NUMBER = 2000


def robot_payload() -> str:
    challenge = robot.challenge_create()
    solution = altcha.solve_challenge(
        challenge["challenge"], challenge["salt"], challenge["algorithm"], challenge["maxNumber"]
    )
    return altcha.Payload(
        challenge["algorithm"],
        challenge["challenge"],
        solution.number,
        challenge["salt"],
        challenge["signature"],
    ).to_base64()


def signup_data(**overrides) -> dict:
    data = {
        "ic_number": "900101-14-5567",
        "full_name": "Nur Aina binti Ahmad",
        "email": "Aina.Ahmad@Example.test",
        "mobile": "012-345 6789",
        "agree_terms": "on",
        "robot": robot_payload(),
        robot.JS_FIELD: "1",  # sent by a browser that runs the script (see test_signup_without_javascript.py)
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def last_code(outbox) -> str:
    return re.search(r"Your OTP requested is (\d{6}) on", outbox[-1]["body"]).group(1)


@pytest.fixture
def signed_up(db, client, sms_outbox):
    """A sign-up submitted: returns the code sent by SMS."""
    response = client.post("/accounts/signup/", signup_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    return last_code(sms_outbox)
