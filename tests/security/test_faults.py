"""Payments and reminders under load and faults, on PostgreSQL (and Redis with real worker processes).

(a) 100 payments, each AC sent 5 times direct and 5 times indirect, shuffled, from 16 threads.
(b) PostgreSQL restarted in the middle of a payment burst (SECURITY_PG_RESTART=1, as root, local cluster),
    or else every connection to the test database dropped (pg_terminate_backend).
(c) The Celery worker is killed with SIGKILL in the middle of a reminder batch.
"""

import contextlib
import datetime as dt
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from celery import Celery
from django.conf import settings
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu import Exchange, Queue

from contributions.models import Contribution
from payments.models import Payment
from receipts import services as receipt_services
from receipts.models import Receipt, ReminderLog
from tests.factories import PaymentFactory
from tests.payments.conftest import ac_for
from tests.security import figures

REPO = Path(__file__).resolve().parents[2]
THREADS = 16


@pytest.fixture
def no_pdf_render(monkeypatch):
    """Receipt PDFs are rendered after commit by their own task; not what these tests measure."""
    rendered = []
    monkeypatch.setattr(
        receipt_services, "receipt_store_pdf", lambda *, receipt_id: rendered.append(receipt_id)
    )
    return rendered


def make_payments(count: int) -> list[tuple[Payment, dict]]:
    made = []
    for index in range(count):
        payment = PaymentFactory(seller_txn_time="20261121154500")
        made.append((payment, ac_for(payment, fpx_fpxTxnId=f"2611{index:012d}")))
    return made


def run_threads(jobs: list, work, threads: int = THREADS) -> list:
    """Run `work(client, job)` over `jobs` from `threads` threads, each with its own Client."""
    todo: queue.Queue = queue.Queue()
    for job in jobs:
        todo.put(job)
    results, lock = [], threading.Lock()

    def worker():
        client = Client(raise_request_exception=False)
        try:
            while True:
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                outcome = work(client, job)
                with lock:
                    results.append(outcome)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    return results


DIRECT, INDIRECT = ("payments:fpx_direct", "payments:fpx_return")


def post_ac(client, job):
    url_name, ac = job
    response = client.post(reverse(url_name), ac)
    return url_name, response.status_code, response.content


def assert_fully_paid_or_untouched(payments: list[Payment]) -> tuple[int, int]:
    """Each payment is Paid with its coverage and one receipt, or still Pending with nothing applied."""
    paid = pending = 0
    for original in payments:
        payment = Payment.objects.get(pk=original.pk)
        contribution = Contribution.objects.get(pk=payment.contribution_id)
        receipts = Receipt.objects.filter(payment=payment).count()
        if payment.status == Payment.Status.PAID:
            assert contribution.status == Contribution.Status.ACTIVE
            assert contribution.coverage_start and contribution.coverage_end and contribution.paid_at
            assert receipts == 1
            paid += 1
        else:
            assert payment.status == Payment.Status.PENDING, payment.status
            assert contribution.status == Contribution.Status.SUBMITTED
            assert contribution.coverage_start is None and contribution.paid_at is None
            assert receipts == 0
            pending += 1
    return paid, pending


def assert_receipt_numbers_contiguous():
    sequences = sorted(Receipt.objects.values_list("sequence", flat=True))
    assert sequences == list(range(sequences[0], sequences[0] + len(sequences)))
    assert len(set(Receipt.objects.values_list("number", flat=True))) == len(sequences)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_100_payments_with_each_ac_sent_10_times_from_16_threads(reference_data, no_pdf_render):
    made = make_payments(100)
    jobs = [(name, ac) for _payment, ac in made for name in (DIRECT, INDIRECT) for _ in range(5)]
    random.Random(789).shuffle(jobs)
    started = time.monotonic()
    results = run_threads(jobs, post_ac)
    elapsed = time.monotonic() - started

    assert len(results) == 1000
    assert [status for _name, status, _body in results if status >= 500] == []
    assert all(body == b"OK" and status == 200 for name, status, body in results if name == DIRECT)
    assert all(status == 303 for name, status, _body in results if name == INDIRECT)
    paid, pending = assert_fully_paid_or_untouched([payment for payment, _ac in made])
    assert (paid, pending) == (100, 0)
    assert Payment.objects.filter(status=Payment.Status.PAID).count() == 100
    assert Receipt.objects.count() == 100
    assert_receipt_numbers_contiguous()
    figures.add("payments confirmed under replay (1000 ACs, 16 threads)", paid)
    print(f"100 payments, 1000 ACs from {THREADS} threads in {elapsed:.1f} s: {paid} paid, 100 receipts")


