"""Approving and rejecting registrations, and everything a rejection sets off."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import COUNTER_STAFF, DOCUMENT_REVIEWER
from contributions.models import Contribution, ContributionStatusChange, SectorRegistration
from contributions.review import (
    MESSAGE_ALREADY_REVIEWED,
    MESSAGE_NOT_REVIEWER,
    MESSAGE_NOTE_REQUIRED,
    MESSAGE_OWN_REGISTRATION,
    MESSAGE_REASON_REQUIRED,
    RejectionReason,
    registration_approve,
    registration_reject,
)
from contributions.services import contribution_mark_paid
from matrix_portal.errors import ApplicationError
from matrix_portal.models import AuditEvent
from tests.backoffice.conftest import make_staff
from tests.factories import ContributionFactory, RegistrationFactory, UserFactory, queued_work

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)


def paid_contribution(registration, *, paid_at, **kwargs):
    contribution = ContributionFactory(registration=registration, **kwargs)
    return contribution_mark_paid(contribution=contribution, paid_at=paid_at)


# Approval -------------------------------------------------------------------------------------------


def test_approve_marks_the_registration_approved_and_audits_it(reviewer):
    registration = RegistrationFactory()
    registration_approve(registration_id=registration.pk, reviewer=reviewer, now=NOW)
    registration.refresh_from_db()
    assert registration.status == SectorRegistration.Status.APPROVED
    assert registration.reviewed_by == reviewer
    assert registration.reviewed_at == NOW
    event = AuditEvent.objects.get(action=AuditEvent.Action.REGISTRATION_APPROVED)
    assert event.actor == reviewer
    assert event.target_id == str(registration.pk)
    assert event.target_repr == f"{registration.person.full_name} (900101-14-****) – Information Technology"
    assert event.before["status"] == "submitted"
    assert event.after["status"] == "approved"


def test_a_reviewer_cannot_approve_their_own_registration(reviewer):
    registration = RegistrationFactory(person=reviewer)
    with pytest.raises(ApplicationError) as error:
        registration_approve(registration_id=registration.pk, reviewer=reviewer)
    assert error.value.message == MESSAGE_OWN_REGISTRATION
    registration.refresh_from_db()
    assert registration.status == SectorRegistration.Status.SUBMITTED


def test_a_reviewer_cannot_review_a_registration_they_entered_at_the_counter(reviewer):
    registration = RegistrationFactory(created_by=reviewer)
    with pytest.raises(ApplicationError, match=str(MESSAGE_OWN_REGISTRATION)):
        registration_reject(
            registration_id=registration.pk, reviewer=reviewer, reason=RejectionReason.ILLEGIBLE
        )


def test_counter_staff_cannot_decide(counter_staff):
    registration = RegistrationFactory()
    with pytest.raises(ApplicationError) as error:
        registration_approve(registration_id=registration.pk, reviewer=counter_staff)
    assert error.value.message == MESSAGE_NOT_REVIEWER


def test_an_approved_registration_cannot_be_changed_back(reviewer):
    registration = RegistrationFactory()
    registration_approve(registration_id=registration.pk, reviewer=reviewer)
    with pytest.raises(ApplicationError) as error:
        registration_reject(
            registration_id=registration.pk, reviewer=reviewer, reason=RejectionReason.ILLEGIBLE
        )
    assert error.value.message == MESSAGE_ALREADY_REVIEWED
    with pytest.raises(ApplicationError):
        registration_approve(registration_id=registration.pk, reviewer=reviewer)
    registration.refresh_from_db()
    assert registration.status == SectorRegistration.Status.APPROVED


@pytest.mark.parametrize(
    ("reason", "note", "message"),
    [
        ("", "", MESSAGE_REASON_REQUIRED),
        ("made-up", "", MESSAGE_REASON_REQUIRED),
        (RejectionReason.OTHER, "", MESSAGE_NOTE_REQUIRED),
        (RejectionReason.OTHER, "   ", MESSAGE_NOTE_REQUIRED),
    ],
)
def test_a_rejection_needs_a_reason(reviewer, reason, note, message):
    registration = RegistrationFactory()
    with pytest.raises(ApplicationError) as error:
        registration_reject(registration_id=registration.pk, reviewer=reviewer, reason=reason, note=note)
    assert error.value.message == message
    registration.refresh_from_db()
    assert registration.status == SectorRegistration.Status.SUBMITTED


# Rejection and its consequences ---------------------------------------------------------------------


def test_rejection_cancels_unpaid_and_ends_paid_cover(reviewer, django_capture_on_commit_callbacks):
    registration = RegistrationFactory()
    paid = paid_contribution(registration, paid_at=NOW - dt.timedelta(days=20), months=4)
    unpaid = ContributionFactory(registration=registration, months=2)
    with django_capture_on_commit_callbacks(execute=False):
        registration_reject(
            registration_id=registration.pk,
            reviewer=reviewer,
            reason=RejectionReason.EXPIRED_LICENCE,
            note="Licence expired in 2024",
            now=NOW,
        )
    registration.refresh_from_db()
    paid.refresh_from_db()
    unpaid.refresh_from_db()
    assert registration.status == SectorRegistration.Status.REJECTED
    assert registration.rejection_reason == "expired_licence"
    assert registration.rejection_note == "Licence expired in 2024"
    assert unpaid.status == Contribution.Status.REJECTED
    assert unpaid.coverage_cancelled_at is None
    assert paid.status == Contribution.Status.REJECTED
    assert paid.coverage_cancelled_at == NOW
    assert paid.coverage_end > NOW  # the window stays as the receipt printed it; the cancellation is separate
    changes = ContributionStatusChange.objects.filter(to_status="rejected").order_by("contribution_id")
    assert [(c.contribution_id, c.from_status, c.by_id) for c in changes] == [
        (paid.pk, "active", reviewer.pk),
        (unpaid.pk, "submitted", reviewer.pk),
    ]
    event = AuditEvent.objects.get(action=AuditEvent.Action.REGISTRATION_REJECTED)
    assert event.after["rejection_reason"] == "expired_licence"
    assert {c["id"] for c in event.after["contributions_cancelled"]} == {paid.pk, unpaid.pk}


def test_rejection_leaves_expired_contributions_alone(reviewer):
    registration = RegistrationFactory()
    old = paid_contribution(registration, paid_at=NOW - dt.timedelta(days=400), months=1)
    old.status = Contribution.Status.EXPIRED
    old.save()
    registration_reject(
        registration_id=registration.pk, reviewer=reviewer, reason=RejectionReason.ILLEGIBLE, now=NOW
    )
    old.refresh_from_db()
    assert old.status == Contribution.Status.EXPIRED
    assert old.coverage_cancelled_at is None


def test_the_person_may_register_the_sector_again_after_a_rejection(reviewer):
    registration = RegistrationFactory()
    registration_reject(
        registration_id=registration.pk, reviewer=reviewer, reason=RejectionReason.WRONG_SECTOR
    )
    again = RegistrationFactory(person=registration.person, sector=registration.sector)
    registration_approve(registration_id=again.pk, reviewer=reviewer)
    again.refresh_from_db()
    assert again.status == SectorRegistration.Status.APPROVED


@pytest.mark.parametrize(
    ("language", "sector_field"), [("en", "name_en"), ("ms", "name_ms"), ("zh-hans", "name_zh")]
)
def test_the_person_is_told_by_email_and_sms_in_their_language_on_commit(
    reviewer, sms_outbox, django_capture_on_commit_callbacks, language, sector_field
):
    person = UserFactory(language=language, full_name="AHMAD BIN ALI")
    registration = RegistrationFactory(person=person)
    sector_name = getattr(registration.sector, sector_field)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        registration_reject(
            registration_id=registration.pk,
            reviewer=reviewer,
            reason=RejectionReason.DOES_NOT_MATCH_IC,
            note="Photo is of someone else",
        )
    assert len(queued_work(callbacks)) == 2
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    assert sector_name in message.subject
    assert "AHMAD BIN ALI" in message.body
    assert "Photo is of someone else" in message.body
    assert len(sms_outbox) == 1
    assert sms_outbox[0]["to"] == str(person.mobile)
    assert sector_name in sms_outbox[0]["body"]
    if language == "en":
        assert "Reason: Document does not match the IC" in sms_outbox[0]["body"]
        assert "register this sector again" in message.body


def test_nothing_is_sent_when_the_rejection_rolls_back(
    reviewer, sms_outbox, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(person=reviewer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ApplicationError):
        registration_reject(
            registration_id=registration.pk, reviewer=reviewer, reason=RejectionReason.ILLEGIBLE
        )
    assert callbacks == []
    assert mail.outbox == []
    assert sms_outbox == []


# Pages ------------------------------------------------------------------------------------------------


def test_the_review_page_shows_particulars_next_to_the_documents(client, reviewer):
    from tests.backoffice.conftest import PDF_BYTES, add_document

    registration = RegistrationFactory(person=UserFactory(full_name="SITI AMINAH", ic_number="900101145566"))
    ic = add_document(registration)
    licence = add_document(registration, kind="licence", content=PDF_BYTES)
    client.force_login(reviewer)
    response = client.get(reverse("backoffice:review", kwargs={"pk": registration.pk}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "SITI AMINAH" in body
    assert "900101-14-5566" in body
    assert (
        f'<img class="document__image" src="{reverse("backoffice:document", kwargs={"pk": ic.pk})}"' in body
    )
    assert (
        f'<iframe class="document__pdf" src="{reverse("backoffice:document", kwargs={"pk": licence.pk})}"'
        in body
    )
    assert "?download=1" in body


def test_the_review_page_shows_the_choices_in_the_reviewers_language(client, reviewer):
    reviewer.language = "ms"
    reviewer.save(update_fields=["language"])
    registration = RegistrationFactory(
        self_employed_status="others", nationality="malaysian", gender="male", mobile="+60123456789"
    )
    client.force_login(reviewer)
    body = client.get(reverse("backoffice:review", kwargs={"pk": registration.pk})).content.decode()
    assert "<dd>Lain-lain</dd>" in body
    assert "<dd>Warganegara Malaysia</dd>" in body
    assert "<dd>Lelaki</dd>" in body
    assert "<dd>012-345 6789</dd>" in body  # the form's mobile, as people write it
    assert "<dd>malaysian</dd>" not in body and "+60123456789" not in body


def test_approving_through_the_page(client, reviewer):
    registration = RegistrationFactory()
    client.force_login(reviewer)
    response = client.post(
        reverse("backoffice:review", kwargs={"pk": registration.pk}),
        {"action": "approve", "documents_verified": "on"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("backoffice:review_queue")
    assert "Registration approved" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == SectorRegistration.Status.APPROVED


def test_approving_without_ticking_documents_verified_is_refused(client, reviewer):
    registration = RegistrationFactory()
    client.force_login(reviewer)
    response = client.post(
        reverse("backoffice:review", kwargs={"pk": registration.pk}), {"action": "approve"}
    )
    assert response.status_code == 400
    assert "Tick this box" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == SectorRegistration.Status.SUBMITTED


def test_a_rejection_without_a_reason_is_refused_on_the_page_and_keeps_the_text(client, reviewer):
    registration = RegistrationFactory()
    client.force_login(reviewer)
    response = client.post(
        reverse("backoffice:review", kwargs={"pk": registration.pk}),
        {"action": "reject", "reason": "", "note": "blurred scan"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert str(MESSAGE_REASON_REQUIRED) in body
    assert "blurred scan" in body
    registration.refresh_from_db()
    assert registration.status == SectorRegistration.Status.SUBMITTED


def test_other_without_details_is_refused_on_the_page(client, reviewer):
    registration = RegistrationFactory()
    client.force_login(reviewer)
    response = client.post(
        reverse("backoffice:review", kwargs={"pk": registration.pk}), {"action": "reject", "reason": "other"}
    )
    assert response.status_code == 400
    assert "Describe the reason" in response.content.decode()


def test_a_reviewer_approving_their_own_registration_gets_a_clear_refusal(client, reviewer):
    registration = RegistrationFactory(person=reviewer)
    client.force_login(reviewer)
    response = client.post(
        reverse("backoffice:review", kwargs={"pk": registration.pk}),
        {"action": "approve", "documents_verified": "on"},
    )
    assert response.status_code == 403
    assert "You cannot review your own registration" in response.content.decode()
    page = client.get(reverse("backoffice:review", kwargs={"pk": registration.pk})).content.decode()
    assert "another reviewer must decide it" in page
    assert 'value="approve"' not in page
    registration.refresh_from_db()
    assert registration.status == SectorRegistration.Status.SUBMITTED


def test_changing_an_approved_registration_back_is_refused_on_the_page(client, reviewer):
    registration = RegistrationFactory()
    registration_approve(registration_id=registration.pk, reviewer=make_staff(DOCUMENT_REVIEWER))
    client.force_login(reviewer)
    response = client.post(
        reverse("backoffice:review", kwargs={"pk": registration.pk}),
        {"action": "reject", "reason": "illegible"},
    )
    assert response.status_code == 409
    assert "already been reviewed" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == SectorRegistration.Status.APPROVED


def test_posting_status_fields_directly_has_no_effect(client, reviewer):
    registration = RegistrationFactory()
    client.force_login(reviewer)
    response = client.post(
        reverse("backoffice:review", kwargs={"pk": registration.pk}),
        {"status": "approved", "reviewed_by": reviewer.pk},
    )
    assert response.status_code == 400
    registration.refresh_from_db()
    assert registration.status == SectorRegistration.Status.SUBMITTED


def test_a_missing_registration_is_404(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("backoffice:review", kwargs={"pk": 999999})).status_code == 404


# Queue ------------------------------------------------------------------------------------------------


def test_queue_lists_submitted_registrations_oldest_first_with_their_age(client, reviewer):
    now = timezone.now()
    newer = RegistrationFactory(submitted_at=now - dt.timedelta(hours=3))
    older = RegistrationFactory(submitted_at=now - dt.timedelta(days=2, hours=1))
    decided = RegistrationFactory(status=SectorRegistration.Status.APPROVED)
    client.force_login(reviewer)
    response = client.get(reverse("backoffice:review_queue"))
    rows = list(response.context["page"].object_list)
    assert rows == [older, newer]
    assert decided not in rows
    body = response.content.decode()
    assert "2\xa0days" in body
    assert body.index(older.person.full_name) < body.index(newer.person.full_name)


def test_queue_filters_by_sector_state_office_and_status(client, reviewer):
    from contributions.models import Office, Sector, State, Town

    selangor = State.objects.get(code="SGR")
    other = RegistrationFactory(
        sector=Sector.objects.get(code="passenger-transport"),
        state=selangor,
        town=Town.objects.filter(state=selangor).first(),
        office=Office.objects.filter(state=selangor).first(),
    )
    mine = RegistrationFactory()
    client.force_login(reviewer)
    url = reverse("backoffice:review_queue")
    assert list(client.get(url, {"sector": other.sector_id}).context["page"].object_list) == [other]
    assert list(client.get(url, {"state": mine.state_id}).context["page"].object_list) == [mine]
    assert list(client.get(url, {"office": other.office_id}).context["page"].object_list) == [other]
    registration_approve(registration_id=mine.pk, reviewer=reviewer)
    assert list(client.get(url, {"status": "approved"}).context["page"].object_list) == [mine]


@pytest.mark.parametrize("rows", [1, 50])
def test_queue_query_count_does_not_grow_with_rows(client, reviewer, django_assert_max_num_queries, rows):
    RegistrationFactory.create_batch(rows)
    client.force_login(reviewer)
    with django_assert_max_num_queries(13):  # 13 = 12 + django-otp loading the verified device
        response = client.get(reverse("backoffice:review_queue"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == rows


def test_counter_role_constant_is_refused_by_service_and_page(client):
    staff = make_staff(COUNTER_STAFF)
    client.force_login(staff)
    assert client.get(reverse("backoffice:review_queue")).status_code == 403


def test_the_person_sees_rejected_and_the_reason_on_their_dashboard(client, reviewer):
    registration = RegistrationFactory()
    registration_reject(
        registration_id=registration.pk,
        reviewer=reviewer,
        reason=RejectionReason.EXPIRED_LICENCE,
        note="Licence ended in 2024",
    )
    client.force_login(registration.person)
    body = client.get(reverse("contributions:dashboard")).content.decode()
    assert "Rejected" in body
    assert "Reason: Licence has expired: Licence ended in 2024" in body
