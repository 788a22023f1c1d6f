"""Two reviewers deciding the same registration at once: the row lock lets exactly one decision through."""

import threading

import pytest
from django.db import connection

from accounts.roles import DOCUMENT_REVIEWER
from contributions.models import Contribution, SectorRegistration
from contributions.review import (
    MESSAGE_ALREADY_REVIEWED,
    RejectionReason,
    registration_approve,
    registration_reject,
)
from matrix_portal.errors import ApplicationError
from matrix_portal.models import AuditEvent
from tests.backoffice.conftest import make_staff
from tests.factories import ContributionFactory, RegistrationFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_approval_and_a_rejection_racing_leave_one_decision(reference_data):
    registration = RegistrationFactory()
    ContributionFactory(registration=registration)
    first, second = make_staff(DOCUMENT_REVIEWER), make_staff(DOCUMENT_REVIEWER)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(decision, reviewer):
        try:
            barrier.wait()
            decision(registration_id=registration.pk, reviewer=reviewer)
            outcomes.append("ok")
        except ApplicationError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    def reject(**kwargs):
        registration_reject(reason=RejectionReason.ILLEGIBLE, **kwargs)

    threads = [
        threading.Thread(target=decide, args=(registration_approve, first)),
        threading.Thread(target=decide, args=(reject, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes, key=str) == sorted(["ok", MESSAGE_ALREADY_REVIEWED], key=str)
    registration.refresh_from_db()
    decisions = AuditEvent.objects.filter(action__startswith="registration.")
    assert decisions.count() == 1
    contribution_status = Contribution.objects.get(registration=registration).status
    if registration.status == SectorRegistration.Status.APPROVED:
        assert contribution_status == Contribution.Status.SUBMITTED
    else:
        assert contribution_status == Contribution.Status.REJECTED