def _admin_params() -> dict:
    params = connection.get_connection_params()
    return {k: v for k, v in params.items() if k in {"host", "port", "user", "password"}}


def _terminate_backends(dbname: str, keep_pid: int) -> int:
    """From a separate admin connection, drop every connection to the test database (an outage)."""
    with psycopg.connect(dbname="postgres", autocommit=True, **_admin_params()) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> %s "
            "AND pid <> pg_backend_pid()",
            [dbname, keep_pid],
        ).fetchall()
    return len(rows)


LOCAL_HOSTS = {"", "127.0.0.1", "localhost", "::1"}


def restartable_cluster() -> tuple[str, str] | None:
    """(version, name) of the Debian cluster serving DATABASE_URL, when this run may restart it.

    Only with SECURITY_PG_RESTART=1 (CI sets it), as root, with pg_ctlcluster, and for a cluster on this
    machine: the one listening on the connection's port, as pg_lsclusters reports it.
    """
    if os.environ.get("SECURITY_PG_RESTART") != "1" or os.geteuid() != 0:
        return None
    if not (shutil.which("pg_ctlcluster") and shutil.which("pg_lsclusters")):
        return None
    params = _admin_params()
    host = str(params.get("host") or "")
    if host not in LOCAL_HOSTS and not host.startswith("/"):
        return None
    port = str(params.get("port") or 5432)
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=False)
    for line in listing.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[2] == port and fields[3].startswith("online"):
            return fields[0], fields[1]
    return None


def restart_cluster(cluster: tuple[str, str]) -> None:
    """A real restart: fast shutdown (every backend ends, new connections refused), then start again."""
    version, name = cluster
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart", "-m", "fast"],
        check=True,
        capture_output=True,
        timeout=120,
    )


def wait_for_database(seconds: float = 60) -> None:
    """Until the server answers again; then this thread's connection is a fresh one."""
    deadline = time.monotonic() + seconds
    while True:
        connection.close()
        try:
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return
        except Exception:  # noqa: BLE001 - still starting up
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_outage_mid_burst_fails_cleanly_and_applies_nothing_by_halves(
    reference_data, no_pdf_render
):
    made = make_payments(60)
    dbname = connection.settings_dict["NAME"]
    cluster = restartable_cluster()
    method = "server restarted" if cluster else "connections terminated"
    connection.ensure_connection()
    keep_pid = connection.connection.info.backend_pid
    failures: list[tuple[int, bytes]] = []
    answered = threading.Event()
    killed = [0]
    outage_errors: list[Exception] = []

    def outage():
        """Once the burst is under way: a real restart, or every connection dropped for 0.2 s."""
        answered.wait(timeout=30)
        if cluster:
            try:
                restart_cluster(cluster)
                killed[0] += 1
            except (OSError, subprocess.SubprocessError) as exc:  # reported below
                outage_errors.append(exc)
            return
        until = time.monotonic() + 0.2
        while time.monotonic() < until:
            killed[0] += _terminate_backends(dbname, keep_pid)
            time.sleep(0.01)

    def work(client, job):
        name, ac = job
        response = client.post(reverse(name), ac)
        close_old_connections()  # what request_finished does in production (the test client skips it)
        answered.set()
        if response.status_code >= 500:
            failures.append((response.status_code, response.content))
        return name, response.status_code, response.content

    jobs = [(name, ac) for _payment, ac in made for name in (DIRECT, INDIRECT)]
    burst = []
    rounds = 0
    # Send the burst (FPX resends what failed) until the outage has actually hit requests.
    while rounds < 10 and not failures and not outage_errors:
        answered.clear()
        thread = threading.Thread(target=outage)
        thread.start()
        burst = run_threads(jobs, work, threads=8)
        thread.join()
        rounds += 1
    # The test's own connection died with the server: reconnect, so the checks and later tests run.
    wait_for_database()

    assert outage_errors == []
    assert failures, f"the outage never hit a request ({method}: {killed[0]} in {rounds} rounds)"
    assert {status for status, _body in failures} <= {500, 503}
    assert 503 in {status for status, _body in failures}  # failures inside views: the 503 page
    for _status, body in failures:
        text = body.decode()
        assert "Traceback" not in text and "OperationalError" not in text and "psycopg" not in text
        assert "<html" in text and "portal.css" in text  # the styled error page
    # Nothing half-done: each payment fully applied or not at all.
    paid, pending = assert_fully_paid_or_untouched([payment for payment, _ac in made])
    assert paid + pending == len(made)

    # Recovery: FPX resends the direct AC until it gets OK; every payment ends Paid exactly once.
    served = len([1 for _name, status, _body in burst if status < 500])
    results = run_threads([(DIRECT, ac) for _payment, ac in made], post_ac, threads=8)
    assert all(status == 200 and body == b"OK" for _name, status, body in results)
    paid, pending = assert_fully_paid_or_untouched([payment for payment, _ac in made])
    assert (paid, pending) == (len(made), 0)
    assert_receipt_numbers_contiguous()
    figures.add(f"requests failed cleanly during the database outage ({method})", len(failures))
    figures.add(f"payments confirmed after the database outage ({method})", paid)
    dropped = f"{killed[0]} restart(s)" if cluster else f"{killed[0]} connections dropped"
    print(
        f"outage ({method}): {dropped}, {len(failures)} clean failures, {served} served "
        f"during the burst, {paid} paid after recovery"
    )


