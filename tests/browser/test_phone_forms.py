"""Phone-friendly forms: numeric keypads and autofill hints on the IC, OTP, postcode and phone fields, a skip
link to the main content, and touch targets of at least 44 px on key pages."""

import pytest
from django.conf import settings as django_settings

from accounts import services as account_services
from accounts.views import SESSION_LOGIN_IC, SESSION_SIGNUP
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Controls that are part of running text (a link inside a sentence) are exempt, as WCAG 2.5.8 allows.
TOO_SMALL = """() => {
  const main = document.querySelector('main');
  const small = [];
  for (const el of main.querySelectorAll('a, button, input, select, textarea, summary')) {
    if (el.type === 'hidden') continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (el.tagName === 'A' && el.closest('p, li, td, dd, label, small, figcaption, .alert')) {
      if (!el.classList.contains('button')) continue;
    }
    let box = el.getBoundingClientRect();
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label, .checkbox-row') || document.querySelector(`label[for="${el.id}"]`);
      if (label) box = label.getBoundingClientRect();
    }
    if (box.width === 0 && box.height === 0) continue;
    if (box.height < 44 || box.width < 44) {
      const name = (el.innerText || el.name || '').trim().slice(0, 30);
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      small.push(`${el.tagName.toLowerCase()}#${el.id || ''}.${el.className} "${name}" ${size}`);
    }
  }
  return small;
}"""


def log_in(page, client, live_server, user=None, **session_data):
    client.cookies.clear()
    if user is not None:
        client.force_login(user)
    session = client.session
    for key, value in session_data.items():
        session[key] = value
    session.save()
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )


def attrs(page, selector):
    return page.locator(selector).evaluate(
        "el => ({inputmode: el.getAttribute('inputmode'), autocomplete: el.getAttribute('autocomplete'),"
        " type: el.getAttribute('type')})"
    )


def test_forms_ask_phones_for_the_right_keypad_and_autofill(page, client, live_server, reference_data):
    person = UserFactory()

    page.goto("/accounts/login/")
    assert attrs(page, "#id_ic_number") == {
        "inputmode": "numeric",
        "autocomplete": "username",
        "type": "text",
    }
    log_in(page, client, live_server, **{SESSION_LOGIN_IC: person.ic_number})
    page.goto("/accounts/login/password/")
    assert attrs(page, "input[type=password]")["autocomplete"] == "current-password"

    page.goto("/accounts/signup/")
    assert attrs(page, "#id_ic_number")["inputmode"] == "numeric"
    assert attrs(page, "#id_full_name")["autocomplete"] == "name"
    assert attrs(page, "#id_email")["autocomplete"] == "email"
    mobile = attrs(page, "#id_mobile")
    assert mobile["autocomplete"].startswith("tel") and mobile["inputmode"] == "numeric"

    signup, _sent = account_services.signup_start(
        ic_number="900101145567",
        full_name="LIM MEI LING",
        email="mei.ling@example.test",
        mobile="+60123456789",
        language="en",
        ip="127.0.0.1",
    )
    log_in(page, client, live_server, **{SESSION_SIGNUP: signup.pk})
    page.goto("/accounts/signup/otp/")
    assert attrs(page, "#id_token") == {
        "inputmode": "numeric",
        "autocomplete": "one-time-code",
        "type": "text",
    }

    log_in(page, client, live_server, person)
    page.goto("/self-employed/register/information-technology/")
    postcode = attrs(page, "#id_postcode")
    assert postcode["inputmode"] == "numeric" and postcode["autocomplete"] == "postal-code"
    assert attrs(page, "#id_mobile")["autocomplete"] == "tel"
    assert attrs(page, "#id_mobile")["inputmode"] == attrs(page, "#id_house_phone")["inputmode"] == "numeric"
    assert attrs(page, "#id_email")["autocomplete"] == "email"
    assert attrs(page, "#id_address_line1")["autocomplete"] == "address-line1"

    # The skip link is the first thing a keyboard reaches, it shows when focused, and it leads to <main>.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in {"", "none"}
    assert page.locator("main#main").count() == 1


def test_touch_targets_are_at_least_44_px(page, client, live_server, reference_data):
    person = UserFactory()
    problems = {}
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/accounts/forgot-password/"):
        page.goto(path)
        if small := page.evaluate(TOO_SMALL):
            problems[path] = small
    log_in(page, client, live_server, person)
    for path in (
        "/accounts/mode/",
        "/self-employed/",
        "/self-employed/register/",
        "/self-employed/register/information-technology/",
        "/self-employed/contributions/",
        "/accounts/settings/",
    ):
        page.goto(path)
        if small := page.evaluate(TOO_SMALL):
            problems[path] = small
    assert problems == {}
