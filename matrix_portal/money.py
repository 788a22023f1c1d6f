"""Money is always Decimal, built from strings, rounded half-up to sen in one place."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

SEN = Decimal("0.01")
CURRENCY = "MYR"


def quantize(value) -> Decimal:
    """Round to two decimal places, half up. Refuses floats, NaN and infinities."""
    if isinstance(value, float):
        raise TypeError("Money must not be built from a float.")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"Not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"Not a finite amount: {value!r}")
    return amount.quantize(SEN, rounding=ROUND_HALF_UP)


def format_rm(value) -> str:
    """RM 1,234.50 as printed on MATRIX pages and receipts."""
    return f"RM {quantize(value):,.2f}"


class MoneyField(models.DecimalField):
    """DecimalField(max_digits=12, decimal_places=2): the one definition of an amount column."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        return name, path, args, kwargs
