"""A reminder travels through the real Redis broker to a real Celery worker process, end to end."""

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from matrix_portal.models import OutboxMessage
from receipts.models import ReminderLog
from tests.receipts.test_reminders import covered_until

REPO = Path(__file__).resolve().parents[2]
DEADLINE_SECONDS = 30

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (always set under CI=true)"),
]


def start_worker(queue: str, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.receipts.worker_settings",
        "WORKER_TEST_DATABASE_NAME": connection.settings_dict["NAME"],
        "WORKER_QUEUE": queue,
        "PYTHONPATH": str(REPO),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "matrix_portal", "worker",
        "--pool=solo", "--queues", queue, "--hostname", f"{queue}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


@pytest.mark.django_db(transaction=True)
def test_a_reminder_goes_through_redis_and_a_real_worker(reference_data, tmp_path):
    contribution = covered_until(timezone.localdate() + dt.timedelta(days=5))
    person = contribution.person
    queue = f"matrix-test-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "worker.log"
    worker = start_worker(queue, log_path)
    producer = Celery("test-producer", broker=settings.REDIS_URL)
    try:
        # Sent by name through Redis: this process never runs the task itself.
        producer.send_task("receipts.tasks.send_renewal_reminders", queue=queue)
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            if ReminderLog.objects.filter(sent_at__isnull=False).exists():
                break
            assert worker.poll() is None, log_path.read_text()
            time.sleep(0.2)
        else:
            pytest.fail(f"no reminder within {DEADLINE_SECONDS} s; worker log:\n{log_path.read_text()}")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            worker.kill()
            worker.wait()
        with producer.connection_for_write() as conn:
            conn.default_channel.client.delete(queue)
        producer.close()

    log = ReminderLog.objects.get()
    assert (log.contribution_id, log.notice, log.attempts) == (contribution.pk, "7d", 1)
    sms = OutboxMessage.objects.get(channel=OutboxMessage.Channel.SMS)
    email = OutboxMessage.objects.get(channel=OutboxMessage.Channel.EMAIL)
    assert sms.recipient == str(person.mobile)
    assert email.recipient == person.email
    assert sms.body.startswith("Your SKSPS coverage for Information Technology ends on ")
    assert sms.body in email.body
    worker_log = log_path.read_text()
    # Both tasks ran in the worker, having come through the broker.
    assert "receipts.tasks.send_renewal_reminders" in worker_log
    assert "receipts.tasks.deliver_reminder" in worker_log
