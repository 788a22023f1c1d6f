"""Document review of sector registrations: approval, and rejection with its consequences."""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.roles import DOCUMENT_REVIEWER, has_role
from contributions.models import Contribution, SectorRegistration
from contributions.services import contribution_set_status
from matrix_portal.audit import audit_record, snapshot
from matrix_portal.errors import ApplicationError
from matrix_portal.models import AuditEvent
from matrix_portal.sms import send_sms
from matrix_portal.timeutil import format_datetime

logger = logging.getLogger(__name__)


class RejectionReason(models.TextChoices):
    ILLEGIBLE = "illegible", _("Document is illegible")
    DOES_NOT_MATCH_IC = "ic_mismatch", _("Document does not match the IC")
    WRONG_SECTOR = "wrong_sector", _("Wrong sector")
    EXPIRED_LICENCE = "expired_licence", _("Licence has expired")
    OTHER = "other", _("Other")


MESSAGE_NOT_REVIEWER = _("Only document reviewers can review registrations.")
MESSAGE_OWN_REGISTRATION = _("You cannot review your own registration, or one you entered at the counter.")
MESSAGE_ALREADY_REVIEWED = _("This registration has already been reviewed; its decision cannot be changed.")
MESSAGE_REASON_REQUIRED = _("Choose the reason for the rejection.")
MESSAGE_NOTE_REQUIRED = _("Describe the reason when you choose “Other”.")
REASON_CONTRIBUTION_CANCELLED = "Registration rejected: contribution is cancelled"

PAID_STATUSES = (Contribution.Status.ACTIVE, Contribution.Status.RENEWED)


def _lock_for_review(*, registration_id: int, reviewer) -> SectorRegistration:
    if not has_role(reviewer, DOCUMENT_REVIEWER):
        raise ApplicationError(MESSAGE_NOT_REVIEWER, code="not_reviewer")
    registration = (
        SectorRegistration.objects.select_for_update(of=("self",))
        .select_related("person", "sector")
        .get(pk=registration_id)
    )
    if reviewer.pk in (registration.person_id, registration.created_by_id):
        raise ApplicationError(MESSAGE_OWN_REGISTRATION, code="own_registration")
    if registration.status != SectorRegistration.Status.SUBMITTED:
        raise ApplicationError(MESSAGE_ALREADY_REVIEWED, code="already_reviewed")
    return registration


def _audit_label(registration: SectorRegistration) -> str:
    person = registration.person
    return f"{person.full_name} ({person.ic_masked}) – {registration.sector.name_en}"


def _decision_fields(registration: SectorRegistration) -> dict:
    return {
        key: value
        for key, value in snapshot(registration).items()
        if key in {"status", "reviewed_at", "reviewed_by", "rejection_reason", "rejection_note"}
    }


@transaction.atomic
def registration_approve(*, registration_id: int, reviewer, request=None, now=None) -> SectorRegistration:
    """Documents verified: the registration becomes Approved. Final."""
    now = now or timezone.now()
    registration = _lock_for_review(registration_id=registration_id, reviewer=reviewer)
    before = _decision_fields(registration)
    registration.status = SectorRegistration.Status.APPROVED
    registration.reviewed_at = now
    registration.reviewed_by = reviewer
    registration.full_clean()
    registration.save()
    audit_record(
        action=AuditEvent.Action.REGISTRATION_APPROVED,
        actor=reviewer,
        target=registration,
        before=before,
        after=_decision_fields(registration),
        request=request,
        at=now,
        target_repr=_audit_label(registration),
    )
    return registration


