import io

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from matrix_portal import sms
from tests.accounts.conftest import last_code
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-Battery-9"
SECOND_FACTOR = "/accounts/login/second-factor/"


def staff_log_in(client, user, *, second_factor=True):
    """Log in through the pages: IC, password and, for staff, the SMS code from the test SMS outbox."""
    client.post("/accounts/login/", {"ic_number": user.ic_number})
    response = client.post("/accounts/login/password/", {"password": PASSWORD})
    if second_factor and response["Location"].startswith(SECOND_FACTOR):
        response = client.post(SECOND_FACTOR, {"token": last_code(sms.MemoryBackend.outbox)})
    return response


@pytest.fixture
def superuser():
    return StaffFactory(ic_number="800101145007", is_superuser=True)


def test_admin_needs_a_verified_second_factor(client, superuser):
    staff_log_in(client, superuser, second_factor=False)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    page = client.get(response["Location"]).content.decode()
    assert "otp_token" in page


def test_admin_opens_with_a_static_token(client, superuser):
    device = StaticDevice.objects.create(user=superuser, name="backup", confirmed=True)
    device.token_set.create(token="abcd1234")
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": superuser.ic_number,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": "abcd1234",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/admin/").status_code == 200


def test_admin_user_list_masks_ic_and_searches(client, superuser):
    UserFactory(ic_number="790811087654", full_name="SITI AMINAH")
    device = StaticDevice.objects.create(user=superuser, name="backup", confirmed=True)
    device.token_set.create(token="abcd1234")
    client.post(
        "/admin/login/",
        {
            "username": superuser.ic_number,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": "abcd1234",
        },
    )
    page = client.get("/admin/accounts/user/").content.decode()
    assert "790811-08-****" in page
    assert "790811087654" not in page
    found = client.get("/admin/accounts/user/?q=SITI").content.decode()
    assert "SITI AMINAH" in found
    assert client.get("/admin/accounts/user/?is_active__exact=1&is_staff__exact=0").status_code == 200


def test_admin_disabling_a_user_ends_their_sessions(client, superuser):
    person = UserFactory(ic_number="790811087654")
    member = client.__class__()
    member.post("/accounts/login/", {"ic_number": person.ic_number})
    member.post("/accounts/login/password/", {"password": PASSWORD})
    key = member.session.session_key
    device = StaticDevice.objects.create(user=superuser, name="backup", confirmed=True)
    device.token_set.create(token="abcd1234")
    client.post(
        "/admin/login/",
        {
            "username": superuser.ic_number,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": "abcd1234",
        },
    )
    client.post("/admin/accounts/user/", {"action": "disable_accounts", "_selected_action": [person.pk]})
    person.refresh_from_db()
    assert not person.is_active
    assert not Session.objects.filter(session_key=key).exists()


def test_staff_home_lists_the_tools_of_the_role(client):
    groups = roles.ensure_role_groups()
    counter = StaffFactory(ic_number="800101145001")
    counter.groups.add(groups[roles.COUNTER_STAFF])
    assert staff_log_in(client, counter)["Location"] == "/accounts/staff/"
    page = client.get("/accounts/staff/").content.decode()
    assert 'href="/staff/"' in page  # the back office
    assert "Document review queue" not in page
    assert "Refunds" not in page
    assert "Administration" not in page


def test_superuser_staff_home_links_to_the_admin(client, superuser):
    staff_log_in(client, superuser)
    page = client.get("/accounts/staff/").content.decode()
    assert 'href="/admin/"' in page


def test_members_cannot_open_the_staff_home(client):
    person = UserFactory(ic_number="790811087654")
    staff_log_in(client, person)
    assert client.get("/accounts/staff/").status_code == 404


