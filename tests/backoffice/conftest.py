import pytest
from django.core.files.base import ContentFile

from contributions.models import RegistrationDocument
from tests.factories import UserFactory, make_staff  # noqa: F401 - make_staff is imported from here too

# A 1x1 PNG and a minimal PDF, enough for the document views.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def person(db):
    return UserFactory(full_name="AHMAD BIN ALI")


def add_document(registration, *, kind=RegistrationDocument.Kind.IDENTITY_CARD, content=PNG_BYTES, ctype=""):
    ctype = ctype or ("application/pdf" if content.startswith(b"%PDF") else "image/png")
    document = RegistrationDocument(
        registration=registration,
        kind=kind,
        original_name=f"{kind}.{'pdf' if ctype == 'application/pdf' else 'png'}",
        content_type=ctype,
        size=len(content),
        sha256="0" * 64,
    )
    document.file.save(f"{kind}.bin", ContentFile(content), save=False)
    document.save()
    return document


def paid_payment(registration, *, paid_at, method="fpx", months=4, receipt=True):
    """A contribution of `registration`, paid at `paid_at` (Active, with a receipt unless told otherwise)."""
    from contributions.services import contribution_mark_paid
    from payments.models import Payment
    from receipts.services import receipt_issue
    from tests.factories import ContributionFactory, PaymentFactory

    contribution = ContributionFactory(registration=registration, months=months)
    contribution_mark_paid(contribution=contribution, paid_at=paid_at)
    payment = PaymentFactory(
        contribution=contribution,
        method=method,
        bank=None if method == "cash" else PaymentFactory._meta.declarations["bank"].function(),
        status=Payment.Status.PAID,
        paid_at=paid_at,
    )
    if receipt:
        receipt_issue(payment=payment)
    return payment
