"""Receipt download (owner and staff only) and the public verification page."""

import hashlib
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.roles import COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR, ensure_role_groups
from tests.factories import StaffFactory, UserFactory, admin_force_login


def staff_with(role):
    ensure_role_groups()
    user = StaffFactory()
    user.groups.add(Group.objects.get(name=role))
    return user


def without_per_request_tokens(response) -> str:
    """The page with its CSP nonce, CSRF token and language-menu return path blanked."""
    page = response.content.decode()
    page = re.sub(r'nonce="[^"]*"', 'nonce=""', page)
    page = re.sub(r'name="next" value="[^"]*"', "", page)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def download_url(receipt):
    return reverse("receipts:download", kwargs={"pk": receipt.pk})


def verify_url(receipt, number=None, token=None):
    return reverse(
        "receipts:verify",
        kwargs={"number": number or receipt.number, "token": token or receipt.verification_token},
    )


@pytest.mark.django_db
def test_the_owner_downloads_identical_bytes_every_time(client, receipt):
    client.force_login(receipt.payment.contribution.person)

    first = client.get(download_url(receipt))
    second = client.get(download_url(receipt))

    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == f'attachment; filename="RESIT-{receipt.number}.pdf"'
    assert first["Cache-Control"] == "no-store"
    assert first["X-Content-Type-Options"] == "nosniff"
    assert first["Content-Security-Policy"] == "sandbox"
    assert first.content.startswith(b"%PDF-")
    assert first.content == second.content
    receipt.refresh_from_db()
    assert hashlib.sha256(first.content).hexdigest() == receipt.pdf_sha256


@pytest.mark.django_db
@pytest.mark.parametrize("role", [COUNTER_STAFF, DOCUMENT_REVIEWER])
def test_counter_staff_and_reviewers_may_download(client, receipt, role):
    client.force_login(staff_with(role))
    response = client.get(download_url(receipt))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other person", "supervisor only", "staff without role", "anonymous"])
def test_anyone_else_gets_404(client, receipt, who):
    if who == "other person":
        client.force_login(UserFactory())
    elif who == "supervisor only":
        client.force_login(staff_with(SUPERVISOR))
    elif who == "staff without role":
        client.force_login(StaffFactory())
    response = client.get(download_url(receipt))
    assert response.status_code == 404
    assert b"%PDF" not in response.content


@pytest.mark.django_db
def test_an_unknown_receipt_id_is_404(client, receipt):
    client.force_login(receipt.payment.contribution.person)
    assert client.get(reverse("receipts:download", kwargs={"pk": receipt.pk + 1000})).status_code == 404


@pytest.mark.django_db
def test_the_verification_page_shows_only_what_proves_the_receipt(client, receipt):
    response = client.get(verify_url(receipt))

    assert response.status_code == 200
    page = response.content.decode()
    assert "VALID" in page and "VOID" not in page
    assert receipt.number in page
    assert receipt.ic_number[:6] + "-" + receipt.ic_number[6:8] + "-****" in page
    assert receipt.ic_number not in page
    assert "TEKNOLOGI MAKLUMAT" in page
    assert "RM 77.60" in page
    assert "23-01-2020 00:00:00 - 22-05-2020 23:59:59" in page
    assert receipt.name not in page
    assert receipt.self_employed_code not in page
    assert "1234567890" not in page  # FPX transaction id
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_voided_receipt_says_void(client, receipt):
    receipt.voided_at = timezone.now()
    receipt.void_reason = "Payment reversed by the bank."
    receipt.save()
    page = client.get(verify_url(receipt)).content.decode()
    assert "VOID" in page and ">VALID<" not in page


@pytest.mark.django_db
def test_cancelled_coverage_makes_the_receipt_void_and_shows_when(client, receipt):
    contribution = receipt.payment.contribution
    contribution.coverage_cancelled_at = timezone.make_aware(timezone.datetime(2020, 2, 3, 10, 0, 0))
    contribution.save()
    page = client.get(verify_url(receipt)).content.decode()
    assert "VOID" in page
    assert "03-02-2020 10:00:00" in page


@pytest.mark.django_db
def test_a_guessed_token_or_number_gets_the_same_404(client, receipt):
    wrong_token = client.get(verify_url(receipt, token="A" * 43))
    wrong_number = client.get(verify_url(receipt, number="20190000999999"))
    not_a_number = client.get(verify_url(receipt, number="2019000010462x"))
    too_long = client.get(verify_url(receipt, number=receipt.number + "0"))
    for response in (wrong_token, wrong_number, not_a_number, too_long):
        assert response.status_code == 404
    assert without_per_request_tokens(wrong_token) == without_per_request_tokens(wrong_number)
    assert receipt.number not in without_per_request_tokens(wrong_token)  # only in the echoed URL


@pytest.mark.django_db
def test_verification_is_rate_limited_per_address(client, receipt, settings):
    settings.RECEIPT_VERIFY_RATE_PER_MINUTE = 3
    codes = [client.get(verify_url(receipt, token="B" * 43)).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    assert client.get(verify_url(receipt)).status_code == 429
    other = client.get(verify_url(receipt), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200


@pytest.mark.django_db
def test_the_admin_lists_receipts_read_only_with_the_ic_masked(client, receipt):
    staff = StaffFactory(is_superuser=True)  # the admin is for verified superusers only
    admin_force_login(client, staff)
    listing = client.get(reverse("admin:receipts_receipt_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert receipt.number in page
    assert receipt.ic_number not in page
    detail = client.get(reverse("admin:receipts_receipt_change", args=[receipt.pk])).content.decode()
    assert receipt.ic_number not in detail and "****" in detail
    assert 'name="_save"' not in detail
    assert client.get(reverse("admin:receipts_receipt_add")).status_code == 403
    assert client.get(reverse("admin:receipts_reminderlog_changelist")).status_code == 200


@pytest.mark.django_db
def test_the_download_reads_the_receipt_in_one_query_within_budget(
    client, receipt, django_assert_max_num_queries
):
    """Issue 9: the download is an ownership check and the stored file (tests/bench: the budget is 12)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(receipt.payment.contribution.person)
    client.get(download_url(receipt))  # stores the PDF the first time
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as captured:
        response = client.get(download_url(receipt))
    assert response.status_code == 200
    on_receipts = [q["sql"] for q in captured.captured_queries if "receipts_receipt" in q["sql"]]
    assert len(on_receipts) == 1
    assert "contributions_contribution" in on_receipts[0]  # the owner checked in the same query


@pytest.mark.django_db
@pytest.mark.parametrize("pk", [0, 2**63, 10**30])
def test_a_receipt_id_no_row_can_have_is_not_found(client, receipt, pk):
    client.force_login(receipt.payment.contribution.person)
    assert client.get(reverse("receipts:download", args=[pk])).status_code == 404
