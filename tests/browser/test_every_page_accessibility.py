"""axe-core over every page a person or a staff member reaches that the public-page test does not cover:
the accounts pages, the self-employed area's payment details, the back office and the counter desk. Each page
in English, Malay and Chinese, at 360x740 and 1280x800: no serious or critical violation, and no horizontal
scroll at 360 px."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts import services as account_services
from accounts.models import EmailToken
from accounts.roles import COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR, ensure_role_groups
from accounts.views import SESSION_LOGIN_IC, SESSION_SIGNUP
from contributions.models import Office
from payments.counter_views import OFFICE_SESSION_KEY
from tests.backoffice.conftest import add_document, make_staff, paid_payment
from tests.browser.conftest import DESKTOP, PHONE, axe_serious_violations
from tests.counter.conftest import take
from tests.factories import ContributionFactory, RegistrationFactory, UserFactory, sector

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["en", "ms", "zh-hans"]


@pytest.fixture
def pages(reference_data):
    """(label, path, user or None, extra session data, set again before every visit) for every page."""
    person = UserFactory(full_name="AHMAD BIN ALI")
    paid = paid_payment(RegistrationFactory(person=person), paid_at=timezone.now() - dt.timedelta(days=1))
    groups = ensure_role_groups()
    staff = make_staff(SUPERVISOR, full_name="SITI SUPERVISOR")
    staff.groups.add(groups[DOCUMENT_REVIEWER], groups[COUNTER_STAFF])
    office = Office.objects.get(code="kuala-krai")
    waiting = RegistrationFactory(person=UserFactory(full_name="NUR AINA"))
    add_document(waiting)
    cash = take(
        ContributionFactory(registration__person=person, registration__sector=sector("agent"), months=2),
        staff,
        office,
    )
    signup, _sent = account_services.signup_start(
        ic_number="900101145567",
        full_name="LIM MEI LING",
        email="mei.ling@example.test",
        mobile="+60123456789",
        language="en",
        ip="127.0.0.1",
    )
    inactive = UserFactory(is_active=False)
    activate = account_services.email_token_create(user=inactive, purpose=EmailToken.Purpose.ACTIVATE)
    reset = account_services.email_token_create(user=person, purpose=EmailToken.Purpose.RESET_PASSWORD)
    desk = {OFFICE_SESSION_KEY: office.pk}
    return [
        ("login", "/accounts/login/", None, {}),
        ("login-password", "/accounts/login/password/", None, {SESSION_LOGIN_IC: person.ic_number}),
        ("signup", "/accounts/signup/", None, {}),
        ("signup-otp", "/accounts/signup/otp/", None, {SESSION_SIGNUP: signup.pk}),
        ("signup-done", "/accounts/signup/done/", None, {"accounts_signup_done": True}),
        ("activate", f"/accounts/activate/{activate}/", None, {}),
        ("forgot-password", "/accounts/forgot-password/", None, {}),
        ("reset-password", f"/accounts/reset-password/{reset}/", None, {}),
        ("mode", "/accounts/mode/", person, {}),
        ("settings", "/accounts/settings/", person, {}),
        ("payment-details", f"/payments/{paid.pk}/", person, {}),
        ("staff-home", "/accounts/staff/", staff, {}),
        ("backoffice", "/staff/", staff, {}),
        ("review-queue", "/staff/review/", staff, {}),
        ("review", f"/staff/review/{waiting.pk}/", staff, {}),
        ("refunds", "/staff/refunds/", staff, {}),
        ("audit", "/staff/audit/", staff, {}),
        ("ops", "/staff/operations/", staff, {}),
        ("counter-no-office", "/counter/", staff, {}),
        ("counter-desk", "/counter/?ic=850505105555", staff, desk),
        ("counter-walk-in", "/counter/walk-in/", staff, desk),
        ("counter-person", f"/counter/people/{person.pk}/", staff, desk),
        ("counter-register", f"/counter/people/{person.pk}/register/", staff, desk),
        ("counter-entry", f"/counter/entries/{cash.pk}/", staff, desk),
        ("counter-reconciliation", "/counter/reconciliation/", staff, desk),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_has_no_serious_accessibility_violations(
    axe_page, live_server, client, settings, language, pages
):
    problems = {}
    for label, path, user, session_data in pages:
        client.cookies.clear()
        if user is not None:
            type(user).objects.filter(pk=user.pk).update(language=language)
            client.force_login(user)
        session = client.session
        for key, value in session_data.items():
            session[key] = value
        session.save()
        axe_page.context.clear_cookies()
        axe_page.context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session.session_key,
                    "url": live_server.url,
                },
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
            ]
        )
        axe_page.set_viewport_size(PHONE)
        response = axe_page.goto(path)
        assert response.status == 200, f"{label}: {response.status} at {axe_page.url}"
        assert axe_page.url.split("?")[0].endswith(path.split("?")[0]), f"{label} went to {axe_page.url}"
        assert axe_page.locator("html").get_attribute("lang") == language, label
        width = axe_page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems[f"{label} @ 360 scroll"] = width
        for size in (PHONE, DESKTOP):
            axe_page.set_viewport_size(size)
            violations = axe_serious_violations(axe_page)
            if violations:
                problems[f"{label} @ {size['width']}"] = violations
    assert problems == {}
