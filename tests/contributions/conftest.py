import pytest
from django.urls import reverse

from contributions.models import Office, Plan, SectorClass, State, Town
from tests.contributions import files
from tests.factories import UserFactory


@pytest.fixture
def person(db):
    """A signed-up person with no self-employed code yet (the first registration gives one)."""
    return UserFactory(self_employed_code=None, ic_number="751201145482", full_name="LEONG WAI SAN")


@pytest.fixture
def registered_person(person):
    """The same person once a first registration gave them a code (for tests that build rows directly)."""
    person.self_employed_code = "K0200078756M"
    person.save(update_fields=["self_employed_code"])
    return person


@pytest.fixture
def person_client(client, person):
    client.force_login(person)
    return client


def form_data(*, sector_code="information-technology", **overrides):
    """A complete, valid registration form for Kuala Krai, Kelantan: Plan 2 for 4 months."""
    state = State.objects.get(code="KTN")
    data = {
        "self_employed_status": "others",
        "nationality": "malaysian",
        "race": "chinese",
        "gender": "female",
        "address_line1": "No. 61 1st Floor",
        "address_line2": "Jln Tuanku Osman",
        "state": state.pk,
        "town": Town.objects.get(state=state, name="Kuala Krai").pk,
        "postcode": "18000",
        "house_phone": "",
        "mobile": "012-338 6109",
        "email": "leong@example.test",
        "office": Office.objects.get(code="kuala-krai").pk,
        "sector_class": SectorClass.objects.filter(sector__code=sector_code).first().pk,
        "plan": Plan.objects.get(number=2).pk,
        "months": "4",
        "acknowledge": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def document_files(**overrides):
    uploads = {
        "doc_ic": files.upload("my ic.jpg", files.jpeg_bytes(), "image/jpeg"),
        "doc_licence": files.upload("ssm.pdf", files.pdf_bytes(), "application/pdf"),
    }
    uploads.update(overrides)
    return {key: value for key, value in uploads.items() if value is not None}


def register_url(sector_code="information-technology"):
    return reverse("contributions:register_form", kwargs={"sector_code": sector_code})
