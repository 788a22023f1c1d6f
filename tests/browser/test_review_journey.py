"""A reviewer rejects a registration; the person sees why and registers again; a reviewer approves it."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import DOCUMENT_REVIEWER, SUPERVISOR
from contributions.models import Contribution, SectorRegistration
from tests.backoffice.conftest import PDF_BYTES, add_document, make_staff, paid_payment
from tests.browser.conftest import staff_log_in
from tests.contributions import files
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
WAIT_MS = 15_000  # generous: CI machines are busy


def _logged_in_page(browser, live_server, user):
    """Staff log in through the pages (password and the SMS code of the second step); the person's session
    is made with force_login, the log-in pages being tested elsewhere."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url)
    context.set_default_timeout(15000)
    if user.is_staff:
        page = context.new_page()
        staff_log_in(page, user)
        return context, page
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context, context.new_page()


def _submit(page, button_name):
    """Press the form's button once the page (its image and frame included) has settled.

    Keyboard activation does not depend on where the button is drawn, so a late layout shift cannot
    swallow the submission; waiting for the navigation makes a lost one fail here, clearly.
    """
    page.wait_for_load_state("load")
    with page.expect_navigation(timeout=WAIT_MS):
        page.get_by_role("button", name=button_name).press("Enter")


def _fill_registration_form(page):
    page.get_by_label("Status Self-Employed Person").select_option("others")
    page.get_by_label("Race").select_option("malay")
    page.get_by_label("Address Line 1").fill("No. 61 1st Floor")
    page.get_by_label("State").select_option(label="Kelantan")
    page.get_by_label("City").select_option(label="Kuala Krai")
    page.get_by_label("Post Code").fill("18000")
    page.get_by_label("Preferred PERKESO Branch For Services").select_option(
        label="Pejabat PERKESO Kuala Krai"
    )
    page.get_by_label("Class").select_option(label="Mobile Application")
    page.set_input_files(
        "#id_doc_ic", files=[{"name": "new-ic.jpg", "mimeType": "image/jpeg", "buffer": files.jpeg_bytes()}]
    )
    page.set_input_files(
        "#id_doc_licence",
        files=[{"name": "new-licence.pdf", "mimeType": "application/pdf", "buffer": files.pdf_bytes()}],
    )
    page.locator("label[for='id_plan_1']").click()
    page.get_by_label("Contribution Months").select_option("1")
    page.get_by_label("I hereby certify").check()


def _registration_with_documents(person):
    registration = RegistrationFactory(person=person, submitted_at=timezone.now() - dt.timedelta(days=1))
    add_document(registration)
    add_document(registration, kind="licence", content=PDF_BYTES)
    return registration