# (c) ----------------------------------------------------------------------------------------------------

REMINDER_BATCH = int(os.environ.get("SECURITY_REMINDER_BATCH", "10000"))
# Generous limits for a loaded 2-core machine (about 25 reminders a second is the slowest seen).
PATIENCE = max(120, REMINDER_BATCH // 25)


def create_due_contributions(count: int, *, last_day: dt.date) -> list[int]:
    """`count` people whose paid coverage ends on `last_day` (the 7-day notice), written with bulk_create."""
    from accounts.models import User
    from contributions.models import Office, Plan, Sector, SectorClass, SectorRegistration, State, Town

    tag = uuid.uuid4().hex[:6]
    plan = Plan.objects.get(number=2)
    sector = Sector.objects.get(code="information-technology")
    sector_class = SectorClass.objects.filter(sector=sector).first()
    state = State.objects.get(code="KTN")
    town = Town.objects.get(state=state, name="Kuala Krai")
    office = Office.objects.get(code="kuala-krai")
    users = User.objects.bulk_create(
        [
            User(
                ic_number=f"8{index:011d}"[:12],
                full_name=f"REMINDER PERSON {index}",
                email=f"r{index}-{tag}@example.test",
                mobile=f"+6011{index + 10_000_000:08d}",
                self_employed_code=f"R{index:010d}X",
                is_active=True,
                password="!",
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    registrations = SectorRegistration.objects.bulk_create(
        [
            SectorRegistration(
                person=user,
                sector=sector,
                sector_class=sector_class,
                status="approved",
                self_employed_status="others",
                nationality="malaysian",
                race="malay",
                gender="male",
                address_line1="No. 1",
                state=state,
                town=town,
                postcode="18000",
                mobile=str(user.mobile),
                email=user.email,
                office=office,
            )
            for user in users
        ],
        batch_size=2000,
    )
    end = timezone.make_aware(dt.datetime.combine(last_day, dt.time(23, 59, 59)))
    contributions = Contribution.objects.bulk_create(
        [
            Contribution(
                registration=registration,
                person_id=registration.person_id,
                sector=sector,
                plan=plan,
                months=1,
                amount=plan.monthly_amount,
                status=Contribution.Status.ACTIVE,
                coverage_start=end - dt.timedelta(days=30),
                coverage_end=end,
                paid_at=end - dt.timedelta(days=31),
            )
            for registration in registrations
        ],
        batch_size=2000,
    )
    return [contribution.pk for contribution in contributions]


def start_worker(queue_name: str, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.receipts.worker_settings",
        "WORKER_TEST_DATABASE_NAME": connection.settings_dict["NAME"],
        "WORKER_QUEUE": queue_name,
        "PYTHONPATH": str(REPO),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "matrix_portal", "worker",
        "--pool=prefork", "--concurrency=2", "--queues", queue_name,
        "--hostname", f"{queue_name}-{uuid.uuid4().hex[:4]}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]  # fmt: skip
    log = log_path.open("ab")
    # A session of its own, so SIGKILL can take the whole worker (parent and pool children) at once.
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def kill_hard(worker: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is not None:
        return
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:  # pragma: no cover
        kill_hard(worker)


def wait_for(predicate, *, seconds: float, what: str, log_path: Path, workers=()):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        for worker in workers:
            assert worker.poll() is None, log_path.read_text()[-3000:]
        time.sleep(0.2)
    claimed, sent = ReminderLog.objects.count(), ReminderLog.objects.filter(sent_at__isnull=False).count()
    pytest.fail(
        f"timed out waiting for {what} ({claimed} claimed, {sent} sent); "
        f"worker log:\n{log_path.read_text()[-3000:]}"
    )


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (always set under CI=true)")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_still_sends_every_reminder_exactly_once(reference_data, tmp_path):
    from matrix_portal.models import OutboxMessage

    count = REMINDER_BATCH
    now = timezone.now()
    ids = create_due_contributions(count, last_day=timezone.localdate(now) + dt.timedelta(days=5))
    queue_name = f"matrix-security-{uuid.uuid4().hex[:12]}"
    log_path = Path(os.environ.get("SECURITY_WORKER_LOG", tmp_path / "workers.log"))
    producer = Celery("security-producer", broker=settings.REDIS_URL)
    sent = ReminderLog.objects.filter(sent_at__isnull=False)
    workers = []
    started = time.monotonic()
    try:
        with producer.connection_for_write() as conn:
            # Declared before anything is sent: Redis drops messages for a queue nobody has bound yet.
            Queue(queue_name, Exchange(queue_name, "direct"), routing_key=queue_name)(
                conn.default_channel
            ).declare()
        first = start_worker(queue_name, log_path)
        workers.append(first)
        producer.send_task("receipts.tasks.send_renewal_reminders", args=[now.isoformat()], queue=queue_name)
        # Killed once every notice is claimed and about a fifth of them are out.
        wait_for(
            lambda: ReminderLog.objects.count() == count and sent.count() >= count // 5,
            seconds=PATIENCE,
            what="the batch to be under way",
            log_path=log_path,
            workers=[first],
        )
        kill_hard(first)
        sent_before_kill = sent.count()
        assert sent_before_kill < count, "the batch finished before the worker could be killed"

        second = start_worker(queue_name, log_path)
        workers.append(second)
        # Production's beat runs the sweeper every 10 minutes: the one after RECLAIM_AFTER picks up
        # whatever the dead worker held (its unacknowledged task is not redelivered for an hour).
        wait_for(
            lambda: not producer.connection_for_write().default_channel.client.llen(queue_name),
            seconds=PATIENCE,
            what="the queued deliveries to drain",
            log_path=log_path,
            workers=[second],
        )
        later = now + receipt_services.RECLAIM_AFTER + dt.timedelta(minutes=10)
        producer.send_task("receipts.tasks.sweep_reminder_claims", args=[later.isoformat()], queue=queue_name)
        # And the next daily run finds nothing new to claim.
        producer.send_task(
            "receipts.tasks.send_renewal_reminders", args=[later.isoformat()], queue=queue_name
        )
        wait_for(
            lambda: sent.count() == count,
            seconds=PATIENCE,
            what="every reminder to be sent",
            log_path=log_path,
            workers=[second],
        )
        time.sleep(1)  # let any duplicate delivery that is still queued run: it must send nothing
    finally:
        for worker in workers:
            stop(worker)
        with producer.connection_for_write() as conn:
            conn.default_channel.client.delete(queue_name)
        producer.close()
    elapsed = time.monotonic() - started

    assert ReminderLog.objects.count() == count
    assert set(ReminderLog.objects.values_list("contribution_id", flat=True)) == set(ids)
    assert not ReminderLog.objects.exclude(notice=ReminderLog.Notice.DAYS_7).exists()
    sms = OutboxMessage.objects.filter(channel=OutboxMessage.Channel.SMS)
    email = OutboxMessage.objects.filter(channel=OutboxMessage.Channel.EMAIL)
    assert sms.count() == count and email.count() == count
    assert sms.values("recipient").distinct().count() == count
    assert email.values("recipient").distinct().count() == count
    figures.add("reminders sent exactly once after SIGKILL", count)
    print(
        f"reminders: {count} due, {sent_before_kill} sent before SIGKILL, all {count} sent once "
        f"after restart ({elapsed:.1f} s)"
    )
