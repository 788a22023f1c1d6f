"""VIEW CONTRIBUTION and document downloads: sections, payment history, owner-or-staff access."""

import pytest
from django.urls import reverse

from accounts.roles import DOCUMENT_REVIEWER, ensure_role_groups
from contributions.models import Contribution, Plan, RegistrationDocument
from payments.models import Payment
from tests.contributions.conftest import document_files, form_data, register_url
from tests.contributions.helpers import at, pay
from tests.factories import (
    ContributionFactory,
    PaymentFactory,
    PortalClient,
    RegistrationFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(person_client, person):
    """Registered through the form (with real files); paid after one failed attempt."""
    person_client.post(register_url(), {**form_data(plan=Plan.objects.get(number=2).pk), **document_files()})
    contribution = Contribution.objects.get(person=person)
    PaymentFactory(
        contribution=contribution, status=Payment.Status.FAILED, created_at=at(2019, 12, 27, 16, 30, 0)
    )
    pay(contribution, at(2019, 12, 27, 16, 35, 8))
    return contribution


def view_url(contribution):
    return reverse("contributions:view", kwargs={"pk": contribution.pk})


def test_view_shows_the_four_sections_of_the_seed(person_client, person, registered):
    person.refresh_from_db()
    page = person_client.get(view_url(registered)).content.decode()
    for heading in [
        "CONTRIBUTION DETAILS",
        "SELF-EMPLOYED INFORMATION",
        "SECTOR INFORMATION",
        "PAYMENT HISTORY",
    ]:
        assert heading in page
    assert person.self_employed_code in page
    assert "INFORMATION TECHNOLOGY" in page and "RM 232.80" in page and "4 Month(s)" in page
    assert "RM 77.60" in page
    assert "27-12-2019 16:35:08 – 26-04-2020 23:59:59" in page  # coverage period
    assert "751201145482" in page and "LEONG WAI SAN" in page
    assert "Chinese" in page and "Female" in page and "Kuala Krai" in page and "18000" in page
    assert "Pejabat PERKESO Kuala Krai" in page
    # documents: date time, type, file name, download
    assert "Identification Card" in page and "my ic.jpg" in page and "ssm.pdf" in page
    for document in registered.registration.documents.all():
        assert reverse("contributions:document", kwargs={"pk": document.pk}) in page
    # payment history: both attempts, with status, method, transaction id and bank
    assert "Failed" in page and "Paid" in page and "Portal MATRIX - FPX" in page and "1234567890" in page
    assert "Affin Bank" in page or "AFFIN" in page.upper()
    for payment in registered.payments.all():
        assert reverse("payments:details", args=[payment.pk]) in page
    assert reverse("receipts:download", args=[registered.payments.get(status="paid").receipt.pk]) in page


def test_another_persons_contribution_is_404(person_client):
    other = ContributionFactory()
    assert person_client.get(view_url(other)).status_code == 404


def test_document_download_is_an_attachment_that_cannot_run(person_client, registered):
    document = registered.registration.documents.get(kind=RegistrationDocument.Kind.IDENTITY_CARD)
    response = person_client.get(reverse("contributions:document", kwargs={"pk": document.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="my ic.jpg"' in response["Content-Disposition"]
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"].startswith("sandbox")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xff\xd8\xff") and len(body) == document.size


def test_documents_are_for_the_owner_and_staff_only(registered, settings):
    settings.LOGIN_URL = "/accounts/login/"  # the log-in page is another app's; its path is enough here
    client = PortalClient()
    document = registered.registration.documents.first()
    url = reverse("contributions:document", kwargs={"pk": document.pk})
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/accounts/login/")
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(StaffFactory())  # staff without the reviewer role: no
    assert client.get(url).status_code == 404
    reviewer = StaffFactory()
    reviewer.groups.add(ensure_role_groups()[DOCUMENT_REVIEWER])
    client.force_login(reviewer)
    assert client.get(url).status_code == 200


def test_staff_are_sent_away_from_the_self_employed_area(client):
    client.force_login(StaffFactory())
    response = client.get(reverse("contributions:dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:staff_home")


def test_the_area_needs_a_log_in(client, settings):
    settings.LOGIN_URL = "/accounts/login/"
    for name in ["contributions:dashboard", "contributions:history", "contributions:register"]:
        response = client.get(reverse(name))
        assert response.status_code == 302


def test_a_missing_file_on_disk_is_404_not_500(person_client, registered):
    document = registered.registration.documents.first()
    document.file.storage.delete(document.file.name)
    assert person_client.get(reverse("contributions:document", kwargs={"pk": document.pk})).status_code == 404


def test_registration_of_another_person_is_not_listed_in_view(person_client, person):
    theirs = RegistrationFactory(person=UserFactory())
    ContributionFactory(registration=theirs)
    assert person_client.get(reverse("contributions:history")).context["rows"] == []


def test_view_query_budget(person_client, registered, django_assert_max_num_queries):
    """Issue 9: at most 12 queries (the bench's contribution view row)."""
    person_client.get(view_url(registered))
    with django_assert_max_num_queries(12):
        response = person_client.get(view_url(registered))
    assert response.status_code == 200
