"""Forms of the counter desk. They check what staff type; the counter services apply the rules."""

import uuid

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import ICNumberField, MalaysianMobileField
from accounts.models import User
from contributions.forms import MonthsField, PlanField
from contributions.models import Office, Plan

TOKEN_SALT = "payments.counter.cash"
TOKEN_MAX_AGE = 12 * 60 * 60  # a form left open over a working day still works; older ones do not

MESSAGE_TOKEN = _("This cash form has expired or was changed. Please open it again and re-enter the entry.")
MESSAGE_CASH_RECEIVED = _("Tick the box to confirm that you have received the cash.")
MESSAGE_OFFICE_REQUIRED = _("Choose the office you are working at.")
MESSAGE_NAME_REQUIRED = _("Enter the person's full name as in the MyKad.")
MESSAGE_PLAN_REQUIRED = _("Choose a contribution plan.")


def cash_token_issue(*, staff) -> str:
    """A server-issued idempotency key, signed and bound to the member of staff the form was shown to."""
    return signing.dumps({"k": str(uuid.uuid4()), "u": staff.pk}, salt=TOKEN_SALT, compress=True)


def cash_token_key(*, token: str, staff) -> str:
    """The idempotency key inside a token from `cash_token_issue`; ValidationError when forged or stale."""
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        key = str(uuid.UUID(str(data["k"])))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationError(MESSAGE_TOKEN, code="token") from exc
    if data.get("u") != staff.pk:
        raise ValidationError(MESSAGE_TOKEN, code="token")
    return key


class OfficeForm(forms.Form):
    office = forms.ModelChoiceField(
        queryset=Office.objects.filter(is_active=True).select_related("state"),
        label=_("Your office"),
        empty_label=_("Please Select"),
        error_messages={"required": MESSAGE_OFFICE_REQUIRED, "invalid_choice": MESSAGE_OFFICE_REQUIRED},
    )


class FindPersonForm(forms.Form):
    ic = ICNumberField(
        label=_("IC number of the person"),
        help_text=_("12 digits, with or without dashes or spaces, e.g. 790811-08-7654."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ic"].widget.attrs.update({"autocomplete": "off", "placeholder": "790811-08-7654"})


class WalkInForm(forms.Form):
    """A walk-in person's account: the particulars of the sign-up page, typed by staff from the MyKad."""

    ic_number = ICNumberField(help_text=_("As on the person's MyKad."))
    full_name = forms.CharField(label=_("Full Name (as in MyKad)"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("The activation link is sent here; the person sets a password through it."),
    )
    mobile = MalaysianMobileField()
    language = forms.ChoiceField(
        label=_("Language for e-mails and SMS"), choices=User.Language.choices, initial=User.Language.MALAY
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ic_number"].widget.attrs["autocomplete"] = "off"
        self.fields["full_name"].widget.attrs.update({"autocomplete": "off", "autocapitalize": "characters"})
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["mobile"].widget.attrs["autocomplete"] = "off"

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise ValidationError(MESSAGE_NAME_REQUIRED, code="required")
        return name.upper()

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class _CashFormMixin(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    cash_received = forms.BooleanField(
        label=_("I have received this amount in cash from the person."),
        error_messages={"required": MESSAGE_CASH_RECEIVED},
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff
        if not self.is_bound:
            self.fields["token"].initial = cash_token_issue(staff=staff)

    def clean_token(self):
        return cash_token_key(token=self.cleaned_data.get("token", ""), staff=self.staff)


class CashForm(_CashFormMixin):
    """Cash for a contribution already opened (Submitted): its months and amount are fixed."""


class RenewalCashForm(_CashFormMixin):
    """Cash for a new period of a registered sector: months, and a plan only outside the lock year."""

    plan = PlanField(required=False)
    months = MonthsField()

    field_order = ["plan", "months", "cash_received", "token"]

    def __init__(self, *args, locked_plan: Plan | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked_plan = locked_plan
        if locked_plan is not None:
            del self.fields["plan"]
        else:
            self.fields["plan"].required = True
            self.fields["plan"].error_messages["required"] = MESSAGE_PLAN_REQUIRED

    def chosen_plan(self) -> Plan:
        return self.locked_plan if self.locked_plan is not None else self.cleaned_data["plan"]


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for voiding this entry.")},
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise ValidationError(_("Give the reason for voiding this entry."), code="required")
        return reason


class ReconciliationForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        error_messages={"invalid": _("Enter a date such as 2026-11-21.")},
    )

    def chosen_date(self):
        if self.is_valid() and self.cleaned_data.get("date"):
            return self.cleaned_data["date"]
        return timezone.localdate()
