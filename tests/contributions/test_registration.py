"""Register a sector: step 1, the registration form, its rules and its bad inputs."""

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from contributions import codes
from contributions.forms import RegistrationForm
from contributions.models import (
    Contribution,
    Plan,
    RegistrationDocument,
    SectorClass,
    SectorRegistration,
    State,
    Town,
)
from contributions.services import MESSAGE_SECTOR_ALREADY_REGISTERED, registration_submit
from tests.contributions import files
from tests.contributions.conftest import document_files, form_data, register_url
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def post(client, data, uploads, sector_code="information-technology"):
    return client.post(register_url(sector_code), {**data, **uploads})


# --- Step 1 -------------------------------------------------------------------------------------------------


def test_step_one_lists_the_20_sectors(person_client):
    response = person_client.get(reverse("contributions:register"))
    assert response.status_code == 200
    assert len(response.context["form"].fields["sector"].queryset) == 20
    assert "SUPPORT SERVICES" in response.content.decode()


def test_step_one_goes_to_the_form_of_the_chosen_sector(person_client):
    sector = SectorClass.objects.filter(sector__code="support-services").first().sector
    response = person_client.post(reverse("contributions:register"), {"sector": sector.pk})
    assert response.status_code == 302
    assert response.url == register_url("support-services")


def test_a_registered_sector_cannot_be_registered_again(person_client, person):
    registration = RegistrationFactory(person=person)
    form_page = person_client.get(reverse("contributions:register")).content.decode()
    assert "INFORMATION TECHNOLOGY (registered)" in form_page
    response = person_client.post(reverse("contributions:register"), {"sector": registration.sector_id})
    assert response.status_code == 200
    assert str(MESSAGE_SECTOR_ALREADY_REGISTERED) in response.content.decode()
    # and going straight to step 2 is refused as well
    assert person_client.get(register_url()).status_code == 409


def test_a_rejected_registration_may_register_the_sector_again(person_client, person):
    RegistrationFactory(person=person, status=SectorRegistration.Status.REJECTED)
    response = post(person_client, form_data(), document_files())
    assert response.status_code == 302
    assert SectorRegistration.objects.filter(person=person).count() == 2


@pytest.mark.parametrize("value", ["", "999999", "abc"])
def test_step_one_without_a_real_sector_asks_for_one(person_client, value):
    response = person_client.post(reverse("contributions:register"), {"sector": value})
    assert response.status_code == 200
    assert "Choose the sector you work in." in response.content.decode()


# --- Step 2: the form ---------------------------------------------------------------------------------------


def test_form_is_prefilled_from_the_account_and_the_ic(person_client, person):
    response = person_client.get(register_url())
    page = response.content.decode()
    assert "751201145482" in page and "LEONG WAI SAN" in page
    form = response.context["form"]
    assert form["gender"].value() == "female"  # last IC digit 2 is even
    assert form["email"].value() == person.email
    assert "INFORMATION TECHNOLOGY" in page
    assert "Editing and changes are <strong>NOT</strong> allowed after submission." in page
    classes = list(form.fields["sector_class"].queryset)
    assert classes and all(c.sector.code == "information-technology" for c in classes)


def test_submit_and_pay_registers_and_goes_to_the_payment_page(person_client, person):
    response = post(person_client, form_data(), document_files())
    contribution = Contribution.objects.get(person=person)
    assert response.status_code == 302
    assert response.url == reverse("payments:pay_now", kwargs={"contribution_id": contribution.pk})
    assert contribution.status == Contribution.Status.SUBMITTED
    assert (contribution.months, contribution.amount) == (4, Decimal("77.60"))
    assert contribution.plan.number == 2 and not contribution.is_renewal
    assert contribution.status_changes.get().to_status == "submitted"
    registration = contribution.registration
    assert registration.postcode == "18000" and registration.mobile == "+60123386109"
    assert registration.town.name == "Kuala Krai" and registration.race == "chinese"
    follow = person_client.get(response.url)
    assert follow.status_code == 200 and "RM 77.60" in follow.content.decode()


