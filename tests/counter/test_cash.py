"""Taking cash at the counter: one payment per entry, the online coverage rules, the "Tunai" receipt."""

import uuid
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from contributions.models import Contribution, Plan
from contributions.services import MESSAGE_MONTHS, MESSAGE_PLAN_LOCKED
from matrix_portal.models import AuditEvent
from payments import counter_services
from payments.counter_forms import MESSAGE_CASH_RECEIVED, MESSAGE_TOKEN
from payments.models import Payment, PaymentStatusChange
from payments.services import payment_confirm
from receipts.models import Receipt
from tests.counter.conftest import at, at_counter, cash_form, take
from tests.factories import ContributionFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def cash_url(contribution):
    return reverse("counter:take_cash", kwargs={"contribution_id": contribution.pk})


def renew_url(registration):
    return reverse("counter:renew_cash", kwargs={"registration_id": registration.pk})


def test_cash_pays_the_contribution_and_prints_a_tunai_receipt(
    desk_client, contribution, counter_staff, office
):
    data = cash_form(desk_client, contribution)
    response = desk_client.post(cash_url(contribution), data)
    payment = Payment.objects.get(contribution=contribution)
    assert response.status_code == 302
    assert response["Location"] == reverse("counter:payment", kwargs={"payment_id": payment.pk})
    assert payment.method == Payment.Method.CASH
    assert payment.status == Payment.Status.PAID
    assert payment.amount == Decimal("77.60")
    assert payment.office == office
    assert payment.staff == counter_staff
    receipt = Receipt.objects.get(payment=payment)
    assert receipt.payment_method_label == f"{office.name} - Tunai"
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.ACTIVE
    assert contribution.paid_at == payment.paid_at
    page = desk_client.get(response["Location"]).content.decode()
    assert receipt.number in page
    assert reverse("receipts:download", kwargs={"pk": receipt.pk}) in page
    download = desk_client.get(reverse("receipts:download", kwargs={"pk": receipt.pk}))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert [c.to_status for c in PaymentStatusChange.objects.filter(payment=payment)] == ["pending", "paid"]


def test_every_cash_entry_appends_an_audit_row(desk_client, contribution, counter_staff):
    desk_client.post(cash_url(contribution), cash_form(desk_client, contribution))
    payment = Payment.objects.get(contribution=contribution)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CASH_PAYMENT_RECORDED)
    assert event.actor == counter_staff
    assert event.target_id == str(payment.pk)
    assert event.after["amount"] == "77.60"
    assert event.after["receipt"] == payment.receipt.number
    assert event.ip_address == "127.0.0.1"
    assert "790811087654" not in event.target_repr


def test_double_click_and_resubmit_record_one_payment(desk_client, contribution):
    data = cash_form(desk_client, contribution)
    first = desk_client.post(cash_url(contribution), data)
    second = desk_client.post(cash_url(contribution), data)
    third = desk_client.post(cash_url(contribution), data, follow=True)
    assert Payment.objects.filter(contribution=contribution).count() == 1
    assert Receipt.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert "already recorded" in third.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CASH_PAYMENT_RECORDED).count() == 1


def test_the_service_returns_the_first_payment_for_a_repeated_key(contribution, counter_staff, office):
    key = str(uuid.uuid4())
    first = take(contribution, counter_staff, office, key=key)
    again = counter_services.cash_payment_take(
        contribution_id=contribution.pk, staff=counter_staff, office=office, idempotency_key=key
    )
    assert again.repeated and again.payment.pk == first.pk


def test_a_key_used_for_another_contribution_is_refused(contribution, counter_staff, office):
    key = str(uuid.uuid4())
    take(contribution, counter_staff, office, key=key)
    other = ContributionFactory()
    with pytest.raises(counter_services.ApplicationError) as error:
        take(other, counter_staff, office, key=key)
    assert error.value.message == counter_services.MESSAGE_FORM_USED
    assert not Payment.objects.filter(contribution=other).exists()


