"""A person's dashboard, history and contribution view are kept between changes (matrix_portal/page_cache.py).

Every test here checks what a person would notice: a page kept from before a change must never be shown after
it, one person's page must never reach another, and the forms on a kept page must still work.
"""

import re

import pytest
import time_machine
from django.contrib import messages
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.services import user_disable
from contributions.models import Sector
from contributions.services import contribution_mark_paid
from matrix_portal.page_cache import CSRF_PLACEHOLDER, personal_page
from tests.contributions.helpers import at
from tests.factories import ContributionFactory, PortalClient, RegistrationFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("contributions:dashboard")
HISTORY = reverse("contributions:history")


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PERSONAL_PAGE_CACHE_SECONDS = 120
    settings.USER_CACHE_SECONDS = 300


@pytest.fixture
def person(db):
    return UserFactory(full_name="SITI AMINAH BINTI YUSOF")


@pytest.fixture
def person_client(person):
    client = PortalClient()
    client.force_login(person)
    return client


def csrf_value(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_second_visit_is_served_without_the_database(person_client, person):
    RegistrationFactory(person=person)
    first = person_client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as captured:
        second = person_client.get(DASHBOARD)
    # Only the session itself may be read from the database (where sessions are not kept in Redis).
    assert [q["sql"] for q in captured.captured_queries if "django_session" not in q["sql"]] == []
    assert second.status_code == 200
    # the same page, but for the per-request CSRF masking
    assert re.sub(r'value="[^"]{64}"', "", first.content.decode()) == re.sub(
        r'value="[^"]{64}"', "", second.content.decode()
    )
    assert second["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", [DASHBOARD, HISTORY])
def test_a_kept_page_has_a_working_csrf_token_and_no_placeholder(path, person):
    client = PortalClient(enforce_csrf_checks=True)
    client.force_login(person)
    client.get(path)
    page = client.get(path).content.decode()  # from the cache
    assert CSRF_PLACEHOLDER not in page
    response = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": csrf_value(page)})
    assert response.status_code == 302  # logged out, not 403
    assert client.get(DASHBOARD).status_code == 302  # and really logged out


def test_a_payment_shows_at_once_on_every_kept_page(person_client, person):
    registration = RegistrationFactory(person=person)
    contribution = ContributionFactory(registration=registration, months=4)
    view = reverse("contributions:view", args=[contribution.pk])
    with time_machine.travel(at(2026, 3, 2, 10, 0, 0), tick=False):
        before = {}
        for path in (DASHBOARD, HISTORY, view):
            before[path] = person_client.get(path).content.decode().count("status--active")
            person_client.get(path)  # now kept
        assert "Covered until" not in person_client.get(DASHBOARD).content.decode()
        contribution_mark_paid(contribution=contribution, paid_at=at(2026, 3, 2, 10, 0, 0))
        assert "Covered until 01-07-2026 23:59:59" in person_client.get(DASHBOARD).content.decode()
        for path in (HISTORY, view):
            assert person_client.get(path).content.decode().count("status--active") == before[path] + 1


def test_a_change_made_in_a_transaction_that_rolls_back_changes_nothing(person_client, person):
    from django.db import transaction

    RegistrationFactory(person=person)
    person_client.get(DASHBOARD)
    with pytest.raises(RuntimeError), transaction.atomic():
        person.full_name = "SOMEONE ELSE"
        person.save()
        raise RuntimeError
    page = person_client.get(DASHBOARD).content.decode()
    assert "SITI AMINAH BINTI YUSOF" in page and "SOMEONE ELSE" not in page


def test_a_new_name_shows_on_the_next_page(person_client, person):
    person_client.get(DASHBOARD)
    person.full_name = "SITI AMINAH BINTI YUSUF"
    person.save(update_fields=["full_name"])
    assert "SITI AMINAH BINTI YUSUF" in person_client.get(DASHBOARD).content.decode()


def test_one_persons_page_never_reaches_another(person_client, person):
    RegistrationFactory(person=person)
    person_client.get(DASHBOARD)
    other = UserFactory(full_name="RAJESH A/L MUTHU")
    other_client = PortalClient()
    other_client.force_login(other)
    page = other_client.get(DASHBOARD).content.decode()
    assert "RAJESH A/L MUTHU" in page and "SITI AMINAH" not in page


def test_each_language_and_each_query_is_kept_apart(person_client, person):
    RegistrationFactory(person=person)
    assert "Dashboard" in person_client.get(DASHBOARD).content.decode()
    person.language = "ms"
    person.save(update_fields=["language"])
    page = person_client.get(DASHBOARD).content.decode()
    assert 'lang="ms"' in page
    translation.activate("en")
    sector = Sector.objects.filter(is_active=True).order_by("sort_order").last()
    filtered = person_client.get(HISTORY, {"sector": sector.pk}).content.decode()
    unfiltered = person_client.get(HISTORY).content.decode()
    assert f'value="{sector.pk}" selected' in filtered, filtered
    assert f'value="{sector.pk}" selected' not in unfiltered


def test_a_new_day_gives_a_new_page(person_client, person):
    registration = RegistrationFactory(person=person)
    contribution = ContributionFactory(registration=registration, months=1)
    contribution_mark_paid(contribution=contribution, paid_at=at(2026, 3, 2, 10, 0, 0))  # to 01-04-2026
    with time_machine.travel(at(2026, 4, 1, 23, 50, 0), tick=False):
        assert "Covered until 01-04-2026" in person_client.get(DASHBOARD).content.decode()
        person_client.get(DASHBOARD)
    with time_machine.travel(at(2026, 4, 2, 0, 0, 1), tick=False):
        page = person_client.get(DASHBOARD).content.decode()
        assert "Not covered now" in page and "Covered until" not in page


def test_a_sector_renamed_by_staff_shows_on_every_persons_page(person_client, person):
    registration = RegistrationFactory(person=person)
    person_client.get(DASHBOARD)
    sector = registration.sector
    sector.name_en = "INFORMATION TECHNOLOGY AND DIGITAL WORK"
    sector.save()
    assert "INFORMATION TECHNOLOGY AND DIGITAL WORK" in person_client.get(DASHBOARD).content.decode()


def _request(user, *, method="get", message=""):
    request = getattr(RequestFactory(), method)("/self-employed/")
    request.user = user
    request.session = SessionStore()
    request._messages = default_storage(request)
    if message:
        messages.success(request, message)
    return request


def _counting_view():
    calls = []

    @personal_page
    def view(request):
        calls.append(request)
        return HttpResponse(f"<p>{request.user.full_name}</p>")

    return view, calls


def test_the_view_runs_once_and_then_the_kept_page_is_served(person):
    view, calls = _counting_view()
    assert (
        view(_request(person)).content == view(_request(person)).content == b"<p>SITI AMINAH BINTI YUSOF</p>"
    )
    assert len(calls) == 1


def test_a_request_with_messages_to_show_is_rendered_and_not_kept(person):
    view, calls = _counting_view()
    view(_request(person, message="Payment received: thank you."))
    view(_request(person))
    assert len(calls) == 2  # the first was neither served from nor stored in the cache


def test_staff_and_posts_are_never_kept(person):
    staff = make_staff(None)
    view, calls = _counting_view()
    view(_request(staff))
    view(_request(staff))
    view(_request(person, method="post"))
    view(_request(person, method="post"))
    assert len(calls) == 4


def test_an_error_answer_is_not_kept(person):
    calls = []

    @personal_page
    def view(request):
        calls.append(request)
        return HttpResponse("busy", status=503)

    view(_request(person))
    view(_request(person))
    assert len(calls) == 2


def test_a_disabled_account_is_logged_out_at_once(person_client, person):
    assert person_client.get(DASHBOARD).status_code == 200
    person_client.get(DASHBOARD)
    user_disable(user=person)
    assert person_client.get(DASHBOARD).status_code == 302


def test_a_deactivated_account_is_logged_out_at_once_even_without_the_service(person_client, person):
    person_client.get(DASHBOARD)
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert person_client.get(DASHBOARD).status_code == 302


def test_the_cache_can_be_switched_off(person_client, person, settings, django_assert_max_num_queries):
    settings.PERSONAL_PAGE_CACHE_SECONDS = 0
    settings.USER_CACHE_SECONDS = 0
    person_client.get(DASHBOARD)
    with django_assert_max_num_queries(12) as captured:
        person_client.get(DASHBOARD)
    assert len(captured) >= 2  # the account and the coverage are read again


@pytest.mark.parametrize(("code", "covered"), [("00", True), ("51", False)])
def test_an_fpx_answer_shows_at_once_on_the_kept_pages(code, covered):
    """The direct AC arrives from FPX, not from the person's browser: their kept pages must still change."""
    from payments.models import Payment
    from tests.factories import PaymentFactory
    from tests.payments.conftest import ac_for

    payment = PaymentFactory(seller_txn_time="20261121154500")
    person = payment.contribution.person
    client = PortalClient()
    client.force_login(person)
    history_before = client.get(HISTORY).content.decode()
    client.get(DASHBOARD), client.get(HISTORY)  # both kept now
    assert "Download Receipt" not in history_before

    assert PortalClient().post(reverse("payments:fpx_direct"), ac_for(payment, code=code)).status_code in (
        200,
        400,
    )
    payment.refresh_from_db()
    assert payment.status == (Payment.Status.PAID if covered else Payment.Status.FAILED)

    dashboard = client.get(DASHBOARD).content.decode()
    history = client.get(HISTORY).content.decode()
    assert ("Covered now" in dashboard) is covered
    assert ("Download Receipt" in history) is covered
    assert history != history_before


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("", True),
        ("?sector=", True),
        ("?sector=3&page=2", True),
        ("?page=1&visit=7", False),  # a parameter the page does not have
        ("?page=1&page=2", False),  # a parameter twice
        ("?page=abc", False),
        ("?page=%C2%B2", False),  # a superscript two: a digit to str.isdigit(), not to the page
        ("?sector=12345678901", False),  # longer than any id or page number
    ],
)
def test_only_the_pages_own_query_strings_are_kept(person, query, kept):
    calls = []

    @personal_page(query=("sector", "page"))
    def view(request):
        calls.append(request)
        return HttpResponse("<p>history</p>")

    for _ in range(2):
        request = RequestFactory().get("/self-employed/contributions/" + query)
        request.user, request.session = person, SessionStore()
        request._messages = default_storage(request)
        view(request)
    assert len(calls) == (1 if kept else 2)


