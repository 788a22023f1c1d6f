"""Hostile names and strings rendered into every page escape (ASVS 1.2.1), and the receipt PDF renderer
reads no local file and opens no connection while drawing a hostile name (ASVS 1.3.x, 12.x).

Every page of the access registry is opened by each visitor allowed to see it, for an owner whose name,
e-mail and address carry script, markup and template syntax; the raw payloads must never come back.
The receipt renderer's fetcher is covered in tests/receipts; here the whole download view runs with
Python's open() and socket connections watched.
"""

import builtins
import socket
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from contributions.models import SectorRegistration
from tests.factories import ContributionFactory, RegistrationFactory, UserFactory
from tests.security import figures
from tests.security.registry import REGISTRY, log_in

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("xss")</script>"\'><img src=x onerror=alert(1)>{{ 7*7 }}'
RAW_MARKERS = ["<script>alert(", "<img src=x onerror", "onerror=alert(1)>"]


def hostile_owner():
    return UserFactory(full_name=HOSTILE[:150])


ESCAPED_SEEN = []


def assert_escaped(response, where: str):
    if "html" not in response.get("Content-Type", "") and "csv" not in response.get("Content-Type", ""):
        return
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(errors="replace")
    for marker in RAW_MARKERS:
        assert marker not in body, f"{where}: raw {marker!r} in the page"
    if "&lt;script&gt;alert(" in body:
        ESCAPED_SEEN.append(where)


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a page or PDF opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


CASES = [(name, visitor) for name in sorted(REGISTRY) for visitor in sorted(REGISTRY[name].allowed)]


@pytest.mark.parametrize(("name", "visitor"), CASES, ids=[f"{n}-{v}" for n, v in CASES])
def test_hostile_strings_are_escaped_on_every_object_page(client, no_network, name, visitor):
    access = REGISTRY[name]
    owner = hostile_owner()
    made = access.make(owner)
    SectorRegistration.objects.filter(person=owner).update(
        address_line1=HOSTILE[:150], address_line2=HOSTILE[:150]
    )
    log_in(client, visitor, owner)
    if made.session:
        session = client.session
        session.update(made.session)
        session.save()
    url = reverse(name, kwargs=made.kwargs)
    response = (
        client.post(url) if access.method == "POST" else client.get(url, follow=access.method == "POST")
    )
    figures.add("hostile-string page renders")
    assert response.status_code == access.ok_status
    assert_escaped(response, f"{name} as {visitor}")


OWN_PAGES = ["contributions:dashboard", "contributions:history", "contributions:renewal", "accounts:settings"]
STAFF_PAGES = ["backoffice:review_queue", "backoffice:audit", "backoffice:audit_csv", "backoffice:refunds"]


def test_hostile_strings_are_escaped_on_the_lists(client, no_network):
    owner = hostile_owner()
    registration = RegistrationFactory(person=owner, address_line1=HOSTILE[:150])
    ContributionFactory(registration=registration)
    client.force_login(owner)
    for name in OWN_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_escaped(response, name)
    log_in(client, "superuser_with_otp", owner)
    for name in STAFF_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_escaped(response, name)
    figures.add("hostile-string page renders", len(OWN_PAGES) + len(STAFF_PAGES))
    # The payload was on the pages (escaped), so the checks above were not vacuous.
    assert {"accounts:settings", "backoffice:review_queue"} <= set(ESCAPED_SEEN), ESCAPED_SEEN


def test_the_receipt_download_reads_no_local_file_and_opens_no_connection(client, no_network, monkeypatch):
    owner = UserFactory(
        full_name='<img src="file:///etc/passwd"><link rel=attachment href="file:///etc/shadow">'
    )
    made = REGISTRY["receipts:download"].make(owner)
    opened = []
    real_open = builtins.open

    def watched_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watched_open)
    client.force_login(owner)
    response = client.get(reverse("receipts:download", kwargs=made.kwargs))
    monkeypatch.setattr(builtins, "open", real_open)
    figures.add("hostile-string page renders")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    allowed = [
        Path(settings.BASE_DIR).resolve(),
        Path(settings.MEDIA_ROOT).resolve(),
        Path("/usr/share/fonts"),
    ]
    for path in opened:
        resolved = Path(path).resolve()
        assert "passwd" not in path and "shadow" not in path, path
        assert any(resolved.is_relative_to(root) for root in allowed) or "site-packages" in path, path
