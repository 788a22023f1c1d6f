"""The simulated FPX gateway's endpoints (at the real FPX paths) and its fake bank pages."""

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from payments import codes
from payments.simulator import services
from payments.simulator.models import SimulatedTransaction
from payments.tasks import refresh_bank_list

Step = SimulatedTransaction.Step


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _step_url(txn: SimulatedTransaction) -> str:
    name = {Step.LOGIN: "login", Step.TAC: "tac", Step.CONFIRM: "confirm", Step.DONE: "done"}[txn.step]
    return reverse(f"fpx_simulator:{name}", kwargs={"token": txn.token})


def _at_step(token: str, step: str):
    """The transaction if it is at `step`, else a redirect to the step it is at."""
    txn = get_object_or_404(SimulatedTransaction, token=token)
    return (txn, None) if txn.step == step else (None, redirect(_step_url(txn)))


@csrf_exempt
@require_POST
def seller_receiver(request):
    """FPXMain/seller2DReceiver.jsp: the browser posts the merchant's AR here."""
    try:
        txn = services.simulator_receive_ar(data=request.POST)
    except services.ArRejected as rejected:
        return render(
            request,
            "payments/simulator/error.html",
            {"code": rejected.code, "name": codes.gateway_name(rejected.code)},
            status=400,
        )
    return _see_other(_step_url(txn))


@csrf_exempt
@require_POST
def retrieve_bank_list(request):
    """FPXMain/RetrieveBankList: BE in, signed BC out (or ERROR)."""
    return HttpResponse(services.simulator_answer_be(data=request.POST), content_type="text/plain")


@csrf_exempt
@require_POST
def txn_status(request):
    """FPXMain/sellerNVPTxnStatus.jsp: AE in, a signed AC-format answer out (or ERROR)."""
    return HttpResponse(services.simulator_answer_ae(data=request.POST), content_type="text/plain")


class LoginForm(forms.Form):
    username = forms.CharField(label="User name", max_length=60)
    password = forms.CharField(label="Password", max_length=60, widget=forms.PasswordInput)


class TacForm(forms.Form):
    tac = forms.CharField(label="TAC", max_length=6)


class ConfirmForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome", choices=services.OUTCOMES, initial="00", widget=forms.RadioSelect
    )
    delivery = forms.ChoiceField(
        label="Direct AC to the merchant",
        choices=SimulatedTransaction.Delivery.choices,
        initial=SimulatedTransaction.Delivery.NORMAL,
        widget=forms.RadioSelect,
    )


def _bank_name(txn: SimulatedTransaction) -> str:
    bank = next((bank for bank in services.simulator_banks() if bank.fpx_id == txn.bank_id), None)
    return bank.name if bank else txn.bank_id


def _page(request, template, txn, **context):
    return render(
        request, f"payments/simulator/{template}", {"txn": txn, "bank_name": _bank_name(txn), **context}
    )


@require_http_methods(["GET", "POST"])
def login(request, token):
    txn, elsewhere = _at_step(token, Step.LOGIN)
    if elsewhere:
        return elsewhere
    if request.method == "POST" and "cancel" in request.POST:
        services.simulator_complete(txn=txn, code=services.CANCEL_AT_LOGIN)
        return redirect("fpx_simulator:done", token=token)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        SimulatedTransaction.objects.filter(pk=txn.pk, step=Step.LOGIN).update(
            step=Step.TAC, buyer_username=form.cleaned_data["username"]
        )
        return redirect("fpx_simulator:tac", token=token)
    return _page(request, "login.html", txn, form=form)


@require_http_methods(["GET", "POST"])
def tac(request, token):
    txn, elsewhere = _at_step(token, Step.TAC)
    if elsewhere:
        return elsewhere
    if request.method == "POST" and "cancel" in request.POST:
        services.simulator_complete(txn=txn, code=services.CANCEL_AT_TAC)
        return redirect("fpx_simulator:done", token=token)
    form = TacForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["tac"].strip() == txn.tac:
            SimulatedTransaction.objects.filter(pk=txn.pk, step=Step.TAC).update(step=Step.CONFIRM)
            return redirect("fpx_simulator:confirm", token=token)
        form.add_error("tac", "The TAC is not correct.")
    return _page(request, "tac.html", txn, form=form)


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    txn, elsewhere = _at_step(token, Step.CONFIRM)
    if elsewhere:
        return elsewhere
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.simulator_complete(
            txn=txn, code=form.cleaned_data["outcome"], delivery=form.cleaned_data["delivery"]
        )
        return redirect("fpx_simulator:done", token=token)
    return _page(request, "confirm.html", txn, form=form)


def done(request, token):
    """Back to the merchant: the indirect AC, posted by the browser to the merchant's indirect URL."""
    txn, elsewhere = _at_step(token, Step.DONE)
    if elsewhere:
        return elsewhere
    ac = services.build_ac(txn=txn)
    return _page(
        request,
        "done.html",
        txn,
        fields=sorted(ac.items()),
        action=settings.FPX_INDIRECT_AC_URL,
        outcome_name=codes.gateway_name(txn.outcome_code),
    )


@require_http_methods(["GET", "POST"])
def console(request):
    """The tester's console: recent transactions (settle pending ones, resend direct ACs) and bank status."""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in {"online", "offline"}:
            services.simulator_bank_set_online(fpx_id=request.POST.get("bank", ""), online=action == "online")
            transaction.on_commit(refresh_bank_list.delay)  # the portal asks for the new list (BE) at once
        elif action in {"approve", "fail"}:
            txn = get_object_or_404(SimulatedTransaction, pk=request.POST.get("txn") or 0)
            services.simulator_resolve(txn=txn, code="00" if action == "approve" else "51")
        elif action == "resend":
            txn = get_object_or_404(SimulatedTransaction, pk=request.POST.get("txn") or 0)
            services.simulator_send_direct_ac(txn_id=txn.pk, attempts=1)
        return redirect("fpx_simulator:console")
    return render(
        request,
        "payments/simulator/console.html",
        {
            "transactions": SimulatedTransaction.objects.all()[:50],
            "banks": services.simulator_banks(),
        },
    )