@pytest.fixture
def drops_after_commit(monkeypatch):
    """The keys each after-commit callback drops, in order."""
    from matrix_portal.cache import _DropAfterCommit

    calls = []
    original = _DropAfterCommit.__call__

    def record(self):
        calls.append(set(self.keys))
        original(self)

    monkeypatch.setattr(_DropAfterCommit, "__call__", record)
    return calls


@pytest.mark.django_db(transaction=True)
def test_a_direct_ac_drops_the_persons_pages_once_after_its_commit(reference_data, drops_after_commit):
    """The direct AC saves the payment, the contribution and the receipt of one person in one transaction:
    one drop of their pages after the commit, not one per row."""
    from tests.factories import PaymentFactory
    from tests.payments.conftest import ac_for

    payment = PaymentFactory(seller_txn_time="20261121154500")
    drops_after_commit.clear()
    response = PortalClient().post(reverse("payments:fpx_direct"), ac_for(payment))
    assert response.content == b"OK"
    key = f"pages.generation.{payment.contribution.person_id}"
    # One drop for the AC's transaction (three of the person's rows saved in it); a second one when the tests'
    # in-process Celery renders and stores the receipt's PDF (in its own transaction) rather than finding it.
    assert drops_after_commit[0] == {key}
    assert drops_after_commit in ([{key}], [{key}, {key}])


