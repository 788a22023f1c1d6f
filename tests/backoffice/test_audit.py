"""The audit trail: what is recorded, from where, and that nobody can change or delete it."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.roles import COUNTER_STAFF, SUPERVISOR
from contributions.models import Office
from matrix_portal import audit
from matrix_portal.audit import audit_record
from matrix_portal.models import Announcement, AuditEvent, AuditImmutableError
from tests.backoffice.conftest import make_staff
from tests.factories import UserFactory, admin_force_login

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-Battery-9"


def _event(**kwargs):
    return audit_record(action=kwargs.pop("action", AuditEvent.Action.RECEIPT_VOIDED), **kwargs)


def test_audit_record_keeps_who_when_where_what_before_and_after(supervisor):
    request = RequestFactory().post("/x", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.9.9.9")
    request.user = supervisor
    office = Office.objects.first()
    event = audit_record(
        action=AuditEvent.Action.CASH_PAYMENT_RECORDED,
        target=office,
        before={"status": "pending"},
        after={"status": "paid", "amount": "77.60"},
        request=request,
    )
    event.refresh_from_db()
    assert event.actor == supervisor
    assert event.actor_label.startswith("SITI SUPERVISOR (")
    assert "****" in event.actor_label
    assert event.ip_address == "203.0.113.9"  # REMOTE_ADDR, never the client-supplied header
    assert event.target_type == "contributions.office"
    assert event.target_id == str(office.pk)
    assert event.before == {"status": "pending"}
    assert event.after == {"status": "paid", "amount": "77.60"}
    assert timezone.now() - event.at < dt.timedelta(seconds=5)
    assert event.action_label == "Cash payment recorded"


def test_an_audit_row_cannot_be_changed_or_deleted_through_the_orm(supervisor):
    event = _event(actor=supervisor)
    event.target_repr = "tampered"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(target_repr="tampered")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.target_repr == ""


def test_a_user_with_audit_rows_cannot_be_deleted(supervisor):
    from django.db.models import ProtectedError

    _event(actor=supervisor)
    with pytest.raises(ProtectedError):
        supervisor.delete()


@pytest.mark.postgres
def test_the_database_refuses_updates_and_deletes_of_audit_rows(supervisor):
    event = _event(actor=supervisor)
    for sql in (
        "UPDATE matrix_portal_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM matrix_portal_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action=event.action).exists()


# The admin ------------------------------------------------------------------------------------------


def test_editing_an_audit_row_through_the_admin_fails_even_for_a_superuser(client):
    superuser = make_staff("superuser")
    event = _event(actor=superuser, after={"amount": "10.00"})
    admin_force_login(client, superuser)
    change_url = reverse("admin:matrix_portal_auditevent_change", args=[event.pk])
    page = client.get(change_url)
    assert page.status_code == 200  # may be read
    assert 'name="action"' not in page.content.decode()
    response = client.post(change_url, {"action": "tampered", "target_repr": "tampered"})
    assert response.status_code == 403
    delete_url = reverse("admin:matrix_portal_auditevent_delete", args=[event.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:matrix_portal_auditevent_add")).status_code == 403
    changelist = reverse("admin:matrix_portal_auditevent_changelist")
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": [event.pk]})
    assert AuditEvent.objects.filter(pk=event.pk, action=event.action).exists()
    event.refresh_from_db()
    assert event.after == {"amount": "10.00"}


def test_the_admin_list_of_audit_events_is_readable_and_searchable(client):
    superuser = make_staff("superuser")
    _event(actor=superuser, target=Office.objects.get(code="kuala-krai"))
    admin_force_login(client, superuser)
    response = client.get(reverse("admin:matrix_portal_auditevent_changelist"), {"q": "Kuala Krai"})
    assert response.status_code == 200
    assert "Kuala Krai" in response.content.decode()


def test_staff_log_in_is_recorded_with_the_address(client):
    staff = make_staff(COUNTER_STAFF)
    client.post(reverse("accounts:login"), {"ic_number": staff.ic_number}, REMOTE_ADDR="198.51.100.7")
    response = client.post(
        reverse("accounts:login_password"), {"password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.STAFF_LOGIN)
    assert event.actor == staff
    assert event.ip_address == "198.51.100.7"


def test_a_self_employed_person_logging_in_is_not_a_staff_action(client):
    person = UserFactory()
    client.force_login(person)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.STAFF_LOGIN).exists()


def test_a_reference_data_edit_in_the_admin_is_recorded_with_before_and_after(client):
    superuser = make_staff("superuser")
    office = Office.objects.get(code="kuala-krai")
    old_name = office.name
    admin_force_login(client, superuser)
    response = client.post(
        reverse("admin:contributions_office_change", args=[office.pk]),
        {
            "code": office.code,
            "name": "PERKESO Kuala Krai (new premises)",
            "state": office.state_id,
            "address": office.address,
            "phone": "09-9999999",
            "is_active": "on",
        },
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action=AuditEvent.Action.RECORD_CHANGED)
    assert event.actor == superuser
    assert event.ip_address == "192.0.2.44"
    assert event.target_type == "contributions.office"
    assert event.before["name"] == old_name
    assert event.after["name"] == "PERKESO Kuala Krai (new premises)"
    assert event.after["phone"] == "09-9999999"


def test_adding_and_deleting_in_the_admin_are_recorded(client):
    superuser = make_staff("superuser")
    admin_force_login(client, superuser)
    response = client.post(
        reverse("admin:matrix_portal_announcement_add"),
        {
            "maintenance_start_0": "2026-12-01",
            "maintenance_start_1": "22:00:00",
            "maintenance_end_0": "2026-12-02",
            "maintenance_end_1": "02:00:00",
            "show_from_0": "2026-11-25",
            "show_from_1": "00:00:00",
            "is_published": "on",
            "note": "FPX upgrade",
        },
    )
    assert response.status_code == 302
    announcement = Announcement.objects.get(note="FPX upgrade")
    added = AuditEvent.objects.get(action=AuditEvent.Action.RECORD_ADDED)
    assert added.before is None
    assert added.after["note"] == "FPX upgrade"
    response = client.post(
        reverse("admin:matrix_portal_announcement_delete", args=[announcement.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    deleted = AuditEvent.objects.get(action=AuditEvent.Action.RECORD_DELETED)
    assert deleted.before["note"] == "FPX upgrade"
    assert deleted.after is None
    assert deleted.target_id == str(announcement.pk)


def test_role_changes_made_in_an_admin_request_are_recorded(rf):
    superuser = make_staff("superuser")
    staff = make_staff(None)
    groups = {group.name: group for group in Group.objects.all()}
    request = rf.post(reverse("admin:index") + "accounts/user/1/change/", REMOTE_ADDR="192.0.2.1")
    request.user = superuser
    token = audit._current_request.set(request)
    try:
        staff.groups.add(groups[SUPERVISOR])
    finally:
        audit._current_request.reset(token)
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_ROLES_CHANGED)
    assert event.before == {"groups": []}
    assert event.after == {"groups": [SUPERVISOR]}
    assert event.actor == superuser
    assert event.target_id == str(staff.pk)


def test_user_snapshots_hide_secrets_and_mask_the_ic():
    user = UserFactory(ic_number="900101145567")
    data = audit.snapshot(user)
    assert data["password"].startswith("[redacted ")
    assert user.password not in str(data)
    assert data["secret_phrase"].startswith("[redacted ")
    assert "hibiscus" not in str(data)
    assert data["ic_number"] == "900101-14-****"
    user.set_password("Another-Password-123")
    assert audit.snapshot(user)["password"] != data["password"]  # a change still shows


def test_saves_outside_the_admin_are_not_admin_edits(client):
    person = UserFactory()
    client.force_login(person)
    client.post(reverse("set_language"), {"language": "ms", "next": "/"})
    person.refresh_from_db()
    assert person.language == "ms"
    assert not AuditEvent.objects.exclude(action=AuditEvent.Action.STAFF_LOGIN).exists()


# The audit page --------------------------------------------------------------------------------------


def test_audit_page_filters_and_exports_csv_safely(client, supervisor):
    other = make_staff(COUNTER_STAFF, full_name="=CMD|' /C calc'!A0")
    _event(actor=other, action=AuditEvent.Action.CASH_PAYMENT_RECORDED, after={"note": "+danger"})
    _event(actor=supervisor, action=AuditEvent.Action.RECEIPT_VOIDED)
    client.force_login(supervisor)

    page = client.get(reverse("backoffice:audit"), {"action": AuditEvent.Action.CASH_PAYMENT_RECORDED})
    assert [e.actor for e in page.context["page"].object_list] == [other]
    page = client.get(reverse("backoffice:audit"), {"text": "SITI SUPERVISOR"})
    assert {e.actor for e in page.context["page"].object_list} == {supervisor}

    response = client.get(
        reverse("backoffice:audit_csv"), {"action": AuditEvent.Action.CASH_PAYMENT_RECORDED}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][1].startswith("'=CMD")
    assert rows[1][3] == "Cash payment recorded"
    assert '"note": "+danger"' in rows[1][8]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=supervisor).exists()


def test_audit_page_rejects_a_bad_date_with_a_message_and_keeps_the_input(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("backoffice:audit"), {"date_from": "31-02-2026", "text": "keep me"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid date" in body
    assert 'value="keep me"' in body


def test_audit_page_date_range_uses_malaysian_days(client, supervisor):
    from zoneinfo import ZoneInfo

    myt = ZoneInfo("Asia/Kuala_Lumpur")
    inside = _event(actor=supervisor, at=dt.datetime(2026, 3, 2, 0, 30, tzinfo=myt))
    _event(actor=supervisor, at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=myt))
    client.force_login(supervisor)
    response = client.get(reverse("backoffice:audit"), {"date_from": "2026-03-02", "date_to": "2026-03-02"})
    assert list(response.context["page"].object_list) == [inside]


def test_audit_page_query_count_is_bounded(client, supervisor, django_assert_max_num_queries):
    for _ in range(60):
        _event(actor=supervisor)
    client.force_login(supervisor)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("backoffice:audit"))
    assert len(response.context["page"].object_list) == 50


def test_a_reminder_schedule_edit_is_one_audit_event(rf):
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    superuser = make_staff("superuser")
    request = rf.post(
        reverse("admin:index") + "django_celery_beat/periodictask/add/", REMOTE_ADDR="192.0.2.5"
    )
    request.user = superuser
    schedule = CrontabSchedule.objects.create(minute="0", hour="9")
    token = audit._current_request.set(request)
    try:
        PeriodicTask.objects.create(
            name="send-renewal-reminders-late", task="receipts.tasks.send_renewal_reminders", crontab=schedule
        )
    finally:
        audit._current_request.reset(token)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.RECORD_ADDED)
    assert [e.target_type for e in events] == ["django_celery_beat.periodictask"]
    assert events[0].after["task"] == "receipts.tasks.send_renewal_reminders"
    assert events[0].ip_address == "192.0.2.5"