def test_cash_on_an_already_paid_contribution_is_refused(desk_client, contribution, counter_staff, office):
    data = cash_form(desk_client, contribution)  # the form was open before the payment went through
    take(contribution, counter_staff, office)
    response = desk_client.post(cash_url(contribution), data)
    assert response.status_code == 409
    assert str(counter_services.MESSAGE_ALREADY_PAID) in response.content.decode()
    assert Payment.objects.filter(contribution=contribution).count() == 1
    page = desk_client.get(cash_url(contribution)).content.decode()
    assert "already been paid" in page
    assert 'name="cash_received"' not in page


def test_cash_on_a_contribution_paid_online_is_refused(contribution, counter_staff, office):
    payment = PaymentFactory(contribution=contribution)
    payment_confirm(payment=payment, paid_at=at(2026, 11, 21, 9, 0), source="direct")
    with pytest.raises(counter_services.ApplicationError) as error:
        take(contribution, counter_staff, office)
    assert error.value.code == "already_paid"
    assert Payment.objects.filter(contribution=contribution, method="cash").count() == 0


def test_cash_while_an_fpx_payment_is_pending_is_refused(desk_client, contribution):
    PaymentFactory(contribution=contribution)  # pending at the bank
    response = desk_client.post(cash_url(contribution), cash_form(desk_client, contribution))
    assert response.status_code == 409
    assert "come back after 60 minutes" in response.content.decode()
    assert not Payment.objects.filter(contribution=contribution, method="cash").exists()


def test_cash_on_a_rejected_contribution_is_refused(contribution, counter_staff, office):
    Contribution.objects.filter(pk=contribution.pk).update(status=Contribution.Status.REJECTED)
    with pytest.raises(counter_services.ApplicationError) as error:
        take(contribution, counter_staff, office)
    assert error.value.code == "not_payable"


def test_amount_plan_months_and_office_in_the_post_are_ignored(
    desk_client, contribution, office, other_office
):
    data = cash_form(desk_client, contribution)
    data.update(
        {"amount": "0.01", "plan": Plan.objects.get(number=1).pk, "months": "12", "office": other_office.pk}
    )
    desk_client.post(cash_url(contribution), data)
    payment = Payment.objects.get(contribution=contribution)
    assert payment.amount == Decimal("77.60")
    assert payment.office == office
    contribution.refresh_from_db()
    assert (contribution.plan.number, contribution.months) == (2, 4)


def test_no_cash_without_an_office(client, counter_staff, contribution):
    at_counter(client, counter_staff)
    page = client.get(cash_url(contribution)).content.decode()
    assert "Choose the office you are working at before taking cash." in page
    response = client.post(cash_url(contribution), cash_form(client, contribution))
    assert response.status_code == 409
    assert not Payment.objects.exists()


def test_an_office_closed_since_it_was_chosen_is_refused(desk_client, contribution, office):
    office.is_active = False
    office.save()
    response = desk_client.post(cash_url(contribution), cash_form(desk_client, contribution))
    assert response.status_code == 409
    assert not Payment.objects.exists()


def test_choosing_an_unknown_or_closed_office_is_refused(desk_client, office, other_office):
    other_office.is_active = False
    other_office.save()
    for value in [str(other_office.pk), "999999", "abc", ""]:
        response = desk_client.post(reverse("counter:office"), {"office": value})
        assert response.status_code == 400
        assert "Choose the office you are working at." in response.content.decode()
    assert desk_client.session["counter_office_id"] == office.pk


def test_each_staff_member_records_the_office_they_chose(client, contribution, counter_staff, other_office):
    at_counter(client, counter_staff)
    response = client.post(reverse("counter:office"), {"office": other_office.pk})
    assert response.status_code == 302
    client.post(cash_url(contribution), cash_form(client, contribution))
    payment = Payment.objects.get()
    assert payment.office == other_office
    assert payment.receipt.payment_method_label == f"{other_office.name} - Tunai"