@pytest.mark.django_db(transaction=True)
def test_a_change_after_a_rolled_back_savepoint_is_still_dropped_after_commit(
    reference_data, person, drops_after_commit
):
    from django.db import transaction

    key = f"pages.generation.{person.pk}"
    drops_after_commit.clear()
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            RegistrationFactory(person=person)
            raise RuntimeError  # the callback registered in here goes with the savepoint
        RegistrationFactory(person=person)
    assert drops_after_commit == [{key}]


def test_without_redis_pages_are_rendered_and_changes_still_saved(person_client, person, monkeypatch):
    from matrix_portal import cache as portal_cache

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    for name in ("get", "get_many", "set", "add", "delete_many"):
        monkeypatch.setattr(portal_cache.cache, name, down)
    registration = RegistrationFactory(person=person)  # the save's cache drop fails, the save does not
    contribution = ContributionFactory(registration=registration, months=4)
    contribution_mark_paid(contribution=contribution, paid_at=at(2026, 3, 2, 10, 0, 0))
    with time_machine.travel(at(2026, 3, 2, 11, 0, 0), tick=False):
        page = person_client.get(DASHBOARD)
    assert page.status_code == 200 and "Covered until 01-07-2026 23:59:59" in page.content.decode()


# --- The receipt download: a person's own receipt row is kept with their pages ---------------------------


