"""Forms of the self-employed area. They validate input; the services apply the rules and write."""

import re

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from accounts import ic as ic_numbers
from contributions.documents import MESSAGE_EMPTY, inspect_upload, safe_name
from contributions.models import Office, Plan, RegistrationDocument, Sector, SectorClass, State, Town
from contributions.services import (
    MESSAGE_CLASS_OF_OTHER_SECTOR,
    MESSAGE_MONTHS,
    MESSAGE_SECTOR_ALREADY_REGISTERED,
)

PLEASE_SELECT = _("Please Select")
MONTH_CHOICES = [(str(n), str(n)) for n in range(1, 13)]
ACCEPT = "image/jpeg,image/png,image/gif,application/pdf,.jpg,.jpeg,.png,.gif,.pdf"

MESSAGE_NOT_ELIGIBLE = _(
    "Only Malaysian citizens and permanent residents can join the scheme, "
    "so you are not eligible to register."
)
MESSAGE_POSTCODE_FORMAT = _("Enter the 5 digits of your post code, for example 50400.")
MESSAGE_POSTCODE_STATE = _("Post code %(postcode)s is not in %(state)s. Check the post code or the state.")
MESSAGE_TOWN_STATE = _("Choose a city in %(state)s.")
MESSAGE_MOBILE = _("Enter a Malaysian mobile phone number, for example 012-345 6789.")
MESSAGE_ACKNOWLEDGE = _("Tick the box to certify that the particulars given are true.")
ACKNOWLEDGEMENT = _(
    "I hereby certify to the best of my knowledge and belief that all particulars given are true."
)
MESSAGE_SECTOR_REQUIRED = _("Choose the sector you work in.")
MESSAGE_PLAN_REQUIRED = _("Choose a contribution plan.")

SELF_EMPLOYED_STATUS_CHOICES = [
    ("", PLEASE_SELECT),
    ("full_time", _("Full-time")),
    ("part_time", _("Part-time")),
    ("others", _("Others")),
]
NATIONALITY_CHOICES = [
    ("", PLEASE_SELECT),
    ("malaysian", _("Malaysian")),
    ("permanent_resident", _("Permanent Resident")),
    ("other", _("Other (not a Malaysian citizen or permanent resident)")),
]
RACE_CHOICES = [
    ("", PLEASE_SELECT),
    ("malay", _("Malay")),
    ("chinese", _("Chinese")),
    ("indian", _("Indian")),
    ("bumiputera_sabah", _("Bumiputera Sabah")),
    ("bumiputera_sarawak", _("Bumiputera Sarawak")),
    ("orang_asli", _("Orang Asli")),
    ("others", _("Others")),
]
GENDER_CHOICES = [("", PLEASE_SELECT), ("male", _("Male")), ("female", _("Female"))]
LABELS = {
    "self_employed_status": dict(SELF_EMPLOYED_STATUS_CHOICES),
    "nationality": dict(NATIONALITY_CHOICES),
    "race": dict(RACE_CHOICES),
    "gender": dict(GENDER_CHOICES),
}


def choice_label(field_name: str, value: str) -> str:
    """The label of a stored choice, as shown on VIEW CONTRIBUTION."""
    return LABELS[field_name].get(value, value)


class MonthsField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Contribution Months"))
        super().__init__(
            choices=[("", PLEASE_SELECT), *MONTH_CHOICES],
            coerce=int,
            error_messages={"required": MESSAGE_MONTHS, "invalid_choice": MESSAGE_MONTHS},
            **kwargs,
        )


class PlanField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Plan.objects.filter(is_active=True).order_by("number"),
            label=_("Contribution Plan"),
            widget=forms.RadioSelect,
            empty_label=None,
            error_messages={"required": MESSAGE_PLAN_REQUIRED, "invalid_choice": MESSAGE_PLAN_REQUIRED},
            **kwargs,
        )