def test_documents_are_stored_privately_under_random_names_with_hash_and_size(person_client, person):
    post(person_client, form_data(), document_files())
    ic = RegistrationDocument.objects.get(kind=RegistrationDocument.Kind.IDENTITY_CARD)
    licence = RegistrationDocument.objects.get(kind=RegistrationDocument.Kind.LICENCE)
    assert ic.original_name == "my ic.jpg" and ic.content_type == "image/jpeg"
    assert licence.content_type == "application/pdf"
    for document in (ic, licence):
        stem = Path(document.file.name).stem
        assert len(stem) == 32 and all(c in "0123456789abcdef" for c in stem)
        path = Path(document.file.path)
        assert path.is_relative_to(Path(settings.MEDIA_ROOT))
        assert path.stat().st_size == document.size
        assert hashlib.sha256(path.read_bytes()).hexdigest() == document.sha256
    assert not RegistrationDocument.objects.filter(kind=RegistrationDocument.Kind.OTHER).exists()


def test_first_registration_gives_a_permanent_self_employed_code(person_client, person):
    post(person_client, form_data(), document_files())
    person.refresh_from_db()
    code = person.self_employed_code
    assert codes.is_valid(code)
    post(person_client, form_data(sector_code="support-services"), document_files(), "support-services")
    person.refresh_from_db()
    assert person.self_employed_code == code
    assert SectorRegistration.objects.filter(person=person).count() == 2


def test_nothing_submitted_can_be_edited_afterwards(person_client, person):
    post(person_client, form_data(), document_files())
    again = post(person_client, form_data(months="12"), document_files())
    assert again.status_code == 409
    assert Contribution.objects.get(person=person).months == 4


# --- Bad input keeps what was typed and writes nothing ------------------------------------------------------


def assert_refused(response, field, text=None):
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    if text:
        assert text in " ".join(form.errors[field])
    page = response.content.decode()
    assert "Please choose your documents again." in page
    if field != "address_line1":
        assert 'value="No. 61 1st Floor"' in page  # typed text kept
    if field != "email":
        assert 'value="leong@example.test"' in page
    assert not SectorRegistration.objects.exists()
    assert not Contribution.objects.exists()
    assert not RegistrationDocument.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        ("months", "0", "Choose from 1 to 12"),
        ("months", "13", "Choose from 1 to 12"),
        ("months", "abc", "Choose from 1 to 12"),
        ("months", "1e3", "Choose from 1 to 12"),
        ("months", "", "Choose from 1 to 12"),
        ("postcode", "5040", "5 digits"),
        ("postcode", "５0400", "5 digits"),
        ("postcode", "50400", "is not in Kelantan"),
        ("nationality", "other", "not eligible"),
        ("acknowledge", None, "Tick the box"),
        ("plan", "999", "Choose a contribution plan"),
        ("mobile", "12345", None),
        ("email", "not-an-email", None),
        ("address_line1", "", None),
    ],
)
def test_bad_fields_are_explained_and_keep_the_rest(person_client, field, value, text):
    response = post(person_client, form_data(**{field: value}), document_files())
    assert_refused(response, field, text)


def test_a_class_of_another_sector_is_refused(person_client):
    other = SectorClass.objects.get(sector__code="support-services", code="tour-guide")
    response = post(person_client, form_data(sector_class=other.pk), document_files())
    assert_refused(response, "sector_class", "classes of this sector")


def test_a_city_of_another_state_is_refused(person_client):
    ipoh = Town.objects.get(name="Ipoh")
    response = post(person_client, form_data(town=ipoh.pk), document_files())
    assert_refused(response, "town", "Kelantan")


def test_a_postcode_of_another_state_is_refused(person_client):
    response = post(
        person_client, form_data(state=State.objects.get(code="KTN").pk, postcode="30000"), document_files()
    )
    assert_refused(response, "postcode", "30000 is not in Kelantan")