def _download(client, receipt):
    return client.get(reverse("receipts:download", kwargs={"pk": receipt.pk}))


def _receipt_queries(client, receipt):
    with CaptureQueriesContext(connection) as captured:
        response = _download(client, receipt)
    return response, [q["sql"] for q in captured.captured_queries if "receipts_receipt" in q["sql"]]


def test_asking_again_for_ones_own_receipt_reads_no_receipt_row(person_client, person):
    from tests.receipts.conftest import seed_receipt

    receipt = seed_receipt(person=person)
    first = _download(person_client, receipt)  # renders and stores the PDF: a change to the person's data
    second, queries = _receipt_queries(person_client, receipt)
    assert len(queries) == 1  # the receipt changed when its PDF was stored, so it is read again
    third, queries = _receipt_queries(person_client, receipt)
    assert queries == []
    assert first.status_code == second.status_code == third.status_code == 200
    assert first.content == second.content == third.content and third.content.startswith(b"%PDF-")
    assert third["Content-Disposition"] == f'attachment; filename="RESIT-{receipt.number}.pdf"'


def test_another_persons_receipt_is_never_kept_or_shown(person_client, person):
    from tests.receipts.conftest import seed_receipt

    theirs = seed_receipt(name="ALI BIN ABU")
    for _ in range(2):
        response, queries = _receipt_queries(person_client, theirs)
        assert response.status_code == 404 and b"%PDF" not in response.content
        assert len(queries) == 1  # asked of the database every time: nothing of theirs is kept for me
    owner = PortalClient()
    owner.force_login(theirs.payment.contribution.person)
    assert _download(owner, theirs).status_code == 200


def test_staff_downloads_are_never_kept(person):
    from accounts.roles import COUNTER_STAFF
    from tests.receipts.conftest import seed_receipt

    receipt = seed_receipt(person=person)
    staff = PortalClient()
    staff.force_login(make_staff(COUNTER_STAFF))
    assert _download(staff, receipt).status_code == 200  # renders and stores the PDF
    for _ in range(3):
        response, queries = _receipt_queries(staff, receipt)
        assert response.status_code == 200 and len(queries) == 1


def test_a_receipt_stored_again_is_downloaded_from_its_new_file(person_client, person):
    from receipts.models import Receipt
    from tests.receipts.conftest import seed_receipt

    receipt = seed_receipt(person=person)
    for _ in range(2):
        first = _download(person_client, receipt)  # kept, with the stored file's name
    stored = Receipt.objects.get(pk=receipt.pk)
    old_name = stored.pdf.name
    stored.pdf.storage.delete(old_name)
    stored.pdf.name, stored.pdf_sha256 = "", ""
    stored.save(update_fields=["pdf", "pdf_sha256"])  # as an operator clearing a damaged file would
    again = _download(person_client, receipt)
    assert again.status_code == 200 and again.content == first.content
    assert Receipt.objects.get(pk=receipt.pk).pdf.name  # stored anew


def test_a_disabled_account_cannot_download_a_kept_receipt(person_client, person):
    from tests.receipts.conftest import seed_receipt

    receipt = seed_receipt(person=person)
    for _ in range(3):
        assert _download(person_client, receipt).status_code == 200
    user_disable(user=person)
    assert _download(person_client, receipt).status_code == 404
