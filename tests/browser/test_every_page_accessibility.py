"""axe-core over every page of the portal a person, a tester or a staff member reaches: the public pages,
the accounts pages, the self-employed area, the payment pages, the back office, the counter desk and the
FPX simulator's console. Each page in English, Malay and Chinese, at 360x740 and 1280x800: no serious or
critical violation, and no horizontal scroll at 360 px.

The pages visited must be exactly tests/browser/axe_pages.py's SWEPT, and tests/portal/test_axe_coverage.py
fails when a URL pattern is neither there nor in its EXEMPT list, so a new page cannot ship unswept."""

import datetime as dt
from uuid import uuid4

import pytest
from django.conf import settings as django_settings
from django.urls import resolve
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from accounts import services as account_services
from accounts.models import EmailToken
from accounts.roles import COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR, ensure_role_groups
from accounts.views import SESSION_LOGIN_IC, SESSION_MOBILE_DEVICE, SESSION_SIGNUP
from contributions.models import Office
from payments.counter_views import OFFICE_SESSION_KEY
from payments.models import Bank
from payments.services import payment_start_fpx
from payments.views import ACKNOWLEDGED_SESSION_KEY
from tests.backoffice.conftest import add_document, make_staff, paid_payment
from tests.browser.axe_pages import SWEPT
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, axe_serious_violations
from tests.counter.conftest import take
from tests.factories import ContributionFactory, RegistrationFactory, UserFactory, sector

PASSWORD = "Correct-Horse-Battery-9"  # the factory's


def void_with_no_reason(page):
    """The supervisor presses Void entry without a reason: the void page with its error."""
    page.locator("form[action$='/void/'] button[type=submit]").click()
    page.wait_for_url("**/void/")


def without_the_fpx_autosubmit(page):
    """Keep the FPX hand-off page on screen: its script would post it to the gateway at once."""
    page.route("**/js/payments.js", lambda route: route.abort())


without_the_fpx_autosubmit.before_visit = True

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["en", "ms", "zh-hans"]


