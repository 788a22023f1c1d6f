from django import forms
from django.utils.translation import gettext_lazy as _

from contributions.models import Office, Sector, SectorRegistration, State
from contributions.review import MESSAGE_NOTE_REQUIRED, MESSAGE_REASON_REQUIRED, RejectionReason


class ReviewQueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=SectorRegistration.Status.choices, required=False)
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), required=False, empty_label=_("All sectors")
    )
    state = forms.ModelChoiceField(
        label=_("State"), queryset=State.objects.all(), required=False, empty_label=_("All states")
    )
    office = forms.ModelChoiceField(
        label=_("PERKESO office"),
        queryset=Office.objects.all(),
        required=False,
        empty_label=_("All offices"),
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status") or SectorRegistration.Status.SUBMITTED,
            "sector": data.get("sector"),
            "state": data.get("state"),
            "office": data.get("office"),
        }


class ApproveForm(forms.Form):
    documents_verified = forms.BooleanField(
        label=_("Documents verified: the IC and licence match the IC number, name and sector on the form."),
        error_messages={"required": _("Tick this box to confirm you have checked the documents.")},
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for rejection"),
        choices=[("", _("Choose a reason")), *RejectionReason.choices],
        error_messages={"required": MESSAGE_REASON_REQUIRED, "invalid_choice": MESSAGE_REASON_REQUIRED},
    )
    note = forms.CharField(
        label=_("Details"),
        help_text=_("Required when the reason is “Other”. The person will read this."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == RejectionReason.OTHER and not (cleaned.get("note") or "").strip():
            self.add_error("note", MESSAGE_NOTE_REQUIRED)
        return cleaned
