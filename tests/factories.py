"""factory_boy factories shared by every test package."""

import itertools
import uuid
from decimal import Decimal

import factory
from django.test import Client
from django.utils import timezone

from accounts.models import User
from contributions.models import (
    Contribution,
    Office,
    Plan,
    Sector,
    SectorClass,
    SectorRegistration,
    State,
    Town,
)
from payments.models import Bank, Payment

_ic_serial = itertools.count(1001)
_mobile_serial = itertools.count(2345001)


def next_ic() -> str:
    """A valid IC: born 1 Jan 1990 in Kuala Lumpur (14), a fresh serial each time."""
    return f"90010114{next(_ic_serial) % 10000:04d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    ic_number = factory.LazyFunction(next_ic)
    full_name = factory.Sequence(lambda n: f"PERSON NUMBER {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.test")
    mobile = factory.LazyFunction(lambda: f"+6012{next(_mobile_serial):07d}")
    secret_phrase = "blue hibiscus morning"
    self_employed_code = factory.Sequence(lambda n: f"K{n + 100000:010d}M")
    is_active = True
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-Battery-9")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True


def sector(code="information-technology") -> Sector:
    return Sector.objects.get(code=code)


def plan(number=2) -> Plan:
    return Plan.objects.get(number=number)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SectorRegistration

    person = factory.SubFactory(UserFactory)
    sector = factory.LazyFunction(sector)
    sector_class = factory.LazyAttribute(lambda o: SectorClass.objects.filter(sector=o.sector).first())
    self_employed_status = "others"
    nationality = "malaysian"
    race = "malay"
    gender = "male"
    address_line1 = "No. 61 1st Floor"
    address_line2 = "Jln Tuanku Osman"
    state = factory.LazyFunction(lambda: State.objects.get(code="KTN"))
    town = factory.LazyAttribute(lambda o: Town.objects.get(state=o.state, name="Kuala Krai"))
    postcode = "18000"
    mobile = "+60113388378"
    email = factory.LazyAttribute(lambda o: o.person.email)
    office = factory.LazyFunction(lambda: Office.objects.get(code="kuala-krai"))


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    registration = factory.SubFactory(RegistrationFactory)
    person = factory.LazyAttribute(lambda o: o.registration.person)
    sector = factory.LazyAttribute(lambda o: o.registration.sector)
    plan = factory.LazyFunction(plan)
    months = 4
    amount = factory.LazyAttribute(lambda o: o.plan.monthly_amount * o.months)
    created_at = factory.LazyFunction(timezone.now)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    contribution = factory.SubFactory(ContributionFactory)
    method = Payment.Method.FPX
    amount = factory.LazyAttribute(lambda o: o.contribution.amount)
    seller_order_no = factory.LazyFunction(lambda: f"MX{uuid.uuid4().hex[:16].upper()}")
    exchange_order_no = factory.LazyFunction(lambda: uuid.uuid4().hex[:20].upper())
    bank = factory.LazyFunction(lambda: Bank.objects.get(fpx_id="ABB0233"))


RM = Decimal


def verify_second_factor(client, user):
    """Mark the client's session as past the staff second factor, as the second-factor page does
    (django-otp's session key naming one of the user's confirmed devices)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return user


class PortalClient(Client):
    """The test client of every test (the `client` fixture): force_login skips the whole log-in, so for
    staff it passes the second factor too. `second_factor=False` stops after the password step."""

    def force_login(self, user, backend=None, *, second_factor=True):
        from accounts.roles import needs_second_factor

        super().force_login(user, backend)
        if second_factor and needs_second_factor(user):
            verify_second_factor(self, user)


def admin_force_login(client, user):
    """Log a member of staff in with a verified second factor (with any client, PortalClient or not)."""
    client.force_login(user)
    return verify_second_factor(client, user)


def make_staff(role: str | None, **kwargs):
    """A member of staff in `role` (a role group name), "superuser", or None for no role."""
    from accounts.roles import ensure_role_groups

    groups = ensure_role_groups()
    if role == "superuser":
        return StaffFactory(is_superuser=True, **kwargs)
    staff = StaffFactory(**kwargs)
    if role:
        staff.groups.add(groups[role])
    return staff


def queued_work(callbacks) -> list:
    """On-commit callbacks other than the caches' own (forgetting a changed account or page)."""
    return [c for c in callbacks if c.__module__ != "matrix_portal.cache"]
