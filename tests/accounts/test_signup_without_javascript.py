"""Sign-up without JavaScript: the "I'm not a robot" proof of work cannot run, and neither can the script that
marks the form as sent by a scripted browser; such a form goes through without the proof, under a small
hourly budget of such sign-ups per IP address and for the whole site. The SMS code limits per number and
per IP address still apply after it."""

import datetime as dt
import re

import pytest
from django.utils import translation
from django.utils.html import escape

from accounts import robot
from accounts.models import SignupRequest

from .conftest import signup_data

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
NO_JS = {"robot": "", robot.JS_FIELD: ""}


def no_js_data(number: int, **overrides) -> dict:
    """A no-JS sign-up for a different person each time (IC and mobile differ)."""
    return signup_data(
        ic_number=f"90010114{5500 + number:04d}",
        mobile=f"012-345 {6700 + number:04d}",
        email=f"person{number}@example.test",
        **NO_JS,
        **overrides,
    )


def errors_for(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_the_page_explains_the_way_without_javascript_and_hides_the_tick_box_until_the_script_runs(client):
    page = client.get(SIGNUP).content.decode()
    assert f'name="{robot.JS_FIELD}" value="" data-robot-js' in page
    assert re.search(r'<p class="note" data-robot-no-js>\s*You can sign up without JavaScript', page)
    assert 'class="checkbox-row robot-check__row" hidden' in page


def test_without_javascript_the_sign_up_goes_on_to_the_sms_code(client, sms_outbox, settings):
    response = client.post(SIGNUP, no_js_data(1), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/otp/"
    assert SignupRequest.objects.count() == 1
    assert len(sms_outbox) == 1


def test_with_the_script_the_robot_check_is_still_required(client):
    response = client.post(SIGNUP, signup_data(robot=""))  # the script ran, but the box was not ticked
    assert errors_for(response, "robot") == [str(robot.ROBOT_REQUIRED)]
    assert SignupRequest.objects.count() == 0


def test_a_payload_sent_with_the_marker_is_still_checked(client):
    response = client.post(SIGNUP, signup_data(robot="bm90IGEgcGF5bG9hZA==", **{robot.JS_FIELD: ""}))
    assert errors_for(response, "robot") == [str(robot.ROBOT_INVALID)]


def test_each_ip_address_has_a_small_hourly_budget(client, settings):
    settings.SIGNUP_NO_JS_MAX_PER_IP_PER_HOUR = 2
    for number in (1, 2):
        assert client.post(SIGNUP, no_js_data(number), REMOTE_ADDR="203.0.113.7").status_code == 302
    response = client.post(SIGNUP, no_js_data(3), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    assert errors_for(response, "robot") == [str(robot.NO_JS_BUDGET_SPENT)]
    assert escape(str(robot.NO_JS_BUDGET_SPENT)) in response.content.decode()
    assert SignupRequest.objects.count() == 2
    # nothing typed is lost
    assert response.context["form"]["email"].value() == "person3@example.test"
    assert response.context["form"]["full_name"].value() == "Nur Aina binti Ahmad"
    # another address still has its own budget
    assert client.post(SIGNUP, no_js_data(4), REMOTE_ADDR="198.51.100.9").status_code == 302


def test_the_whole_site_has_an_hourly_budget_too(client, settings):
    settings.SIGNUP_NO_JS_MAX_PER_IP_PER_HOUR = 10
    settings.SIGNUP_NO_JS_MAX_PER_HOUR = 2
    assert client.post(SIGNUP, no_js_data(1), REMOTE_ADDR="203.0.113.1").status_code == 302
    assert client.post(SIGNUP, no_js_data(2), REMOTE_ADDR="203.0.113.2").status_code == 302
    response = client.post(SIGNUP, no_js_data(3), REMOTE_ADDR="203.0.113.3")
    assert errors_for(response, "robot") == [str(robot.NO_JS_BUDGET_SPENT)]


def test_sign_ups_with_the_robot_check_do_not_use_the_budget(client, settings):
    settings.SIGNUP_NO_JS_MAX_PER_IP_PER_HOUR = 1
    from .conftest import robot_payload

    assert client.post(SIGNUP, signup_data(robot=robot_payload())).status_code == 302
    assert client.post(SIGNUP, no_js_data(2)).status_code == 302


def test_refused_forms_do_not_use_the_budget(client, settings):
    settings.SIGNUP_NO_JS_MAX_PER_IP_PER_HOUR = 1
    response = client.post(SIGNUP, no_js_data(1, agree_terms=""))
    assert response.status_code == 200 and "agree_terms" in response.context["form"].errors
    assert client.post(SIGNUP, no_js_data(1)).status_code == 302


def test_the_budget_is_counted_per_clock_hour():
    start = dt.datetime(2026, 11, 22, 9, 59, tzinfo=dt.UTC)
    budget = {"per_ip": 1, "site": 5}
    assert robot.no_js_budget_take(ip="203.0.113.7", now=start, **budget)
    assert not robot.no_js_budget_take(ip="203.0.113.7", now=start, **budget)
    assert robot.no_js_budget_take(ip="203.0.113.7", now=start + dt.timedelta(minutes=2), **budget)


def test_an_unknown_address_shares_one_budget():
    now = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
    assert robot.no_js_budget_take(ip=None, now=now, per_ip=1, site=5)
    assert not robot.no_js_budget_take(ip=None, now=now, per_ip=1, site=5)


@pytest.mark.parametrize("language, words", [("ms", "JavaScript"), ("zh-hans", "JavaScript")])
def test_the_budget_message_is_translated(client, settings, language, words):
    settings.SIGNUP_NO_JS_MAX_PER_HOUR = 0
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(SIGNUP, no_js_data(1))
    [message] = errors_for(response, "robot")
    with translation.override("en"):
        english = str(robot.NO_JS_BUDGET_SPENT)
    assert message != english and words in message