class SectorChoiceForm(forms.Form):
    """Step 1: which sector to register."""

    sector = forms.ModelChoiceField(
        queryset=Sector.objects.filter(is_active=True).order_by("sort_order"),
        label=_("Sector"),
        empty_label=PLEASE_SELECT,
        error_messages={"required": MESSAGE_SECTOR_REQUIRED, "invalid_choice": MESSAGE_SECTOR_REQUIRED},
    )

    def __init__(self, *args, registered_sector_ids: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.registered_sector_ids = registered_sector_ids
        self.fields["sector"].label_from_instance = self.sector_label

    def sector_label(self, sector: Sector) -> str:
        if sector.pk in self.registered_sector_ids:
            return _("%(sector)s (registered)") % {"sector": sector.name.upper()}
        return sector.name.upper()

    def clean_sector(self):
        sector = self.cleaned_data["sector"]
        if sector.pk in self.registered_sector_ids:
            raise ValidationError(MESSAGE_SECTOR_ALREADY_REGISTERED, code="already_registered")
        return sector


class DocumentField(forms.FileField):
    widget = forms.FileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Maximum size 3 MBytes. File Supported: jpeg,png,gif,pdf"))
        super().__init__(error_messages={"empty": MESSAGE_EMPTY}, **kwargs)
        self.widget.attrs.update({"accept": ACCEPT})

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        return inspect_upload(uploaded) if uploaded else None


class TownChoiceField(forms.ModelChoiceField):
    """The city, listed in groups by state so that it works without JavaScript."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Town.objects.select_related("state").order_by("state__sort_order", "name"),
            label=_("City"),
            **kwargs,
        )

    def group_by_state(self) -> None:
        groups: dict[str, list] = {}
        for town in self.queryset:
            groups.setdefault(town.state.name, []).append((town.pk, town.name))
        self.choices = [("", PLEASE_SELECT), *groups.items()]


class RegistrationForm(forms.Form):
    """Step 2: the registration form of the seed, for one sector."""

    self_employed_status = forms.ChoiceField(
        label=_("Status Self-Employed Person"), choices=SELF_EMPLOYED_STATUS_CHOICES
    )
    nationality = forms.ChoiceField(label=_("Nationality"), choices=NATIONALITY_CHOICES)
    race = forms.ChoiceField(label=_("Race"), choices=RACE_CHOICES)
    gender = forms.ChoiceField(label=_("Gender"), choices=GENDER_CHOICES)
    address_line1 = forms.CharField(
        label=_("Address Line 1"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_line2 = forms.CharField(
        label=_("Address Line 2"),
        max_length=150,
        required=False,
        help_text=_("Leave it blank if your address is not that long."),
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    state = forms.ModelChoiceField(
        queryset=State.objects.order_by("sort_order", "name"), label=_("State"), empty_label=PLEASE_SELECT
    )
    town = TownChoiceField()
    postcode = forms.CharField(
        label=_("Post Code"),
        max_length=5,
        min_length=5,
        error_messages={"min_length": MESSAGE_POSTCODE_FORMAT, "max_length": MESSAGE_POSTCODE_FORMAT},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "postal-code",
                "pattern": "[0-9]{5}",
                "maxlength": 5,
            }
        ),
    )
    house_phone = PhoneNumberField(
        label=_("House Phone Number"),
        region="MY",
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "numeric"}),
    )
    mobile = PhoneNumberField(
        label=_("Mobile Phone Number"),
        region="MY",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "numeric"}),
    )
    email = forms.EmailField(
        label=_("E-mail Address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    office = forms.ModelChoiceField(
        queryset=Office.objects.filter(is_active=True).select_related("state"),
        label=_("Preferred PERKESO Branch For Services"),
        empty_label=PLEASE_SELECT,
        help_text=_("Select the PERKESO branch nearest or most convenient to you."),
    )
    sector_class = forms.ModelChoiceField(
        queryset=SectorClass.objects.none(),
        label=_("Class"),
        empty_label=PLEASE_SELECT,
        error_messages={"invalid_choice": MESSAGE_CLASS_OF_OTHER_SECTOR},
    )
    doc_ic = DocumentField(label=RegistrationDocument.Kind.IDENTITY_CARD.label)
    doc_licence = DocumentField(label=RegistrationDocument.Kind.LICENCE.label)
    doc_other = DocumentField(label=RegistrationDocument.Kind.OTHER.label, required=False)
    plan = PlanField()
    months = MonthsField()
    acknowledge = forms.BooleanField(
        label=ACKNOWLEDGEMENT,
        error_messages={"required": MESSAGE_ACKNOWLEDGE},
    )

    DOCUMENT_FIELDS = {
        "doc_ic": RegistrationDocument.Kind.IDENTITY_CARD,
        "doc_licence": RegistrationDocument.Kind.LICENCE,
        "doc_other": RegistrationDocument.Kind.OTHER,
    }
    PARTICULARS = (
        "self_employed_status",
        "nationality",
        "race",
        "gender",
        "address_line1",
        "address_line2",
        "state",
        "town",
        "postcode",
        "house_phone",
        "mobile",
        "email",
        "office",
    )

    def __init__(self, *args, person, sector: Sector, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.sector = sector
        self.fields["gender"].initial = ic_numbers.gender(person.ic_number)
        self.fields["mobile"].initial = person.mobile
        self.fields["email"].initial = person.email
        self.fields["nationality"].initial = "malaysian"
        self.fields["sector_class"].queryset = SectorClass.objects.filter(sector=sector, is_active=True)
        self.fields["sector_class"].label_from_instance = lambda sector_class: sector_class.name
        self.fields["town"].group_by_state()

    def clean_nationality(self):
        nationality = self.cleaned_data["nationality"]
        if nationality not in {"malaysian", "permanent_resident"}:
            raise ValidationError(MESSAGE_NOT_ELIGIBLE, code="not_eligible")
        return nationality

    def clean_mobile(self):
        mobile = self.cleaned_data["mobile"]
        kind = phonenumbers.number_type(mobile)
        if kind not in {
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        }:
            raise ValidationError(MESSAGE_MOBILE, code="not_mobile")
        return mobile

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if not re.fullmatch(r"[0-9]{5}", postcode, re.ASCII):
            raise ValidationError(MESSAGE_POSTCODE_FORMAT, code="postcode_format")
        return postcode

    def clean(self):
        cleaned = super().clean()
        state, town, postcode = cleaned.get("state"), cleaned.get("town"), cleaned.get("postcode")
        if state and town and town.state_id != state.pk:
            self.add_error("town", ValidationError(MESSAGE_TOWN_STATE, params={"state": state.name}))
        if state and postcode and not state.accepts_postcode(postcode):
            self.add_error(
                "postcode",
                ValidationError(MESSAGE_POSTCODE_STATE, params={"postcode": postcode, "state": state.name}),
            )
        return cleaned

    def particulars(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.PARTICULARS}
        data["mobile"] = data["mobile"].as_e164
        data["house_phone"] = data["house_phone"].as_e164 if data["house_phone"] else ""
        return data

    def documents(self) -> dict:
        return {
            kind: self.cleaned_data[name]
            for name, kind in self.DOCUMENT_FIELDS.items()
            if self.cleaned_data.get(name) is not None
        }

    def chosen_file_names(self, files) -> list[str]:
        """Names of the files that were sent with a refused form, so the page can ask for them again."""
        return [safe_name(files[name].name) for name in self.DOCUMENT_FIELDS if name in files]


class RenewalForm(forms.Form):
    """Renewal: months, and a plan only when the lock year is over."""

    plan = PlanField(required=False)
    months = MonthsField()
    acknowledge = forms.BooleanField(
        label=ACKNOWLEDGEMENT,
        error_messages={"required": MESSAGE_ACKNOWLEDGE},
    )

    def __init__(self, *args, locked_plan: Plan | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked_plan = locked_plan
        if locked_plan is not None:
            del self.fields["plan"]
        else:
            self.fields["plan"].required = True

    def chosen_plan(self) -> Plan:
        return self.locked_plan if self.locked_plan is not None else self.cleaned_data["plan"]
