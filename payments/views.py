import logging
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from matrix_portal.errors import ApplicationError
from matrix_portal.timeutil import format_datetime
from payments import selectors, services
from payments.forms import BankForm, PayNowForm
from payments.models import Payment

logger = logging.getLogger(__name__)

ACKNOWLEDGED_SESSION_KEY = "payments_acknowledged"
MESSAGE_FPX_UNAVAILABLE = _("Online payment is not available at the moment. Please try again later.")


def _back_url() -> str:
    """Back from the payment pages: the contribution history once it exists, else home."""
    try:
        return reverse("contributions:history")
    except NoReverseMatch:
        return reverse("home")


def _amount_problem(contribution):
    try:
        services.payment_check_fpx_amount(amount=contribution.amount)
    except ApplicationError as exc:
        return exc.message
    return None


@login_required
@require_http_methods(["GET", "POST"])
def pay_now(request, contribution_id: int):
    """PAY NOW: the amount, the terms to acknowledge and the payment type, before choosing a bank."""
    contribution = selectors.contribution_payable_for_person(
        person=request.user, contribution_id=contribution_id
    )
    amount_problem = _amount_problem(contribution)
    form = PayNowForm(request.POST or None)
    if request.method == "POST" and not amount_problem and form.is_valid():
        acknowledged = set(request.session.get(ACKNOWLEDGED_SESSION_KEY, []))
        acknowledged.add(contribution.pk)
        request.session[ACKNOWLEDGED_SESSION_KEY] = sorted(acknowledged)[-20:]
        return redirect("payments:select_bank", contribution_id=contribution.pk)
    return render(
        request,
        "payments/pay_now.html",
        {
            "contribution": contribution,
            "form": form,
            "amount_problem": amount_problem,
            "back_url": _back_url(),
            "latest_payment": selectors.payment_latest_for_contribution(contribution=contribution),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def select_bank(request, contribution_id: int):
    """PAY WITH FPX: choose the bank. Paying creates the attempt and sends the browser to FPX."""
    contribution = selectors.contribution_payable_for_person(
        person=request.user, contribution_id=contribution_id
    )
    if contribution.pk not in request.session.get(ACKNOWLEDGED_SESSION_KEY, []):
        return redirect("payments:pay_now", contribution_id=contribution.pk)
    banks = list(selectors.bank_list_for_selection())
    if request.method == "POST":
        form = BankForm(request.POST, banks=banks)
        if form.is_valid():
            try:
                payment = services.payment_start_fpx(
                    contribution=contribution,
                    bank=form.cleaned_data["bank"],
                    idempotency_key=str(form.cleaned_data["idempotency_key"]),
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            except ImproperlyConfigured:
                logger.exception("FPX is not configured")
                form.add_error(None, MESSAGE_FPX_UNAVAILABLE)
            else:
                return redirect("payments:to_gateway", payment_id=payment.pk)
    else:
        form = BankForm(banks=banks, initial={"idempotency_key": uuid.uuid4()})
    return render(request, "payments/select_bank.html", {"contribution": contribution, "form": form})


@login_required
@require_GET
def to_gateway(request, payment_id: int):
    """The signed AR as a form that the browser posts to FPX (by script, or by the button without it)."""
    payment = selectors.payment_for_person(person=request.user, payment_id=payment_id)
    ar = services.payment_ar(payment=payment)
    if payment.status != Payment.Status.PENDING or not ar:
        return redirect("payments:details", payment_id=payment.pk)
    return render(
        request,
        "payments/to_gateway.html",
        {"payment": payment, "fields": sorted(ar.items()), "action": settings.FPX_AR_URL},
    )


@login_required
@require_GET
def details(request, payment_id: int):
    """PAYMENT DETAILS, as in the seed."""
    payment = selectors.payment_for_person(person=request.user, payment_id=payment_id)
    contribution = payment.contribution
    return render(
        request,
        "payments/details.html",
        {
            "payment": payment,
            "contribution": contribution,
            "receipt": getattr(payment, "receipt", None),
            "status_message": selectors.payment_status_message(payment=payment),
            "date_time": format_datetime(payment.paid_at or payment.created_at),
            "back_url": _back_url(),
            "can_pay_again": payment.status == Payment.Status.FAILED
            and contribution.status == contribution.Status.SUBMITTED
            and not contribution.payments.filter(status=Payment.Status.PENDING).exists(),
        },
    )


@login_required
@require_POST
def check_status(request, payment_id: int):
    """Ask FPX now what became of a pending payment (the periodic re-query does the same)."""
    payment = selectors.payment_for_person(person=request.user, payment_id=payment_id)
    if payment.status == Payment.Status.PENDING and payment.method == Payment.Method.FPX:
        services.payment_requery(payment_id=payment.pk)
    return redirect("payments:details", payment_id=payment.pk)


@csrf_exempt
@require_POST
def fpx_direct(request):
    """FPX's server-to-server AC. `OK` stops FPX resending; anything else makes it try again."""
    result = services.fpx_receive_ac(data=request.POST, channel="direct")
    if result.accepted:
        return HttpResponse("OK", content_type="text/plain")
    return HttpResponse("ERROR", content_type="text/plain", status=400)


@csrf_exempt
@require_POST
def fpx_return(request):
    """The browser's return from FPX (indirect AC): applied only if its signature verifies; then GET."""
    result = services.fpx_receive_ac(data=request.POST, channel="indirect")
    if result.payment is not None:
        return _see_other(reverse("payments:details", kwargs={"payment_id": result.payment.pk}))
    return _see_other(reverse("payments:return_unconfirmed"))


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


@require_GET
def return_unconfirmed(request):
    return render(request, "payments/return_unconfirmed.html", status=200)
