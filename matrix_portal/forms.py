from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from contributions.models import Plan
from matrix_portal.benefits import SEED_AGE_FACTOR_UNDER_20


class BenefitEstimateForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Contribution plan"),
        queryset=Plan.objects.filter(is_active=True),
        empty_label=None,
        to_field_name="number",
    )
    assessment_percent = forms.DecimalField(
        label=_("Assessed loss of earning capacity (%)"),
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        decimal_places=2,
        initial=Decimal(20),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    age_factor = forms.IntegerField(
        label=_("Age factor"),
        min_value=1,
        max_value=99999,
        initial=SEED_AGE_FACTOR_UNDER_20,
        help_text=_(
            "PERKESO sets the age factor from your age when injured; its example for under 20 is 8873."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    funeral_cost = forms.DecimalField(
        label=_("Actual funeral cost (RM)"),
        min_value=Decimal(0),
        max_value=Decimal("1000000"),
        decimal_places=2,
        initial=Decimal("2500.00"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