@pytest.fixture
def pages(reference_data):
    """(label, path, user or None, extra session data set again before every visit, and optionally what to
    do on the page before checking it) for every page."""
    person = UserFactory(full_name="AHMAD BIN ALI", self_employed_code="K0200078756M")
    registration = RegistrationFactory(person=person)
    paid = paid_payment(registration, paid_at=timezone.now() - dt.timedelta(days=1))
    receipt = paid.receipt
    submitted = ContributionFactory(registration__person=person, registration__sector=sector("hawkers"))
    pending = payment_start_fpx(
        contribution=ContributionFactory(
            registration__person=person, registration__sector=sector("online-business")
        ),
        bank=Bank.objects.get(fpx_id="ABB0233"),
        idempotency_key=str(uuid4()),
    )
    mobile_change = account_services.user_mobile_change_start(
        user=person, current_password=PASSWORD, mobile=PhoneNumber.from_string("+60139998877"), ip="127.0.0.1"
    )
    email_change = account_services.email_token_create(
        user=person, purpose=EmailToken.Purpose.CHANGE_EMAIL, new_email="ahmad.new@example.test"
    )
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
    voidable = take(  # taken by another member of staff, so the supervisor may void it
        ContributionFactory(registration__person=person, registration__sector=sector("art")),
        make_staff(COUNTER_STAFF, full_name="CHONG COUNTER"),
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
        ("home", "/", None, {}),
        ("help", "/help/", None, {}),
        ("benefits", "/benefits/?plan=4&assessment_percent=20&age_factor=8873&funeral_cost=10", None, {}),
        ("terms", "/terms/", None, {}),
        ("dev-outbox", "/dev/outbox/", None, {}),
        ("login", "/accounts/login/", None, {}),
        ("login-password", "/accounts/login/password/", None, {SESSION_LOGIN_IC: person.ic_number}),
        ("signup", "/accounts/signup/", None, {}),
        ("signup-otp", "/accounts/signup/otp/", None, {SESSION_SIGNUP: signup.pk}),
        ("signup-done", "/accounts/signup/done/", None, {"accounts_signup_done": True}),
        ("activate", f"/accounts/activate/{activate}/", None, {}),
        ("forgot-password", "/accounts/forgot-password/", None, {}),
        ("forgot-password-sent", "/accounts/forgot-password/sent/", None, {}),
        ("reset-password", f"/accounts/reset-password/{reset}/", None, {}),
        ("mode", "/accounts/mode/", person, {}),
        ("settings", "/accounts/settings/", person, {}),
        (
            "settings-mobile-otp",
            "/accounts/settings/mobile/otp/",
            person,
            {SESSION_MOBILE_DEVICE: mobile_change.device.pk},
        ),
        ("confirm-email", f"/accounts/confirm-email/{email_change}/", person, {}),
        ("dashboard", "/self-employed/", person, {}),
        ("register", "/self-employed/register/", person, {}),
        ("register-form", "/self-employed/register/support-services/", person, {}),
        ("history", "/self-employed/contributions/", person, {}),
        ("view", f"/self-employed/contributions/{paid.contribution_id}/", person, {}),
        ("renewal", "/self-employed/renew/", person, {}),
        ("renew", f"/self-employed/renew/{registration.pk}/", person, {}),
        ("pay-now", f"/payments/contribution/{submitted.pk}/pay/", person, {}),
        (
            "select-bank",
            f"/payments/contribution/{submitted.pk}/pay/bank/",
            person,
            {ACKNOWLEDGED_SESSION_KEY: [submitted.pk]},
        ),
        ("to-gateway", f"/payments/{pending.pk}/fpx/", person, {}, without_the_fpx_autosubmit),
        ("payment-details", f"/payments/{paid.pk}/", person, {}),
        ("return-unconfirmed", "/payments/fpx/return/unconfirmed/", None, {}),
        ("receipt-verify", f"/receipts/verify/{receipt.number}/{receipt.verification_token}/", None, {}),
        ("fpx-simulator-console", "/fpx-simulator/", None, {}),
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
        ("counter-register-form", f"/counter/people/{person.pk}/register/support-services/", staff, desk),
        ("counter-take-cash", f"/counter/contributions/{submitted.pk}/cash/", staff, desk),
        ("counter-renew-cash", f"/counter/registrations/{registration.pk}/cash/", staff, desk),
        ("counter-entry", f"/counter/entries/{cash.pk}/", staff, desk),
        ("counter-void", f"/counter/entries/{voidable.pk}/", staff, desk, void_with_no_reason),
        ("counter-reconciliation", "/counter/reconciliation/", staff, desk),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_has_no_serious_accessibility_violations(
    axe_page, live_server, client, settings, language, pages
):
    problems = {}
    swept = set()
    folder = ARTIFACTS / f"every-page-{language}"  # every page in this language, for people to look at
    folder.mkdir(parents=True, exist_ok=True)
    for label, path, user, session_data, *act in pages:
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
        axe_page.unroute("**/js/payments.js")
        for step in act:
            if getattr(step, "before_visit", False):
                step(axe_page)
        response = axe_page.goto(path)
        assert response.status == 200, f"{label}: {response.status} at {axe_page.url}"
        assert axe_page.url.split("?")[0].endswith(path.split("?")[0]), f"{label} went to {axe_page.url}"
        for step in act:
            if not getattr(step, "before_visit", False):
                step(axe_page)
        swept.add(resolve(axe_page.url.split(live_server.url, 1)[1].split("?")[0]).view_name)
        assert axe_page.locator("html").get_attribute("lang") == language, label
        width = axe_page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems[f"{label} @ 360 scroll"] = width
        for size in (PHONE, DESKTOP):
            axe_page.set_viewport_size(size)
            kind = "phone" if size is PHONE else "desktop"
            axe_page.screenshot(path=str(folder / f"{label}-{kind}.png"), full_page=True)
            violations = axe_serious_violations(axe_page)
            if violations:
                problems[f"{label} @ {size['width']}"] = violations
    assert problems == {}
    assert sorted(swept) == sorted(SWEPT), "tests/browser/axe_pages.py's SWEPT must list the pages swept here"
