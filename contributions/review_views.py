"""Back office: the document review queue, the review page and the reviewer's view of a document."""

from pathlib import PurePosixPath

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from accounts import ic as ic_numbers
from accounts.roles import DOCUMENT_REVIEWER
from contributions.forms import choice_label
from contributions.models import Contribution
from contributions.review import registration_approve, registration_reject, rejection_reason_label
from contributions.review_forms import ApproveForm, RejectForm, ReviewQueueFilterForm
from contributions.review_selectors import (
    document_for_reviewer,
    registration_for_review,
    registration_review_queue,
)
from matrix_portal.errors import ApplicationError
from matrix_portal.staff import staff_role_required

QUEUE_PAGE_SIZE = 50
INLINE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "application/pdf": ".pdf"}
# Served documents may not run anything, load anything, or be framed by anyone but the review page.
DOCUMENT_CSP = (
    "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)


@require_GET
@staff_role_required(DOCUMENT_REVIEWER)
def review_queue(request):
    form = ReviewQueueFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(registration_review_queue(**filters), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "status": filters["status"],
        "query": query.urlencode(),
        "now": timezone.now(),
    }
    return render(request, "backoffice/review_queue.html", context)


def _review_context(registration, *, reviewer=None, approve_form=None, reject_form=None, error=None) -> dict:
    contributions = list(registration.contributions.all())
    paid = [c for c in contributions if c.status in (Contribution.Status.ACTIVE, Contribution.Status.RENEWED)]
    unpaid = [c for c in contributions if c.status == Contribution.Status.SUBMITTED]
    return {
        "registration": registration,
        "ic_formatted": ic_numbers.formatted(registration.person.ic_number),
        "particulars": {
            name: choice_label(name, getattr(registration, name))
            for name in ("self_employed_status", "nationality", "gender")
        },
        "documents": list(registration.documents.all()),
        "contributions": contributions,
        "paid_count": len(paid),
        "unpaid_count": len(unpaid),
        "approve_form": approve_form or ApproveForm(),
        "reject_form": reject_form or RejectForm(),
        "error": error,
        "reason_label": rejection_reason_label(registration),
        "inline_images": {"image/jpeg", "image/png", "image/gif"},
        "own": reviewer is not None and reviewer.pk in (registration.person_id, registration.created_by_id),
    }


@require_http_methods(["GET", "POST"])
@staff_role_required(DOCUMENT_REVIEWER)
def review(request, pk: int):
    registration = registration_for_review(registration_id=pk)
    if request.method == "GET":
        context = _review_context(registration, reviewer=request.user)
        return render(request, "backoffice/review.html", context)

    action = request.POST.get("action")
    approve_form = ApproveForm(request.POST if action == "approve" else None)
    reject_form = RejectForm(request.POST if action == "reject" else None)
    form = approve_form if action == "approve" else reject_form if action == "reject" else None
    if form is None:
        error, status = _("Choose Approve or Reject."), 400
    elif not form.is_valid():
        error, status = None, 400
    else:
        try:
            if action == "approve":
                registration_approve(registration_id=registration.pk, reviewer=request.user, request=request)
                messages.success(request, _("Registration approved: documents verified."))
            else:
                registration_reject(
                    registration_id=registration.pk,
                    reviewer=request.user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    request=request,
                )
                messages.success(request, _("Registration rejected. The person is told by e-mail and SMS."))
            return redirect("backoffice:review_queue")
        except ApplicationError as exc:
            error = exc.message
            status = 403 if exc.code in {"own_registration", "not_reviewer"} else 409
        registration = registration_for_review(registration_id=pk)
    context = _review_context(
        registration, reviewer=request.user, approve_form=approve_form, reject_form=reject_form, error=error
    )
    return render(request, "backoffice/review.html", context, status=status)


@require_GET
@xframe_options_sameorigin
@staff_role_required(DOCUMENT_REVIEWER)
def document(request, pk: int):
    """The file itself: inline for images and PDFs (sandboxed), as an attachment on ?download=1."""
    doc = document_for_reviewer(document_id=pk)
    inline = doc.content_type in INLINE_TYPES and request.GET.get("download") != "1"
    extension = INLINE_TYPES.get(doc.content_type) or PurePosixPath(doc.file.name).suffix[:8]
    filename = f"{doc.kind}-{doc.registration_id}-{doc.pk}{extension}"
    try:
        handle = doc.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=filename,
        content_type=doc.content_type if inline else "application/octet-stream",
    )
    response["Content-Security-Policy"] = DOCUMENT_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
