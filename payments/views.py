from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from payments.selectors import contribution_payable_for_person


@login_required
def pay_now(request, contribution_id: int):
    """PAY NOW: the amount, the terms to acknowledge and the payment type, before choosing a bank."""
    contribution = contribution_payable_for_person(person=request.user, contribution_id=contribution_id)
    return render(request, "payments/pay_now.html", {"contribution": contribution})
