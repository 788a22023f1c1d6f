"""Receipt download (owner and staff only) and the public verification page behind the QR code."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.ic import masked
from matrix_portal.money import format_rm
from matrix_portal.page_cache import page_suffix
from matrix_portal.timeutil import format_datetime
from receipts.selectors import receipt_for_download, receipt_for_verification
from receipts.services import receipt_pdf_bytes


@require_GET
def download(request, pk: int):
    receipt = receipt_for_download(
        user=request.user,
        pk=pk,
        kept_as=page_suffix(request),
        prefetched=getattr(request.session, "prefetched", None),
    )
    data = receipt_pdf_bytes(receipt=receipt)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="RESIT-{receipt.number}.pdf"'
    response["Content-Length"] = str(len(data))
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _over_rate_limit(request) -> bool:
    """A light fixed-window limit per client address (the shared cache is Redis in production)."""
    limit = settings.RECEIPT_VERIFY_RATE_PER_MINUTE
    if not limit:
        return False
    window = int(timezone.now().timestamp() // 60)
    key = f"receipts:verify:{_client_address(request)}:{window}"
    if cache.add(key, 1, timeout=120):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=120)
        return False


@never_cache
@require_GET
def verify(request, number: str, token: str):
    if _over_rate_limit(request):
        response = render(request, "receipts/verify_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    receipt = receipt_for_verification(number=number, token=token)
    contribution = receipt.payment.contribution
    cancelled_at = contribution.coverage_cancelled_at
    context = {
        "number": receipt.number,
        "ic_masked": masked(receipt.ic_number),
        "sector": receipt.sector_name_ms,
        "amount": format_rm(receipt.amount),
        "coverage": f"{format_datetime(receipt.coverage_start)} - {format_datetime(receipt.coverage_end)}",
        "is_void": bool(receipt.voided_at or cancelled_at),
        "voided_at": format_datetime(receipt.voided_at),
        "cancelled_at": format_datetime(cancelled_at),
    }
    response = render(request, "receipts/verify.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
