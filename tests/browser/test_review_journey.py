"""A reviewer rejects a registration; the person is told why and registers again; a reviewer approves it."""

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
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _logged_in_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url)
    context.set_default_timeout(15000)
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
    assert page.locator("img.document__image").evaluate("img => img.naturalWidth") == 1
    assert page.locator("iframe.document__pdf").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "review")

    # A rejection without a reason is refused, with the message on the page.
    page.get_by_role("button", name="Reject registration").click()
    expect(page.locator("#id_reason_error")).to_have_text("Choose the reason for the rejection.")
    page.get_by_label("Reason for rejection").select_option(label="Document does not match the IC")
    page.get_by_label("Details").fill("The photo on the IC is of someone else.")
    page.get_by_role("button", name="Reject registration").click()
    expect(page.locator(".messages")).to_contain_text("Registration rejected")
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
    assert "Reason: Document does not match the IC" in sms_outbox[0]["body"]

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

    # The person registers the same sector again with new documents; another reviewer approves it.
    second = _registration_with_documents(person)
    context, page = _logged_in_page(browser, live_server, make_staff(DOCUMENT_REVIEWER))
    page.goto("/staff/review/")
    page.get_by_role("row", name="AHMAD BIN ALI").get_by_role("link", name="Review").click()
    page.get_by_label("Documents verified").check()
    page.get_by_role("button", name="Approve: documents verified").click()
    expect(page.locator(".messages")).to_contain_text("Registration approved")
    assert "AHMAD BIN ALI" not in page.locator("main").inner_text()
    shot(page, "approved")
    context.close()

    second.refresh_from_db()
    assert second.status == SectorRegistration.Status.APPROVED
    assert second.sector_id == first.sector_id
