"""Renewal reminders: which contributions are due, the message, and once per (contribution, notice)."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from contributions.models import Contribution, ContributionStatusChange
from receipts import services
from receipts.models import ReminderLog
from receipts.selectors import reminder_windows, reminders_due_for
from receipts.tasks import deliver_reminder, send_renewal_reminders, sweep_reminder_claims
from tests.factories import ContributionFactory, RegistrationFactory, UserFactory
from tests.receipts.conftest import MYT

# The daily run on 10-03-2026 at 08:00 Malaysian time (00:00 UTC).
RUN = dt.datetime(2026, 3, 10, 8, 0, tzinfo=MYT)


def at(day: dt.date, hour=8) -> str:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=MYT).isoformat()


def covered_until(last_day: dt.date, *, language="en", status=Contribution.Status.ACTIVE, registration=None):
    """A paid contribution whose coverage ends at 23:59:59 on `last_day`."""
    registration = registration or RegistrationFactory(person=UserFactory(language=language))
    end = dt.datetime.combine(last_day, dt.time(23, 59, 59), tzinfo=MYT)
    return ContributionFactory(
        registration=registration,
        months=1,
        status=status,
        coverage_start=end - dt.timedelta(days=30) + dt.timedelta(seconds=1),
        coverage_end=end,
        paid_at=end - dt.timedelta(days=31),
    )


def run(now=RUN):
    return send_renewal_reminders(now.isoformat() if isinstance(now, dt.datetime) else now)


def sms_bodies(sms_outbox):
    return [message["body"] for message in sms_outbox]


@pytest.mark.django_db
def test_seven_days_before_the_end_an_email_and_an_sms_go_out(sms_outbox):
    contribution = covered_until(dt.date(2026, 3, 17))
    person = contribution.person

    result = run()

    assert result["claimed"] == 1
    expected = (
        "Your SKSPS coverage for Information Technology ends on 17-03-2026. "
        "Renew: http://127.0.0.1:8000/self-employed/"
    )
    assert sms_bodies(sms_outbox) == [expected]
    assert sms_outbox[0]["to"] == str(person.mobile)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    assert expected in mail.outbox[0].body
    log = ReminderLog.objects.get()
    assert (log.notice, log.attempts) == (ReminderLog.Notice.DAYS_7, 1)
    assert log.sent_at and log.email_sent_at and log.sms_sent_at


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "sector_name"),
    [("en", "Information Technology"), ("ms", "Teknologi Maklumat"), ("zh-hans", None)],
)
def test_the_reminder_is_in_the_persons_language(sms_outbox, language, sector_name):
    contribution = covered_until(dt.date(2026, 3, 17), language=language)
    sector_name = sector_name or contribution.sector.name_zh or contribution.sector.name_en
    run()
    assert sector_name in sms_outbox[0]["body"]
    assert sector_name in mail.outbox[0].body


@pytest.mark.django_db
def test_one_day_before_and_the_day_after_the_end(sms_outbox):
    contribution = covered_until(dt.date(2026, 3, 17))

    run(at(dt.date(2026, 3, 10)))  # 7 days before
    run(at(dt.date(2026, 3, 16)))  # 1 day before
    run(at(dt.date(2026, 3, 17)))  # the last day: nothing new
    run(at(dt.date(2026, 3, 18)))  # the day after

    notices = list(ReminderLog.objects.order_by("claimed_at").values_list("notice", flat=True))
    assert notices == ["7d", "1d", "expired"]
    bodies = sms_bodies(sms_outbox)
    assert len(bodies) == 3 and len(mail.outbox) == 3
    assert "ended on 17-03-2026" in bodies[2]
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.EXPIRED
    change = ContributionStatusChange.objects.get(contribution=contribution, to_status="expired")
    assert change.from_status == "active"


@pytest.mark.django_db
def test_running_twice_sends_each_notice_once(sms_outbox):
    covered_until(dt.date(2026, 3, 17))
    covered_until(dt.date(2026, 3, 11))
    run()
    run()
    assert len(sms_outbox) == 2 and len(mail.outbox) == 2
    assert ReminderLog.objects.filter(sent_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_a_duplicate_delivery_task_sends_nothing(sms_outbox):
    contribution = covered_until(dt.date(2026, 3, 17))
    [log_id] = services.reminders_claim_due(now=RUN)
    assert ReminderLog.objects.get(pk=log_id).contribution == contribution
    assert deliver_reminder(log_id) is True
    assert deliver_reminder(log_id) is False  # redelivered by the broker
    assert len(sms_outbox) == 1 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_nothing_is_sent_when_renewed_or_awaiting_payment_or_cancelled_or_not_due(sms_outbox):
    renewed = covered_until(dt.date(2026, 3, 17))
    covered_until(dt.date(2026, 4, 17), registration=renewed.registration, status=Contribution.Status.RENEWED)
    awaiting = covered_until(dt.date(2026, 3, 16))
    ContributionFactory(registration=awaiting.registration)  # submitted, not paid yet
    cancelled = covered_until(dt.date(2026, 3, 15))
    cancelled.coverage_cancelled_at = RUN
    cancelled.save()
    covered_until(dt.date(2026, 3, 20))  # ends in 10 days

    run()

    assert sms_outbox == [] and mail.outbox == []
    assert not ReminderLog.objects.exists()


@pytest.mark.django_db
def test_a_claim_left_by_a_crashed_worker_is_sent_by_the_sweeper_once(sms_outbox):
    contribution = covered_until(dt.date(2026, 3, 17))
    # The scan claimed the notice, then the worker died before delivering it.
    [log_id] = services.reminders_claim_due(now=RUN)
    assert ReminderLog.objects.get(pk=log_id).contribution == contribution

    assert sweep_reminder_claims((RUN + dt.timedelta(minutes=5)).isoformat()) == 0  # may still be in flight
    assert sms_outbox == []
    run(RUN + dt.timedelta(minutes=20))  # the scan does not claim it again; its sweep delivers it
    assert len(sms_outbox) == 1 and len(mail.outbox) == 1
    assert sweep_reminder_claims((RUN + dt.timedelta(hours=1)).isoformat()) == 0
    run(RUN + dt.timedelta(hours=2))
    assert len(sms_outbox) == 1 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_sms_is_retried_without_repeating_the_email(sms_outbox, monkeypatch):
    covered_until(dt.date(2026, 3, 17))

    def gateway_down(**kwargs):
        raise OSError("gateway down")

    monkeypatch.setattr(services, "send_sms", gateway_down)
    run()
    log = ReminderLog.objects.get()
    assert log.email_sent_at and not log.sms_sent_at and not log.sent_at
    assert "sms: OSError" in log.last_error
    assert len(mail.outbox) == 1

    monkeypatch.undo()
    sweep_reminder_claims((RUN + dt.timedelta(minutes=20)).isoformat())

    log.refresh_from_db()
    assert log.sent_at and log.sms_sent_at and log.attempts == 2
    assert len(mail.outbox) == 1 and len(sms_outbox) == 1


@pytest.mark.django_db
def test_a_crash_while_sending_leaves_the_claim_for_the_sweeper(sms_outbox, monkeypatch):
    """A worker killed mid-send rolls the delivery back: at-least-once, never lost."""
    covered_until(dt.date(2026, 3, 17))

    def killed(**kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(services, "send_sms", killed)
    with pytest.raises(SystemExit):
        run()
    log = ReminderLog.objects.get()
    assert log.sent_at is None and log.attempts == 0

    monkeypatch.undo()
    sweep_reminder_claims((RUN + dt.timedelta(minutes=20)).isoformat())
    log.refresh_from_db()
    assert log.sent_at is not None
    assert len(sms_outbox) == 1


@pytest.mark.django_db
def test_the_reminder_text_names_the_renewal_page(settings):
    settings.SITE_URL = "https://matrix.example.my"
    assert services.renewal_link() == "https://matrix.example.my/self-employed/"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_each_notice_once(reference_data, sms_outbox):
    for day in (11, 12, 17, 17, 17):
        covered_until(dt.date(2026, 3, day))
    barrier = threading.Barrier(4)
    errors = []

    def worker():
        try:
            barrier.wait()
            run()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert ReminderLog.objects.count() == 5
    assert ReminderLog.objects.filter(sent_at__isnull=False).count() == 5
    assert len(sms_outbox) == 5 and len(mail.outbox) == 5
    assert len({m.to[0] for m in mail.outbox}) == 5


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("notice", ReminderLog.Notice.values)
def test_every_part_of_the_daily_scan_can_be_answered_from_indexes(notice):
    """No part of the scan needs a full read of contributions (bench/reminder_scan.py times it at 1M rows)."""
    queryset = reminders_due_for(notice=notice, now=RUN)
    with connection.cursor() as cursor:
        # statistics left by earlier tests' rows would make the plan depend on test order: take fresh ones
        cursor.execute(
            "ANALYZE contributions_contribution, contributions_sectorregistration, receipts_reminderlog"
        )
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "Seq Scan" not in plan, plan
    assert "contribution_coverage_end_idx" in plan or "receipts_later_coverage_idx" in plan
    assert "one_open_contribution_per_registration" in plan  # awaiting-payment test


@given(
    now=st.datetimes(
        min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31), timezones=st.just(dt.UTC)
    ),
    days_left=st.integers(min_value=-10, max_value=15),
)
def test_each_end_day_falls_in_exactly_one_notice_window(now, days_left):
    """Counted in Malaysian calendar days, whatever the UTC time of the run (00:00 MYT is 16:00 UTC)."""
    today = timezone.localdate(now)
    end = dt.datetime.combine(today + dt.timedelta(days=days_left), dt.time(23, 59, 59), tzinfo=MYT)
    windows = reminder_windows(now=now)
    hits = [notice for notice, (start, stop, _) in windows.items() if start <= end < stop]
    expected = {
        **dict.fromkeys(range(2, 8), "7d"),
        0: "1d",
        1: "1d",
        -1: "expired",
        -2: "expired",
        -3: "expired",
    }
    assert hits == ([expected[days_left]] if days_left in expected else [])


def test_the_malaysian_midnight_boundary():
    end = dt.datetime(2026, 3, 17, 23, 59, 59, tzinfo=MYT)
    before_midnight = dt.datetime(2026, 3, 9, 15, 59, tzinfo=dt.UTC)  # 23:59 on 09-03 in Malaysia
    after_midnight = dt.datetime(2026, 3, 9, 16, 1, tzinfo=dt.UTC)  # 00:01 on 10-03 in Malaysia
    start, stop, _ = reminder_windows(now=before_midnight)[ReminderLog.Notice.DAYS_7]
    assert not start <= end < stop  # 8 days away on 09-03
    start, stop, _ = reminder_windows(now=after_midnight)[ReminderLog.Notice.DAYS_7]
    assert start <= end < stop


@pytest.mark.django_db
def test_a_name_change_after_payment_never_alters_the_issued_receipt(receipt):
    first = services.receipt_pdf_bytes(receipt=receipt)
    person = receipt.payment.contribution.person
    person.full_name = "A DIFFERENT NAME"
    person.save()
    default_storage.delete(receipt.pdf.name if receipt.pdf else f"receipts/2019/{receipt.number}.pdf")
    receipt.refresh_from_db()
    assert services.receipt_pdf_bytes(receipt=receipt) == first
    receipt.refresh_from_db()
    assert receipt.name == "NURUL ASYIKIN BINTI MOHD ZABRI"


@pytest.mark.django_db
def test_the_daily_scan_claims_in_one_statement_per_notice(sms_outbox, django_assert_max_num_queries):
    for day in (11, 12, 17, 17, 17, 17, 17):
        covered_until(dt.date(2026, 3, day))
    # A handful of queries whatever the number due: no per-contribution round trips.
    with django_assert_max_num_queries(12):
        claimed = services.reminders_claim_due(now=RUN)
    assert len(claimed) == 7
    assert services.reminders_claim_due(now=RUN) == []  # claimed already: nothing comes back twice


@pytest.mark.django_db
def test_claims_go_to_the_workers_in_chunks_and_a_failure_stays_with_its_reminder(sms_outbox, monkeypatch):
    from receipts import tasks

    for _ in range(5):
        covered_until(dt.date(2026, 3, 17))
    chunks = []
    real_delay = tasks.deliver_reminders.delay
    monkeypatch.setattr(tasks, "DELIVERY_CHUNK", 2)
    monkeypatch.setattr(tasks.deliver_reminders, "delay", lambda ids: chunks.append(ids) or real_delay(ids))
    real_send = services.send_sms
    refused = []

    def refuse_one(*, to, body):
        if not refused:
            refused.append(to)
            raise OSError("gateway down")
        real_send(to=to, body=body)

    monkeypatch.setattr(services, "send_sms", refuse_one)
    result = run()

    assert result["claimed"] == 5
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    assert sorted(id_ for chunk in chunks for id_ in chunk) == sorted(
        ReminderLog.objects.values_list("pk", flat=True)
    )
    # The refused SMS does not stop the rest of its chunk; that reminder waits for the sweeper.
    assert ReminderLog.objects.filter(sent_at__isnull=False).count() == 4
    assert len(sms_outbox) == 4 and len(mail.outbox) == 5
    monkeypatch.setattr(services, "send_sms", real_send)
    sweep_reminder_claims((RUN + dt.timedelta(minutes=20)).isoformat())
    assert ReminderLog.objects.filter(sent_at__isnull=False).count() == 5
    assert len(sms_outbox) == 5 and len(mail.outbox) == 5
