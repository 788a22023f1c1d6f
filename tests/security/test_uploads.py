"""Every file of the hostile corpus through the real registration form (ASVS 5.2.x, 5.3.x).

Each one is refused with a clear message and leaves nothing behind (no row, no file), or - for images that
decode - is stored re-encoded, under a server-made name, with no trace of its payload.
"""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from contributions.models import Contribution, RegistrationDocument, SectorRegistration
from tests.contributions.conftest import form_data, register_url
from tests.factories import UserFactory
from tests.security import corpus, figures

pytestmark = pytest.mark.django_db

CASES = corpus.all_cases()
STORED_NAME = re.compile(r"\A[A-Za-z0-9_./-]+\Z")


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_hostile_upload_through_the_registration_form(client, settings, case):
    person = UserFactory(self_employed_code=None)
    client.force_login(person)
    data = form_data()
    data["doc_ic"] = SimpleUploadedFile(case.filename, case.content, content_type=case.content_type)
    data["doc_licence"] = SimpleUploadedFile("ssm.pdf", corpus.pdf(), content_type="application/pdf")
    response = client.post(register_url(), data)
    figures.add("hostile uploads tried")
    media = Path(settings.MEDIA_ROOT)

    if case.expect == corpus.REFUSED:
        assert response.status_code == 200, response.status_code
        page = response.content.decode()
        assert escape(case.message) in page or case.message in page, f"no clear message for {case.label}"
        assert not SectorRegistration.objects.exists()
        assert not RegistrationDocument.objects.exists()
        assert not Contribution.objects.exists()
        assert _files(media) == [], "a refused upload left a file behind"
        return

    assert response.status_code == 302, response.content.decode()[:2000]
    document = RegistrationDocument.objects.get(kind=RegistrationDocument.Kind.IDENTITY_CARD)
    stored = document.file.read()
    document.file.close()
    assert stored and stored != case.content  # re-encoded, not kept as sent
    if case.payload:
        assert case.payload not in stored
    # Server-made file name; the original name kept only as harmless text.
    assert STORED_NAME.match(document.file.name), document.file.name
    assert ".." not in document.file.name and "php" not in document.file.name
    for bad in ("/", "\\", "\r", "\n", "\x00", "\u202e", '"', "<", ">"):
        assert bad not in document.original_name, (bad, document.original_name)
    assert len(document.original_name) <= 255
    # Only the two documents of this registration are on disk, all inside MEDIA_ROOT.
    assert len(_files(media)) == 2


def test_the_corpus_script_writes_every_case(tmp_path):
    assert corpus.write(tmp_path) == len(CASES) == len(list(tmp_path.iterdir()))
