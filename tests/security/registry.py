"""Who may open each page that takes an object id or key: the access-control registry.

Every URL pattern with parameters must be listed here (with a factory that makes an object for a given
owner and the visitors allowed to open it) or in EXEMPT with the reason it needs no owner check. A pattern
in neither makes tests/security/test_access_control.py fail, so a new page cannot ship unreviewed.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import uuid4

from django.utils import timezone

from accounts.roles import COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR, ensure_role_groups
from payments.models import Payment
from payments.views import ACKNOWLEDGED_SESSION_KEY
from tests.factories import (
    ContributionFactory,
    PaymentFactory,
    RegistrationFactory,
    StaffFactory,
    UserFactory,
    admin_force_login,
)

# The visitors every page is tried with.
ANONYMOUS = "anonymous"
OWNER = "owner"
OTHER_PERSON = "other_person"
STAFF_NO_ROLE = "staff_without_role"
SUPERUSER_NO_OTP = "superuser_without_otp"
SUPERUSER_OTP = "superuser_with_otp"
VISITORS = [
    ANONYMOUS,
    OWNER,
    OTHER_PERSON,
    STAFF_NO_ROLE,
    COUNTER_STAFF,
    DOCUMENT_REVIEWER,
    SUPERVISOR,
    SUPERUSER_NO_OTP,
    SUPERUSER_OTP,
]
MISSING_ID = 987_654_321


def log_in(client, visitor: str, owner):
    """Log `client` in as `visitor`; returns the user (None for anonymous)."""
    if visitor == ANONYMOUS:
        return None
    if visitor == OWNER:
        user = owner
    elif visitor == OTHER_PERSON:
        user = UserFactory()
    elif visitor in (SUPERUSER_NO_OTP, SUPERUSER_OTP):
        user = StaffFactory(is_superuser=True)
        if visitor == SUPERUSER_OTP:
            return admin_force_login(client, user)
    else:
        user = StaffFactory()
        if visitor != STAFF_NO_ROLE:
            user.groups.add(ensure_role_groups()[visitor])
    client.force_login(user, second_factor=visitor != SUPERUSER_NO_OTP)
    return user


@dataclass
class Made:
    """An object made for a test: the URL kwargs to open it, the same kwargs naming nothing, extras."""

    kwargs: dict
    missing: dict
    session: dict = field(default_factory=dict)


@dataclass
class Access:
    make: Callable[[object], Made]
    allowed: frozenset  # visitors who get the page (OWNER included when the owner may open it)
    method: str = "GET"
    ok_status: int = 200
    why: str = ""


def _registration(owner):
    return RegistrationFactory(person=owner)


def _contribution(owner):
    return ContributionFactory(registration=_registration(owner))


def _document(owner):
    from tests.backoffice.conftest import add_document

    return add_document(_registration(owner))


def _paid_payment(owner):
    from contributions.services import contribution_mark_paid
    from receipts.services import receipt_issue

    contribution = _contribution(owner)
    paid_at = timezone.now() - dt.timedelta(minutes=5)
    payment = PaymentFactory(
        contribution=contribution,
        status=Payment.Status.PAID,
        paid_at=paid_at,
        seller_txn_time="20261121154500",
        fpx_txn_id="2611211550270891",
    )
    contribution_mark_paid(contribution=contribution, paid_at=paid_at)
    return payment, receipt_issue(payment=payment)


def _pending_payment(owner):
    """A pending attempt made as the Pay button makes it (with its signed AR)."""
    from payments.models import Bank
    from payments.services import payment_start_fpx

    return payment_start_fpx(
        contribution=_contribution(owner),
        bank=Bank.objects.get(fpx_id="ABB0233"),
        idempotency_key=str(uuid4()),
    )


def make_contribution_view(owner):
    return Made({"pk": _contribution(owner).pk}, {"pk": MISSING_ID})


def make_renew(owner):
    return Made({"registration_id": _registration(owner).pk}, {"registration_id": MISSING_ID})


def make_document(owner):
    return Made({"pk": _document(owner).pk}, {"pk": MISSING_ID})


def make_pay_now(owner):
    return Made({"contribution_id": _contribution(owner).pk}, {"contribution_id": MISSING_ID})


def make_select_bank(owner):
    contribution = _contribution(owner)
    # Every visitor's session says the terms were acknowledged: only ownership decides.
    return Made(
        {"contribution_id": contribution.pk},
        {"contribution_id": MISSING_ID},
        session={ACKNOWLEDGED_SESSION_KEY: [contribution.pk, MISSING_ID]},
    )


def make_payment(owner):
    return Made({"pk": _paid_payment(owner)[0].pk}, {"pk": MISSING_ID})


def make_pending_payment(owner):
    return Made({"pk": _pending_payment(owner).pk}, {"pk": MISSING_ID})


def make_receipt(owner):
    return Made({"pk": _paid_payment(owner)[1].pk}, {"pk": MISSING_ID})


def make_registration(owner):
    return Made({"pk": _registration(owner).pk}, {"pk": MISSING_ID})


def make_sector(owner):
    return Made({"sector_code": "information-technology"}, {"sector_code": "no-such-sector"})


def _cash_payment(owner):
    """A cash entry taken at a counter for the owner's contribution, with its receipt."""
    from contributions.models import Office
    from contributions.services import contribution_mark_paid
    from receipts.services import receipt_issue

    contribution = _contribution(owner)
    paid_at = timezone.now() - dt.timedelta(minutes=5)
    payment = PaymentFactory(
        contribution=contribution,
        method=Payment.Method.CASH,
        status=Payment.Status.PAID,
        paid_at=paid_at,
        bank=None,
        office=Office.objects.get(code="kuala-krai"),
        staff=StaffFactory(),
    )
    contribution_mark_paid(contribution=contribution, paid_at=paid_at)
    receipt_issue(payment=payment)
    return payment


