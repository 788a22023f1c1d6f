"""Account forms. Every message is translatable; what was typed is kept on errors (passwords aside)."""

import phonenumbers
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber

from accounts import ic as ic_numbers
from accounts import masking
from accounts.models import User
from accounts.robot import JS_FIELD, RobotCheckField

MOBILE_INVALID = _("Enter a Malaysian mobile phone number, for example 012-345 6789.")
MOBILE_NOT_MOBILE = _(
    "This is not a mobile phone number. Enter a number that can receive SMS, e.g. 012-345 6789."
)
TERMS_REQUIRED = _("Please read and agree to the Terms and Conditions.")
PASSWORDS_DIFFER = _("The two passwords are not the same. Type the same password twice.")
PHRASE_HELP = _(
    "A few words only you know, for example “blue hibiscus morning”. We show it when you log in so you "
    "know the page is really MATRIX. Do not use your password."
)


class ICNumberField(forms.CharField):
    """12 ASCII digits, dashes and spaces allowed and removed; a real birth date; a place code in use."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("IC Number"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "inputmode": "numeric",
                "autocomplete": "username",
                "placeholder": "790811087654",
                "spellcheck": "false",
            }
        )

    def clean(self, value):
        value = super().clean(value)
        return ic_numbers.validate(value)


class MalaysianMobileField(PhoneNumberField):
    """A Malaysian mobile number in any common format, stored as E.164. Landlines and other types refused."""

    default_validators = []

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": MOBILE_INVALID})
        kwargs.setdefault("label", _("Mobile Phone Number"))
        kwargs.setdefault("region", "MY")
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "type": "tel",
                    "autocomplete": "tel-national",
                    "inputmode": "numeric",  # digits keypad; spaces, dashes and +60 are still accepted
                    "placeholder": "012-345 6789",
                }
            ),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, PhoneNumber) and value.is_valid():
            return masking.display_mobile(value)
        return super().prepare_value(value)

    def to_python(self, value):
        number = super().to_python(value)
        if number in self.empty_values:
            return number
        if not number.is_valid() or number.country_code != 60:
            raise ValidationError(MOBILE_INVALID, code="invalid")
        if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
            raise ValidationError(MOBILE_NOT_MOBILE, code="not_mobile")
        return number


class SignupForm(forms.Form):
    ic_number = ICNumberField(help_text=_("12 digits, as on your MyKad, e.g. 790811087654."))
    full_name = forms.CharField(label=_("Full Name (as in MyKad)"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    mobile = MalaysianMobileField(help_text=_("We send a 6-digit code to this number by SMS."))
    agree_terms = forms.BooleanField(
        label=_("I have read and agree to the Terms and Conditions"),
        error_messages={"required": TERMS_REQUIRED},
    )
    robot = RobotCheckField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a browser without JavaScript: no proof of work; the view holds it to the no-JS budget instead
        self.without_robot_check = bool(
            self.is_bound and self.data.get(JS_FIELD) != "1" and not self.data.get("robot")
        )
        self.fields["robot"].waived = self.without_robot_check
        self.fields["full_name"].widget.attrs.update({"autocomplete": "name", "autocapitalize": "characters"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise ValidationError(_("Enter your full name as in your MyKad."), code="required")
        return name.upper()

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class OtpForm(forms.Form):
    token = forms.CharField(
        label=_("Enter 6 - digit code"),
        max_length=12,
        error_messages={"required": _("Type the 6-digit code from the SMS.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs.update(
            {
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "spellcheck": "false",
            }
        )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not (len(token) == 6 and token.isascii() and token.isdigit()):
            raise ValidationError(_("The code is 6 digits (0 to 9), for example 123456."), code="format")
        return token


class SetPasswordFieldsMixin:
    """Password and Password Confirm, checked by Django's password validators."""

    password_user: User | None = None

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second:
            if first != second:
                self.add_error("password2", PASSWORDS_DIFFER)
            else:
                try:
                    password_validation.validate_password(first, self.password_user)
                except ValidationError as error:
                    self.add_error("password1", error)
        return cleaned


def _password_field(label):
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ActivationForm(SetPasswordFieldsMixin, forms.Form):
    secret_phrase = forms.CharField(label=_("Secret Phrase"), max_length=100, help_text=PHRASE_HELP)
    password1 = _password_field(_("Password"))
    password2 = _password_field(_("Password Confirm"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.password_user = user
        self.fields["password1"].help_text = " ".join(password_validation.password_validators_help_texts())
        self.fields["secret_phrase"].widget.attrs.update({"autocomplete": "off"})

    def clean_secret_phrase(self):
        phrase = " ".join(self.cleaned_data["secret_phrase"].split())
        if len(phrase) < 3:
            raise ValidationError(_("Your secret phrase needs at least 3 characters."), code="short")
        return phrase


class LoginIcForm(forms.Form):
    ic_number = ICNumberField(label=_("IC Number (e.g. 790811087654)"))


class LoginPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ForgotPasswordForm(forms.Form):
    ic_number = ICNumberField(label=_("IC Number (e.g. 790811087654)"))


class ResetPasswordForm(SetPasswordFieldsMixin, forms.Form):
    password1 = _password_field(_("New Password"))
    password2 = _password_field(_("Password Confirm"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.password_user = user
        self.fields["password1"].help_text = " ".join(password_validation.password_validators_help_texts())


class CurrentPasswordMixin(forms.Form):
    current_password = forms.CharField(
        label=_("Current Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language for pages, e-mail and SMS"), choices=User.Language.choices)


class ChangePasswordForm(SetPasswordFieldsMixin, CurrentPasswordMixin):
    password1 = _password_field(_("New Password"))
    password2 = _password_field(_("Password Confirm"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.password_user = user


class ChangePhraseForm(CurrentPasswordMixin):
    secret_phrase = forms.CharField(label=_("New Secret Phrase"), max_length=100, help_text=PHRASE_HELP)

    def clean_secret_phrase(self):
        phrase = " ".join(self.cleaned_data["secret_phrase"].split())
        if len(phrase) < 3:
            raise ValidationError(_("Your secret phrase needs at least 3 characters."), code="short")
        return phrase


class ChangeMobileForm(CurrentPasswordMixin):
    mobile = MalaysianMobileField(label=_("New Mobile Phone Number"))


class ChangeEmailForm(CurrentPasswordMixin):
    email = forms.EmailField(label=_("New E-mail"), max_length=254)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