@pytest.mark.parametrize(
    ("field", "upload", "text"),
    [
        ("doc_ic", files.upload("ic.jpg", b""), "empty"),
        ("doc_ic", files.upload("ic.pdf", files.pdf_bytes() + b"%" * (3 * 1024 * 1024)), "larger than 3 MB"),
        ("doc_licence", files.upload("ssm.pdf", b"MZ\x90\x00" + b"\x00" * 64), "JPEG, PNG, GIF or PDF"),
        ("doc_licence", files.upload("ssm.pdf", b"<html><script>alert(1)</script></html>"), "JPEG, PNG, GIF"),
        ("doc_ic", files.upload("ic.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>'), "JPEG, PNG, GIF"),
        ("doc_ic", files.upload("bomb.png", files.png_bomb()), "too many pixels"),
        ("doc_ic", files.upload("ic.jpg", files.jpeg_bytes((300, 300))[:400]), "damaged"),
        ("doc_other", files.upload("other.gif", b"GIF89a" + b"\x00" * 20), "damaged"),
        ("doc_ic", None, "required"),
        ("doc_licence", None, "required"),
    ],
)
def test_bad_files_are_explained_and_keep_the_rest(person_client, field, upload, text):
    uploads = document_files(**{field: upload})
    if upload is not None:
        upload.seek(0)
    response = post(person_client, form_data(), uploads)
    assert_refused(response, field, text)


def test_the_page_names_the_files_that_must_be_chosen_again(person_client):
    response = post(person_client, form_data(months="0"), document_files())
    page = response.content.decode()
    assert "Browsers do not keep chosen files" in page
    assert "my ic.jpg" in page and "ssm.pdf" in page


@pytest.mark.parametrize(
    "hostile",
    [
        "../../../../etc/passwd.jpg",
        "ic\r\nContent-Disposition: inline.jpg",
        "x" * 300 + ".jpg",
        "photo\u202egnp.jpg",
    ],
)
def test_hostile_file_names_are_stored_as_harmless_labels(person, hostile):
    # The form and service directly: the test client cannot put CR LF into a multipart file name.
    sector = SectorClass.objects.filter(sector__code="information-technology").first().sector
    uploads = document_files(doc_ic=files.upload(hostile, files.jpeg_bytes()))
    form = RegistrationForm(form_data(), uploads, person=person, sector=sector)
    assert form.is_valid(), form.errors
    registration_submit(
        person=person,
        sector=sector,
        sector_class=form.cleaned_data["sector_class"],
        particulars=form.particulars(),
        documents=form.documents(),
        plan=form.cleaned_data["plan"],
        months=form.cleaned_data["months"],
    )
    document = RegistrationDocument.objects.get(kind=RegistrationDocument.Kind.IDENTITY_CARD)
    name = document.original_name
    assert "/" not in name and "\\" not in name and "\r" not in name and "\n" not in name
    assert "\u202e" not in name and len(name) <= 100 and name.endswith(".jpg")
    assert Path(document.file.path).parent.is_relative_to(Path(settings.MEDIA_ROOT) / "documents")


# --- Tampering ----------------------------------------------------------------------------------------------


def test_amount_status_sector_and_code_in_the_post_are_ignored(person_client, person):
    data = form_data(
        amount="1.00",
        status="active",
        sector=SectorClass.objects.get(code="tour-guide").sector_id,
        self_employed_code="K0000000000A",
        is_renewal="on",
        ic_number="900101140001",
        full_name="SOMEONE ELSE",
    )
    post(person_client, data, document_files())
    contribution = Contribution.objects.get(person=person)
    assert contribution.amount == Decimal("77.60")
    assert contribution.status == Contribution.Status.SUBMITTED
    assert contribution.sector.code == "information-technology" and not contribution.is_renewal
    person.refresh_from_db()
    assert person.self_employed_code != "K0000000000A"
    assert person.full_name == "LEONG WAI SAN" and person.ic_number == "751201145482"


def test_plan_in_the_post_decides_the_amount_on_the_server(person_client, person):
    post(person_client, form_data(plan=Plan.objects.get(number=1).pk, months="5"), document_files())
    assert Contribution.objects.get(person=person).amount == Decimal("65.50")


def test_unknown_sector_in_the_url_is_404(person_client):
    assert person_client.get(register_url("no-such-sector")).status_code == 404


def test_a_failure_while_writing_leaves_no_files_or_rows(person_client, person, monkeypatch):
    from contributions import services

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_contribution_open", boom)
    with pytest.raises(RuntimeError):
        post(person_client, form_data(), document_files())
    assert stored_files() == []
    assert not SectorRegistration.objects.exists() and not RegistrationDocument.objects.exists()
