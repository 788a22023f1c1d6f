"""Every counter view against every kind of visitor, checked on the server."""

import pytest
from django.urls import reverse

from accounts.roles import COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR
from payments import counter_urls
from tests.backoffice.conftest import make_staff
from tests.counter.conftest import take
from tests.factories import ContributionFactory, admin_force_login, sector

pytestmark = pytest.mark.django_db

ANONYMOUS, PERSON, NO_ROLE, SUPERUSER = "anonymous", "person", "staff_without_role", "superuser"
VISITORS = [ANONYMOUS, PERSON, NO_ROLE, COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR, SUPERUSER]
DESK = {COUNTER_STAFF, SUPERVISOR, SUPERUSER}
VIEWS = {
    "counter:desk": ("get", DESK),
    "counter:office": ("post", DESK),
    "counter:walk_in": ("get", DESK),
    "counter:person": ("get", DESK),
    "counter:register": ("get", DESK),
    "counter:register_form": ("get", DESK),
    "counter:take_cash": ("get", DESK),
    "counter:renew_cash": ("get", DESK),
    "counter:payment": ("get", DESK),
    "counter:void": ("post", {SUPERVISOR, SUPERUSER}),
    "counter:receipt": ("get", DESK),
    "counter:reconciliation": ("get", DESK),
    "counter:reconciliation_csv": ("get", DESK),
}


def test_every_counter_url_is_in_the_matrix():
    assert {f"counter:{pattern.name}" for pattern in counter_urls.urlpatterns} == set(VIEWS)


def _url(name, contribution, payment):
    person = contribution.person
    payment = payment or contribution
    kwargs = {
        "counter:person": {"person_id": person.pk},
        "counter:register": {"person_id": person.pk},
        "counter:register_form": {"person_id": person.pk, "sector_code": "hawkers"},
        "counter:take_cash": {"contribution_id": contribution.pk},
        "counter:renew_cash": {"registration_id": contribution.registration_id},
        "counter:payment": {"payment_id": payment.pk},
        "counter:void": {"payment_id": payment.pk},
        "counter:receipt": {"payment_id": payment.pk},
    }.get(name, {})
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("name", sorted(VIEWS))
def test_each_role_against_each_view(client, name, visitor, office):
    contribution = ContributionFactory()
    needs_entry = name in {"counter:payment", "counter:void", "counter:receipt"}
    payment = take(ContributionFactory(), make_staff(COUNTER_STAFF), office) if needs_entry else None
    url = _url(name, contribution, payment)
    if visitor == PERSON:
        client.force_login(contribution.person)  # even the person concerned
    elif visitor == SUPERUSER:
        admin_force_login(client, make_staff(SUPERUSER))  # superuser powers need a verified second factor
    elif visitor != ANONYMOUS:
        client.force_login(make_staff(None if visitor == NO_ROLE else visitor))
    method, allowed = VIEWS[name]
    response = client.get(url) if method == "get" else client.post(url, {})
    if visitor == ANONYMOUS:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif visitor in allowed:
        assert response.status_code in {200, 302, 400, 409}
    else:
        assert response.status_code == 404


def test_a_staff_account_is_not_a_person_at_the_counter(client, counter_staff, office):
    staff = make_staff(SUPERVISOR)
    client.force_login(counter_staff)
    assert client.get(reverse("counter:person", kwargs={"person_id": staff.pk})).status_code == 404
    response = client.get(reverse("counter:desk"), {"ic": staff.ic_number})
    assert "belongs to a staff account" in response.content.decode()


def test_the_staff_home_links_to_the_desk(client, counter_staff, supervisor):
    for staff in (counter_staff, supervisor):
        client.force_login(staff)
        page = client.get(reverse("accounts:staff_home")).content.decode()
        assert f'href="{reverse("counter:desk")}"' in page
        assert f'href="{reverse("counter:reconciliation")}"' in page


def test_a_reviewer_gets_no_counter_link(client, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("accounts:staff_home")).content.decode()
    assert reverse("counter:desk") not in page


def test_pages_are_not_cached(client, counter_staff):
    client.force_login(counter_staff)
    assert "no-store" in client.get(reverse("counter:desk"))["Cache-Control"]


def test_the_counter_receipt_serves_a_supervisor(client, supervisor, counter_staff, office):
    payment = take(ContributionFactory(), counter_staff, office)
    client.force_login(supervisor)
    page = client.get(reverse("counter:payment", kwargs={"payment_id": payment.pk})).content.decode()
    receipt_url = reverse("counter:receipt", kwargs={"payment_id": payment.pk})
    assert receipt_url in page
    response = client.get(receipt_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_person_not_found_can_be_registered_as_a_walk_in(client, counter_staff):
    client.force_login(counter_staff)
    response = client.get(reverse("counter:desk"), {"ic": "790811 08-7654"})
    page = response.content.decode()
    assert "790811-08-7654" in page
    assert f"{reverse('counter:walk_in')}?ic=790811087654" in page


def test_find_a_person_by_ic_in_any_format(client, counter_staff, person):
    client.force_login(counter_staff)
    for typed in ["790811087654", "790811-08-7654", " 790811 08 7654 "]:
        response = client.get(reverse("counter:desk"), {"ic": typed})
        assert response.status_code == 302, typed
        assert response["Location"] == reverse("counter:person", kwargs={"person_id": person.pk})
    page = client.get(response["Location"]).content.decode()
    assert "790811-08-****" in page
    assert "790811087654" not in page


@pytest.mark.parametrize("typed", ["", "abc", "79081108765", "7908110876541", "991399087654", "１２"])
def test_bad_ic_numbers_get_a_message(client, counter_staff, typed):
    client.force_login(counter_staff)
    response = client.get(reverse("counter:desk"), {"ic": typed})
    assert response.status_code == 200
    assert response.context["find_form"].errors["ic"]
    assert 'value="' in response.content.decode()


def test_unknown_ids_are_404(client, counter_staff):
    client.force_login(counter_staff)
    for name, kwargs in [
        ("counter:person", {"person_id": 999999}),
        ("counter:take_cash", {"contribution_id": 999999}),
        ("counter:renew_cash", {"registration_id": 999999}),
        ("counter:payment", {"payment_id": 999999}),
        ("counter:receipt", {"payment_id": 999999}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name


def test_person_page_lists_registrations_and_what_can_be_paid(client, counter_staff, office):
    contribution = ContributionFactory()
    hawkers = ContributionFactory(
        registration__person=contribution.person, registration__sector=sector("hawkers")
    )
    paid = take(hawkers, counter_staff, office)
    client.force_login(counter_staff)
    page = client.get(
        reverse("counter:person", kwargs={"person_id": contribution.person.pk})
    ).content.decode()
    assert reverse("counter:take_cash", kwargs={"contribution_id": contribution.pk}) in page
    assert (
        reverse("counter:renew_cash", kwargs={"registration_id": paid.contribution.registration_id}) in page
    )
    assert paid.receipt.number in page
    assert 'tabindex="0" role="region"' in page


def test_the_person_page_keeps_to_a_query_budget(
    client, counter_staff, office, django_assert_max_num_queries
):
    person = ContributionFactory().person
    for code in ["hawkers", "agriculture", "fisheries"]:
        paid = take(
            ContributionFactory(registration__person=person, registration__sector=sector(code)),
            counter_staff,
            office,
        )
        ContributionFactory(registration=paid.contribution.registration, is_renewal=True)
    client.force_login(counter_staff)
    with django_assert_max_num_queries(40):
        response = client.get(reverse("counter:person", kwargs={"person_id": person.pk}))
    assert len(response.context["rows"]) == 4