def test_a_forged_or_foreign_token_is_refused(desk_client, contribution, second_counter_staff, client):
    for token in ["", "not-a-token", str(uuid.uuid4())]:
        response = desk_client.post(cash_url(contribution), {"token": token, "cash_received": "on"})
        assert str(MESSAGE_TOKEN) in response.content.decode()
    from payments.counter_forms import cash_token_issue

    stolen = cash_token_issue(staff=second_counter_staff)  # issued to someone else
    response = desk_client.post(cash_url(contribution), {"token": stolen, "cash_received": "on"})
    assert str(MESSAGE_TOKEN) in response.content.decode()
    assert not Payment.objects.exists()


def test_the_cash_must_be_confirmed_as_received(desk_client, contribution):
    data = cash_form(desk_client, contribution)
    del data["cash_received"]
    response = desk_client.post(cash_url(contribution), data)
    assert str(MESSAGE_CASH_RECEIVED) in response.content.decode()
    assert not Payment.objects.exists()


def test_an_unknown_or_staff_contribution_is_404(desk_client):
    assert (
        desk_client.get(reverse("counter:take_cash", kwargs={"contribution_id": 999999})).status_code == 404
    )


# --- Coverage identical to online --------------------------------------------------------------------


@pytest.mark.parametrize("months", [1, 4, 12])
def test_cash_fixes_the_same_coverage_as_an_fpx_payment_at_the_same_moment(months, counter_staff, office):
    paid_at = at(2019, 12, 23, 16, 15, 39)
    by_cash = ContributionFactory(months=months)
    online = ContributionFactory(months=months)
    take(by_cash, counter_staff, office, now=paid_at)
    payment_confirm(payment=PaymentFactory(contribution=online), paid_at=paid_at, source="direct")
    by_cash.refresh_from_db()
    online.refresh_from_db()
    assert (by_cash.coverage_start, by_cash.coverage_end, by_cash.plan_locked_from, by_cash.status) == (
        online.coverage_start,
        online.coverage_end,
        online.plan_locked_from,
        online.status,
    )


def test_seed_vector_one_month_then_renewal_at_the_counter(counter_staff, office):
    first = ContributionFactory(months=1)
    take(first, counter_staff, office, now=at(2019, 12, 23, 16, 15, 39))
    result = counter_services.cash_renewal_take(
        registration_id=first.registration_id,
        plan=first.plan,
        months=4,
        staff=counter_staff,
        office=office,
        idempotency_key=str(uuid.uuid4()),
        now=at(2019, 12, 27, 16, 35, 8),
    )
    renewal = result.payment.contribution
    renewal.refresh_from_db()
    assert renewal.status == Contribution.Status.RENEWED
    assert renewal.is_renewal
    assert renewal.coverage_start == at(2020, 1, 23, 0, 0, 0)
    assert renewal.coverage_end == at(2020, 5, 22, 23, 59, 59)
    assert result.payment.amount == Decimal("77.60")
    receipt_numbers = sorted(Receipt.objects.values_list("number", flat=True))
    assert receipt_numbers == ["20190000000001", "20190000000002"]


# --- Renewal form at the counter: months and plan ------------------------------------------------------


@pytest.fixture
def paid_registration(contribution, counter_staff, office):
    with time_machine.travel(at(2026, 1, 5, 10, 0), tick=False):
        take(contribution, counter_staff, office)
    return contribution.registration


def renew_form(client, registration):
    response = client.get(renew_url(registration))
    assert response.status_code == 200
    return response, {"token": response.context["form"]["token"].value(), "cash_received": "on"}


@pytest.mark.parametrize("months", ["0", "13", "abc", "", "-1", "4.5", "１"])
def test_bad_months_are_refused_with_a_message(desk_client, paid_registration, months):
    response, data = renew_form(desk_client, paid_registration)
    response = desk_client.post(renew_url(paid_registration), {**data, "months": months})
    assert response.status_code == 400
    assert str(MESSAGE_MONTHS) in response.content.decode()
    assert Payment.objects.count() == 1


