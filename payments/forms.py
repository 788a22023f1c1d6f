from django import forms
from django.utils.translation import gettext_lazy as _

from payments.models import Bank

MESSAGE_ACKNOWLEDGE = _("Please tick the box to acknowledge the Terms and Conditions.")
MESSAGE_CHOOSE_BANK = _("Please select your bank.")
MESSAGE_BANK_OFFLINE = _("This bank is offline at the moment. Please choose another bank.")


class PayNowForm(forms.Form):
    acknowledge = forms.BooleanField(
        label=_("I acknowledge that I have read and agree to the above Terms and Conditions"),
        error_messages={"required": MESSAGE_ACKNOWLEDGE},
    )
    payment_type = forms.ChoiceField(
        label=_("Payment type"), choices=[("fpx", _("Internet Banking"))], initial="fpx"
    )


class BankSelect(forms.Select):
    """A bank drop-down whose offline banks are listed but cannot be chosen."""

    def __init__(self, *args, offline=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offline = set(offline)

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.offline:
            option["attrs"]["disabled"] = True
        return option


class BankForm(forms.Form):
    bank = forms.ChoiceField(label=_("Select Bank"), error_messages={"required": MESSAGE_CHOOSE_BANK})
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, banks, **kwargs):
        super().__init__(*args, **kwargs)
        self.banks = {bank.fpx_id: bank for bank in banks}
        offline = [bank.fpx_id for bank in banks if bank.status != Bank.Status.ONLINE]
        field = self.fields["bank"]
        field.choices = [("", _("Please Select"))] + [
            (bank.fpx_id, f"{bank.name} ({_('Offline')})" if bank.fpx_id in offline else bank.name)
            for bank in banks
        ]
        field.widget = BankSelect(choices=field.choices, offline=offline)
        field.error_messages["invalid_choice"] = MESSAGE_CHOOSE_BANK

    def clean_bank(self) -> Bank:
        bank = self.banks.get(self.cleaned_data["bank"])
        if bank is None:
            raise forms.ValidationError(MESSAGE_CHOOSE_BANK)
        if bank.status != Bank.Status.ONLINE:
            raise forms.ValidationError(MESSAGE_BANK_OFFLINE)
        return bank