@transaction.atomic
def registration_reject(
    *, registration_id: int, reviewer, reason: str, note: str = "", request=None, now=None
) -> SectorRegistration:
    """Reject the registration and, in the same transaction, cancel what depends on it.

    Unpaid contributions become Rejected; paid ones (Active, Renewed) become Rejected with their coverage
    ending now. Their payments then show on the refunds list. Receipts stay as issued. The person is told
    by e-mail and SMS once the transaction commits.
    """
    now = now or timezone.now()
    note = (note or "").strip()
    if reason not in RejectionReason.values:
        raise ApplicationError(MESSAGE_REASON_REQUIRED, code="reason_required")
    if reason == RejectionReason.OTHER and not note:
        raise ApplicationError(MESSAGE_NOTE_REQUIRED, code="note_required")
    registration = _lock_for_review(registration_id=registration_id, reviewer=reviewer)
    before = _decision_fields(registration)

    cancelled = []
    contributions = Contribution.objects.select_for_update().filter(registration=registration).order_by("pk")
    for contribution in contributions:
        if contribution.status not in (Contribution.Status.SUBMITTED, *PAID_STATUSES):
            continue
        if contribution.status in PAID_STATUSES:
            contribution.coverage_cancelled_at = now
        cancelled.append({"id": contribution.pk, "from": contribution.status})
        contribution_set_status(
            contribution=contribution,
            status=Contribution.Status.REJECTED,
            by=reviewer,
            reason=REASON_CONTRIBUTION_CANCELLED,
            now=now,
        )
        contribution.full_clean()
        contribution.save()

    registration.status = SectorRegistration.Status.REJECTED
    registration.reviewed_at = now
    registration.reviewed_by = reviewer
    registration.rejection_reason = reason
    registration.rejection_note = note
    registration.full_clean()
    registration.save()
    audit_record(
        action=AuditEvent.Action.REGISTRATION_REJECTED,
        actor=reviewer,
        target=registration,
        before=before,
        after={**_decision_fields(registration), "contributions_cancelled": cancelled},
        request=request,
        at=now,
        target_repr=_audit_label(registration),
    )
    from matrix_portal.tasks import notify_registration_rejected_email, notify_registration_rejected_sms

    transaction.on_commit(lambda: notify_registration_rejected_email.delay(registration.pk))
    transaction.on_commit(lambda: notify_registration_rejected_sms.delay(registration.pk))
    return registration


def rejection_reason_label(registration: SectorRegistration) -> str:
    try:
        return str(RejectionReason(registration.rejection_reason).label)
    except ValueError:
        return registration.rejection_reason


def _rejection_context(registration: SectorRegistration) -> dict:
    cancelled_at: dt.datetime | None = registration.reviewed_at
    return {
        "registration": registration,
        "person": registration.person,
        "sector_name": registration.sector.name,
        "reason": rejection_reason_label(registration),
        "note": registration.rejection_note,
        "rejected_at": format_datetime(cancelled_at),
        "had_paid_cover": registration.contributions.filter(coverage_cancelled_at__isnull=False).exists(),
        "site_url": settings.SITE_URL,
    }


def _rejected_registration(registration_id: int) -> SectorRegistration | None:
    registration = (
        SectorRegistration.objects.select_related("person", "sector").filter(pk=registration_id).first()
    )
    if registration is None or registration.status != SectorRegistration.Status.REJECTED:
        return None
    return registration


def registration_rejection_send_email(*, registration_id: int) -> bool:
    """E-mail the person the rejection and its reason, in their language."""
    registration = _rejected_registration(registration_id)
    if registration is None:
        return False
    recipient = registration.person.email or registration.email
    with translation.override(registration.person.language):
        context = _rejection_context(registration)
        subject = str(_("MATRIX: your registration for %(sector)s was rejected")) % {
            "sector": context["sector_name"]
        }
        body = render_to_string("backoffice/email/registration_rejected.txt", context)
    send_mail(subject, body, None, [recipient])
    return True


def registration_rejection_send_sms(*, registration_id: int) -> bool:
    """SMS the person the rejection and its reason, in their language."""
    registration = _rejected_registration(registration_id)
    if registration is None:
        return False
    to = registration.person.mobile or registration.mobile
    if not to:
        return False
    with translation.override(registration.person.language):
        body = str(
            _(
                "MATRIX PERKESO: your registration for %(sector)s was rejected. Reason: %(reason)s. "
                "You may register this sector again with new documents."
            )
        ) % {"sector": registration.sector.name, "reason": rejection_reason_label(registration)}
    send_sms(to=str(to), body=body)
    return True