def test_renewal_inside_the_lock_year_uses_the_locked_plan_whatever_is_posted(
    client, counter_staff, office, paid_registration
):
    with time_machine.travel(at(2026, 11, 21, 10, 0), tick=False):
        locked_plan(at_counter(client, counter_staff, office), paid_registration)


def locked_plan(desk_client, paid_registration):
    response, data = renew_form(desk_client, paid_registration)
    assert "plan" not in response.context["form"].fields
    plan_4 = Plan.objects.get(number=4)
    response = desk_client.post(
        renew_url(paid_registration), {**data, "months": "3", "plan": plan_4.pk, "amount": "1.00"}
    )
    assert response.status_code == 302
    renewal = Payment.objects.get(contribution__is_renewal=True)
    assert renewal.contribution.plan.number == 2
    assert renewal.amount == Decimal("58.20")  # RM 19.40 x 3, computed by the server


@time_machine.travel(at(2026, 11, 21, 10, 0), tick=False)
def test_renewal_service_refuses_another_plan_inside_the_lock_year(paid_registration, counter_staff, office):
    with pytest.raises(counter_services.ApplicationError) as error:
        counter_services.cash_renewal_take(
            registration_id=paid_registration.pk,
            plan=Plan.objects.get(number=4),
            months=3,
            staff=counter_staff,
            office=office,
            idempotency_key=str(uuid.uuid4()),
        )
    assert error.value.message == MESSAGE_PLAN_LOCKED
    assert Payment.objects.count() == 1
    assert Contribution.objects.count() == 1


def test_after_the_lock_year_a_plan_must_be_chosen(client, counter_staff, office, paid_registration):
    with time_machine.travel(at(2027, 3, 1, 10, 0), tick=False):
        after_lock_year(at_counter(client, counter_staff, office), paid_registration)


def after_lock_year(desk_client, paid_registration):
    response, data = renew_form(desk_client, paid_registration)
    assert "plan" in response.context["form"].fields
    response = desk_client.post(renew_url(paid_registration), {**data, "months": "2", "plan": "abc"})
    assert response.status_code == 400
    assert "Choose a contribution plan." in response.content.decode()
    plan_1 = Plan.objects.get(number=1)
    response = desk_client.post(renew_url(paid_registration), {**data, "months": "2", "plan": plan_1.pk})
    assert response.status_code == 302
    renewal = Payment.objects.get(contribution__months=2)
    assert renewal.amount == plan_1.monthly_amount * 2
    assert renewal.contribution.status == Contribution.Status.RENEWED  # as online: paid before, so a renewal
    assert renewal.contribution.coverage_start == at(2027, 3, 1, 10, 0)  # lapsed: starts on payment


def test_renewal_double_submit_makes_one_contribution_and_one_payment(
    client, counter_staff, office, paid_registration
):
    with time_machine.travel(at(2026, 11, 21, 10, 0), tick=False):
        renewal_twice(at_counter(client, counter_staff, office), paid_registration)


def renewal_twice(desk_client, paid_registration):
    response, data = renew_form(desk_client, paid_registration)
    data["months"] = "2"
    first = desk_client.post(renew_url(paid_registration), data)
    assert first.status_code == 302, first.context["form"].errors
    second = desk_client.post(renew_url(paid_registration), data)
    assert second.status_code == 302, second.context["form"].errors
    assert first["Location"] == second["Location"]
    assert Contribution.objects.filter(registration=paid_registration).count() == 2
    assert Payment.objects.count() == 2


def test_renewal_is_refused_while_a_contribution_waits_for_payment(desk_client, contribution):
    response, data = renew_form(desk_client, contribution.registration)
    assert "cash_received" not in response.content.decode()
    response = desk_client.post(renew_url(contribution.registration), {**data, "months": "2"})
    assert response.status_code == 409
    assert not Payment.objects.exists()