def test_enrol_totp_prints_a_qr_code_for_staff(superuser):
    out = io.StringIO()
    call_command("enrol_totp", superuser.ic_number, stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    assert TOTPDevice.objects.filter(user=superuser, confirmed=True).count() == 1


def test_enrol_totp_refuses_members():
    UserFactory(ic_number="790811087654")
    with pytest.raises(Exception, match="No staff account"):
        call_command("enrol_totp", "790811087654", stdout=io.StringIO())


def test_demo_staff_superuser_gets_a_second_factor(settings):
    settings.DEMO_ACCOUNTS_ENABLED = True
    out = io.StringIO()
    call_command("create_demo_staff", stdout=out)
    assert "one-time static token" in out.getvalue()
    assert StaticDevice.objects.filter(user__ic_number="800101145007").exists()


def test_demo_staff_are_refused_outside_the_development_settings(settings):
    settings.DEBUG = True  # DEBUG alone is not enough
    settings.DEMO_ACCOUNTS_ENABLED = False
    with pytest.raises(CommandError, match="development settings"):
        call_command("create_demo_staff", stdout=io.StringIO())
    assert not StaticDevice.objects.exists()


def test_no_default_accounts_exist_after_migrations():
    from accounts.models import User

    assert not User.objects.filter(is_superuser=True).exists()


def admin_client(client, superuser):
    device = StaticDevice.objects.create(user=superuser, name="backup", confirmed=True)
    device.token_set.create(token="abcd1234")
    client.post(
        "/admin/login/",
        {
            "username": superuser.ic_number,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": "abcd1234",
        },
    )
    return client


def test_staff_are_created_by_an_admin(client, superuser):
    from accounts.models import User

    admin = admin_client(client, superuser)
    response = admin.post(
        "/admin/accounts/user/add/",
        {
            "ic_number": "800101145011",
            "full_name": "NEW COUNTER CLERK",
            "email": "clerk@example.test",
            "usable_password": "true",
            "password1": "Mee-Goreng-Mamak-88",
            "password2": "Mee-Goreng-Mamak-88",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = User.objects.get(ic_number="800101145011")
    assert created.check_password("Mee-Goreng-Mamak-88")


def test_admin_refuses_a_bad_ic_for_new_staff(client, superuser):
    admin = admin_client(client, superuser)
    response = admin.post(
        "/admin/accounts/user/add/",
        {
            "ic_number": "80010114501",
            "full_name": "X",
            "email": "x@example.test",
            "usable_password": "false",
        },
    )
    assert response.status_code == 200


def test_role_groups_exist_after_migrate():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLE_PERMISSIONS)
    counter = Group.objects.get(name=roles.COUNTER_STAFF)
    assert counter.permissions.filter(codename="add_payment").exists()


def test_unticking_active_in_the_admin_ends_the_sessions(client, superuser):
    from accounts.models import User

    person = UserFactory(ic_number="790811087654")
    member = client.__class__()
    member.post("/accounts/login/", {"ic_number": person.ic_number})
    member.post("/accounts/login/password/", {"password": PASSWORD})
    key = member.session.session_key
    admin = admin_client(client, superuser)
    page = admin.get(f"/admin/accounts/user/{person.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update({"is_active": "", "groups": [], "user_permissions": [], "mobile": "012-888 1111"})
    data["date_joined_0"], data["date_joined_1"] = "2026-01-01", "10:00:00"
    response = admin.post(
        f"/admin/accounts/user/{person.pk}/change/", {k: v for k, v in data.items() if v != ""}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert not User.objects.get(pk=person.pk).is_active
    assert not Session.objects.filter(session_key=key).exists()


def test_supervisors_and_reviewers_get_their_own_tools():
    from accounts import selectors

    groups = roles.ensure_role_groups()
    supervisor = StaffFactory()
    supervisor.groups.add(groups[roles.SUPERVISOR])
    reviewer = StaffFactory()
    reviewer.groups.add(groups[roles.DOCUMENT_REVIEWER])
    supervisor_tools = {str(tool["label"]): tool["url"] for tool in selectors.staff_tools(user=supervisor)}
    assert supervisor_tools["Refunds"] == "/staff/refunds/"
    assert supervisor_tools["Audit trail"] == "/staff/audit/"
    assert "Document review queue" not in supervisor_tools
    reviewer_tools = {str(tool["label"]): tool["url"] for tool in selectors.staff_tools(user=reviewer)}
    assert reviewer_tools == {"Back office": "/staff/", "Document review queue": "/staff/review/"}


def test_tools_whose_page_does_not_exist_are_not_listed(monkeypatch):
    from accounts import selectors

    groups = roles.ensure_role_groups()
    counter = StaffFactory()
    counter.groups.add(groups[roles.COUNTER_STAFF])
    labels = [str(tool["label"]) for tool in selectors.staff_tools(user=counter)]
    assert labels == ["Back office", "Counter payments", "Cash reconciliation"]
    monkeypatch.setattr(
        selectors,
        "STAFF_TOOLS",
        [*selectors.STAFF_TOOLS, ("nowhere:page", "Missing page", (roles.COUNTER_STAFF,))],
    )
    assert "Missing page" not in [str(tool["label"]) for tool in selectors.staff_tools(user=counter)]
