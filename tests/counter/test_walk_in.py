"""A walk-in person: an account opened by staff, then a sector registered on their behalf with documents."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from contributions.models import Contribution, RegistrationDocument, SectorRegistration
from contributions.services import MESSAGE_SECTOR_ALREADY_REGISTERED
from matrix_portal.models import AuditEvent
from tests.contributions import files
from tests.contributions.conftest import document_files, form_data
from tests.counter.conftest import at_counter
from tests.factories import ContributionFactory, UserFactory

pytestmark = pytest.mark.django_db

WALK_IN = {
    "ic_number": "880512-10-5523",
    "full_name": "  siti   aminah binti  yusof ",
    "email": "Siti.Aminah@Example.test",
    "mobile": "013-456 7890",
    "language": "ms",
}


@pytest.fixture
def staff_client(client, counter_staff, office):
    return at_counter(client, counter_staff, office)


def test_staff_open_an_account_without_a_password(
    staff_client, counter_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("counter:walk_in"), WALK_IN)
    person = User.objects.get(ic_number="880512105523")
    assert response.status_code == 302
    assert response["Location"] == reverse("counter:person", kwargs={"person_id": person.pk})
    assert person.full_name == "SITI AMINAH BINTI YUSOF"
    assert person.email == "siti.aminah@example.test"
    assert person.mobile.as_e164 == "+60134567890"
    assert person.language == "ms"
    assert not person.is_active and not person.is_staff
    assert not person.has_usable_password()
    assert len(mail.outbox) == 1  # the activation link
    assert mail.outbox[0].to == ["siti.aminah@example.test"]
    assert "/accounts/activate/" in mail.outbox[0].body
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_ADDED)
    assert event.actor == counter_staff
    assert event.after["entered_at_counter"] is True
    assert "880512105523" not in str(event.after)


def test_the_walk_in_can_later_ask_for_a_link_through_forgot_password(staff_client, client):
    staff_client.post(reverse("counter:walk_in"), WALK_IN)
    mail.outbox.clear()
    from accounts.services import password_reset_request

    password_reset_request(ic_number="880512105523")
    assert "/accounts/activate/" in mail.outbox[0].body


def test_taken_ic_email_or_mobile_are_refused_and_the_typing_is_kept(staff_client):
    UserFactory(ic_number="880512105523", email="siti.aminah@example.test", mobile="+60134567890")
    response = staff_client.post(reverse("counter:walk_in"), WALK_IN)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"ic_number", "email", "mobile"}
    assert "siti   aminah" in response.content.decode() or "SITI AMINAH" in response.content.decode()
    assert User.objects.filter(ic_number="880512105523").count() == 1


@pytest.mark.parametrize(
    "field,value",
    [
        ("ic_number", "88051210552"),
        ("mobile", "03-2345 6789"),
        ("email", "not-an-email"),
        ("full_name", "   "),
    ],
)
def test_bad_walk_in_particulars_get_a_message(staff_client, field, value):
    response = staff_client.post(reverse("counter:walk_in"), {**WALK_IN, field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(ic_number="880512105523").exists()


def test_the_desk_prefills_the_ic_that_was_not_found(staff_client):
    response = staff_client.get(reverse("counter:walk_in"), {"ic": "880512-10-5523"})
    assert 'value="880512105523"' in response.content.decode()


def register_url(person, sector_code="information-technology"):
    return reverse("counter:register_form", kwargs={"person_id": person.pk, "sector_code": sector_code})


def test_staff_register_a_sector_with_the_documents_brought(staff_client, counter_staff, person):
    response = staff_client.post(register_url(person), {**form_data(), **document_files()})
    registration = SectorRegistration.objects.get(person=person)
    contribution = Contribution.objects.get(registration=registration)
    assert response.status_code == 302
    assert response["Location"] == reverse("counter:take_cash", kwargs={"contribution_id": contribution.pk})
    assert registration.created_by == counter_staff
    assert contribution.status == Contribution.Status.SUBMITTED
    assert str(contribution.amount) == "77.60"
    kinds = set(RegistrationDocument.objects.filter(registration=registration).values_list("kind", flat=True))
    assert kinds == {"ic", "licence"}
    person.refresh_from_db()
    assert person.self_employed_code
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RECORD_ADDED, actor=counter_staff).exists()


def test_a_disguised_document_is_refused_with_a_message(staff_client, person):
    fake = files.upload("licence.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = staff_client.post(register_url(person), {**form_data(), **document_files(doc_licence=fake)})
    assert response.status_code == 200
    assert "doc_licence" in response.context["form"].errors
    assert not SectorRegistration.objects.filter(person=person).exists()


def test_a_sector_already_registered_goes_back_to_the_person(staff_client, person):
    ContributionFactory(registration__person=person)
    response = staff_client.get(register_url(person))
    assert response.status_code == 302
    response = staff_client.post(
        reverse("counter:register", kwargs={"person_id": person.pk}),
        {"sector": SectorRegistration.objects.get(person=person).sector_id},
    )
    assert str(MESSAGE_SECTOR_ALREADY_REGISTERED) in response.content.decode()


def test_the_sector_step_leads_to_the_form(staff_client, person):
    from contributions.models import Sector

    hawkers = Sector.objects.get(code="hawkers")
    response = staff_client.post(
        reverse("counter:register", kwargs={"person_id": person.pk}), {"sector": hawkers.pk}
    )
    assert response["Location"] == register_url(person, "hawkers")
    page = staff_client.get(register_url(person, "hawkers")).content.decode()
    assert "790811-08-****" in page