def make_person(owner):
    return Made({"person_id": owner.pk}, {"person_id": MISSING_ID})


def make_person_sector(owner):
    return Made(
        {"person_id": owner.pk, "sector_code": "information-technology"},
        {"person_id": MISSING_ID, "sector_code": "information-technology"},
    )


def make_cash_contribution(owner):
    return Made({"contribution_id": _contribution(owner).pk}, {"contribution_id": MISSING_ID})


def make_cash_renewal(owner):
    return Made({"registration_id": _registration(owner).pk}, {"registration_id": MISSING_ID})


def make_cash_entry(owner):
    return Made({"payment_id": _cash_payment(owner).pk}, {"payment_id": MISSING_ID})


PERSONS_OWN = frozenset({OWNER})
COUNTER_DESK = frozenset({COUNTER_STAFF, SUPERVISOR, SUPERUSER_OTP})
REVIEWERS = frozenset({DOCUMENT_REVIEWER, SUPERUSER_OTP})

REGISTRY: dict[str, Access] = {
    "contributions:view": Access(make_contribution_view, PERSONS_OWN),
    "contributions:renew": Access(make_renew, PERSONS_OWN),
    "contributions:document": Access(
        make_document, PERSONS_OWN | REVIEWERS, why="the owner, and reviewers checking the registration"
    ),
    "contributions:register_form": Access(
        make_sector,
        frozenset({OWNER, OTHER_PERSON}),
        why="a sector's public code, not a person's object: any self-employed person may register",
    ),
    "payments:pay_now": Access(make_pay_now, PERSONS_OWN),
    "payments:select_bank": Access(make_select_bank, PERSONS_OWN),
    "payments:details": Access(make_payment, PERSONS_OWN),
    "payments:to_gateway": Access(make_pending_payment, PERSONS_OWN),
    "payments:check_status": Access(make_payment, PERSONS_OWN, method="POST", ok_status=302),
    "receipts:download": Access(
        make_receipt,
        PERSONS_OWN | {COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERUSER_OTP},
        why="the payer, and counter staff or reviewers reprinting it",
    ),
    "counter:person": Access(make_person, COUNTER_DESK, why="counter staff serving a walk-in person"),
    "counter:register": Access(
        make_person, COUNTER_DESK, why="counter staff registering a sector for a person"
    ),
    "counter:register_form": Access(make_person_sector, COUNTER_DESK),
    "counter:take_cash": Access(make_cash_contribution, COUNTER_DESK),
    "counter:renew_cash": Access(make_cash_renewal, COUNTER_DESK),
    "counter:payment": Access(make_cash_entry, COUNTER_DESK),
    "counter:receipt": Access(make_cash_entry, COUNTER_DESK),
    "counter:void": Access(
        make_cash_entry,
        frozenset({SUPERVISOR, SUPERUSER_OTP}),
        method="POST",
        ok_status=409,
        why="supervisors only; an empty form is refused (409) after the access check",
    ),
    "backoffice:review": Access(make_registration, REVIEWERS),
    "backoffice:document": Access(make_document, REVIEWERS),
}

# Patterns with parameters that need no owner check, and why.
EXEMPT: dict[str, str] = {
    "accounts:activate": "single-use activation token e-mailed to the person; stored only as a digest",
    "accounts:reset_password": "single-use reset token e-mailed to the person; stored only as a digest",
    "accounts:confirm_email": "single-use token sent to the new address; stored only as a digest",
    "receipts:verify": "public QR verification: receipt number plus a 256-bit unguessable token",
    "fpx_simulator:login": "FPX simulator's bank pages (development only; not routed in production)",
    "fpx_simulator:tac": "FPX simulator's bank pages (development only; not routed in production)",
    "fpx_simulator:confirm": "FPX simulator's bank pages (development only; not routed in production)",
    "fpx_simulator:done": "FPX simulator's bank pages (development only; not routed in production)",
}

# Pages without parameters that anyone may open (everything else must send anonymous visitors to log in).
PUBLIC: dict[str, str] = {
    "home": "landing page",
    "help": "public help",
    "benefits": "public benefits information",
    "terms": "terms and conditions",
    "set_language": "language switch (POST only)",
    "healthz": "load-balancer health probe",
    "dev_outbox": "development outbox (DEV_OUTBOX_ENABLED is off in production)",
    "accounts:login": "log-in, step 1",
    "accounts:login_password": "log-in, step 2 (needs step 1 in the session)",
    "accounts:logout": "log-out",
    "accounts:signup": "sign-up",
    "accounts:signup_otp": "sign-up code (needs a sign-up in the session)",
    "accounts:signup_done": "sign-up done (needs a sign-up in the session)",
    "accounts:forgot_password": "forgot password",
    "accounts:forgot_password_sent": "forgot password, sent (says nothing about the account)",
    "payments:fpx_direct": "FPX direct AC, authenticated by its signature",
    "payments:fpx_return": "FPX browser return (indirect AC), authenticated by its signature",
    "payments:return_unconfirmed": "generic 'we could not confirm this return' page",
    "fpx_simulator:console": "FPX simulator (development only)",
    "fpx_simulator:seller_receiver": "FPX simulator (development only)",
    "fpx_simulator:bank_list": "FPX simulator (development only)",
    "fpx_simulator:txn_status": "FPX simulator (development only)",
}
