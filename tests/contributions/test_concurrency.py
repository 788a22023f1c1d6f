"""Two simultaneous submissions make one: real transactions and row locks, so PostgreSQL only."""

import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from contributions.documents import inspect_upload
from contributions.models import (
    Contribution,
    Plan,
    RegistrationDocument,
    Sector,
    SectorClass,
    SectorRegistration,
)
from contributions.services import contribution_mark_paid, contribution_renew, registration_submit
from matrix_portal.errors import ApplicationError
from tests.contributions import files
from tests.contributions.conftest import form_data
from tests.contributions.helpers import at
from tests.factories import ContributionFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(target, count=2):
    """Run `target` in `count` threads released together; return their results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except ApplicationError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_two_simultaneous_registrations_of_one_sector_make_one(reference_data):
    person = UserFactory(self_employed_code=None)
    sector = Sector.objects.get(code="information-technology")
    data = form_data()
    particulars = {
        "self_employed_status": data["self_employed_status"],
        "nationality": data["nationality"],
        "race": data["race"],
        "gender": data["gender"],
        "address_line1": data["address_line1"],
        "address_line2": data["address_line2"],
        "state_id": data["state"],
        "town_id": data["town"],
        "postcode": data["postcode"],
        "house_phone": "",
        "mobile": "+60123386109",
        "email": data["email"],
        "office_id": data["office"],
    }

    def submit():
        return registration_submit(
            person=person,
            sector=sector,
            sector_class=SectorClass.objects.get(pk=data["sector_class"]),
            particulars=particulars,
            documents={"ic": inspect_upload(files.upload("ic.jpg", files.jpeg_bytes()))},
            plan=Plan.objects.get(number=2),
            months=4,
        )

    results, errors = race(submit, count=4)
    assert len(results) == 1 and len(errors) == 3
    assert SectorRegistration.objects.filter(person=person).count() == 1
    assert Contribution.objects.filter(person=person).count() == 1
    assert RegistrationDocument.objects.count() == 1
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert len(stored) == 1  # the refused submissions left no files behind
    person.refresh_from_db()
    assert person.self_employed_code


def test_two_simultaneous_renewals_open_one_contribution(reference_data):
    person = UserFactory()
    registration = RegistrationFactory(person=person)
    contribution_mark_paid(
        contribution=ContributionFactory(registration=registration), paid_at=at(2026, 1, 5)
    )
    plan = Plan.objects.get(number=2)

    def renew():
        return contribution_renew(person=person, registration_id=registration.pk, plan=plan, months=3)

    results, errors = race(renew, count=4)
    assert len(results) == 1 and len(errors) == 3
    assert registration.contributions.filter(status=Contribution.Status.SUBMITTED).count() == 1
