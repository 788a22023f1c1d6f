"""Reviewers see uploaded documents inline in a sandbox, or download them; nobody else gets them."""

import pytest
from django.urls import reverse

from tests.backoffice.conftest import PDF_BYTES, PNG_BYTES, add_document
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("content", "content_type"), [(PNG_BYTES, "image/png"), (PDF_BYTES, "application/pdf")]
)
def test_inline_document_is_sandboxed_and_not_cached(client, reviewer, content, content_type):
    document = add_document(RegistrationFactory(), content=content)
    client.force_login(reviewer)
    response = client.get(reverse("backoffice:document", kwargs={"pk": document.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Cache-Control"] == "no-store"
    assert _body(response) == content


def test_download_is_an_attachment_with_a_server_made_name(client, reviewer):
    registration = RegistrationFactory()
    document = add_document(registration)
    document.original_name = '../../etc/passwd"\r\n.png'
    document.save()
    client.force_login(reviewer)
    response = client.get(reverse("backoffice:document", kwargs={"pk": document.pk}), {"download": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="ic-{registration.pk}-{document.pk}.png"'
    assert _body(response) == PNG_BYTES


def test_an_unexpected_type_is_never_shown_inline(client, reviewer):
    document = add_document(
        RegistrationFactory(), content=b"<html><script>alert(1)</script>", ctype="text/html"
    )
    client.force_login(reviewer)
    response = client.get(reverse("backoffice:document", kwargs={"pk": document.pk}))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"


def test_the_owner_of_a_document_cannot_fetch_it_through_the_back_office(client):
    registration = RegistrationFactory()
    document = add_document(registration)
    client.force_login(registration.person)
    assert client.get(reverse("backoffice:document", kwargs={"pk": document.pk})).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("backoffice:document", kwargs={"pk": document.pk})).status_code == 404


def test_a_missing_file_is_404(client, reviewer):
    document = add_document(RegistrationFactory())
    document.file.storage.delete(document.file.name)
    client.force_login(reviewer)
    assert client.get(reverse("backoffice:document", kwargs={"pk": document.pk})).status_code == 404