def test_reject_then_register_again_then_approve(browser, live_server, shot, reference_data, sms_outbox):
    reviewer = make_staff(DOCUMENT_REVIEWER, full_name="RAHMAN REVIEWER")
    person = UserFactory(full_name="AHMAD BIN ALI", language="en")
    first = _registration_with_documents(person)
    paid = paid_payment(first, paid_at=timezone.now() - dt.timedelta(days=5))

    context, page = _logged_in_page(browser, live_server, reviewer)
    page.goto("/staff/review/")
    assert page.locator("h1").inner_text() == "Review queue"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "queue")
    page.get_by_role("row", name="AHMAD BIN ALI").get_by_role("link", name="Review").click()
    assert page.get_by_test_id("person-name").inner_text() == "AHMAD BIN ALI"
    # The IC image really loads (served inline to the reviewer), not just its tag.
    page.wait_for_function(
        "() => document.querySelector('img.document__image').naturalWidth === 1", timeout=WAIT_MS
    )
    assert page.locator("iframe.document__pdf").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "review")

    # A rejection without a reason is refused, with the message on the page.
    _submit(page, "Reject registration")
    expect(page.locator("#id_reason_error")).to_have_text(
        "Choose the reason for the rejection.", timeout=WAIT_MS
    )
    page.get_by_label("Reason for rejection").select_option(label="Document does not match the IC")
    page.get_by_label("Details").fill("The photo on the IC is of someone else.")
    _submit(page, "Reject registration")
    expect(page.locator(".messages")).to_contain_text("Registration rejected", timeout=WAIT_MS)
    shot(page, "rejected")

    first.refresh_from_db()
    paid.contribution.refresh_from_db()
    assert first.status == SectorRegistration.Status.REJECTED
    assert paid.contribution.status == Contribution.Status.REJECTED
    assert paid.contribution.coverage_cancelled_at is not None
    # The person is told, with the reason.
    assert len(mail.outbox) == 1
    assert "was rejected" in mail.outbox[0].body
    assert "Document does not match the IC" in mail.outbox[0].body
    assert "The photo on the IC is of someone else." in mail.outbox[0].body
    to_person = [message["body"] for message in sms_outbox if message["to"] != reviewer.mobile.as_e164]
    assert "Reason: Document does not match the IC" in to_person[0]

    # The rejected registration shows its reason to staff, and its payment is on the refunds list.
    page.goto(f"/staff/review/{first.pk}/")
    assert page.get_by_test_id("registration-status").inner_text() == "Rejected"
    assert "Document does not match the IC" in page.get_by_test_id("rejection-reason").inner_text()
    context.close()

    supervisor_context, supervisor_page = _logged_in_page(browser, live_server, make_staff(SUPERVISOR))
    supervisor_page.goto("/staff/refunds/")
    assert supervisor_page.get_by_test_id("refund-total").inner_text() == "RM 77.60"
    shot(supervisor_page, "refunds")
    supervisor_page.goto("/staff/operations/")
    assert supervisor_page.get_by_test_id("queue-size").inner_text() == "0"
    assert supervisor_page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(supervisor_page, "operations")
    supervisor_page.goto("/staff/audit/")
    assert "Registration rejected" in supervisor_page.locator("table").inner_text()
    shot(supervisor_page, "audit")
    supervisor_context.close()

    # The person sees Rejected and the reason on their own page, and registers the sector again.
    person_context, person_page = _logged_in_page(browser, live_server, person)
    person_page.goto("/self-employed/")
    card = person_page.locator("article.coverage", has_text="INFORMATION TECHNOLOGY")
    expect(card).to_contain_text("Rejected", timeout=WAIT_MS)
    expect(card.locator(".rejection-reason")).to_have_text(
        "Reason: Document does not match the IC: The photo on the IC is of someone else.", timeout=WAIT_MS
    )
    shot(person_page, "person-sees-rejection")
    card.get_by_role("link", name="Register again").click()
    person_page.get_by_label("Sector").select_option(label="INFORMATION TECHNOLOGY")
    person_page.get_by_role("button", name="Submit").click()
    _fill_registration_form(person_page)
    shot(person_page, "person-registers-again")
    _submit(person_page, "Submit & Pay")
    assert "/payments/contribution/" in person_page.url
    person_context.close()
    second = SectorRegistration.objects.get(person=person, status=SectorRegistration.Status.SUBMITTED)
    assert second.documents.count() == 2

    context, page = _logged_in_page(browser, live_server, make_staff(DOCUMENT_REVIEWER))
    page.goto("/staff/review/")
    page.get_by_role("row", name="AHMAD BIN ALI").get_by_role("link", name="Review").click()
    page.get_by_label("Documents verified").check()
    _submit(page, "Approve: documents verified")
    expect(page.locator(".messages")).to_contain_text("Registration approved", timeout=WAIT_MS)
    assert "AHMAD BIN ALI" not in page.locator("main").inner_text()
    shot(page, "approved")
    context.close()

    second.refresh_from_db()
    assert second.status == SectorRegistration.Status.APPROVED
    assert second.sector_id == first.sector_id
