from django import template

from accounts import ic as ic_numbers
from accounts.roles import role_names
from matrix_portal.money import format_rm
from matrix_portal.timeutil import format_datetime

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_roles(context) -> set[str]:
    request = context.get("request")
    return role_names(request.user) if request is not None else set()


@register.filter
def masked_ic(value: str) -> str:
    return ic_numbers.masked(value or "")


@register.filter
def myt(value) -> str:
    """dd-mm-yyyy HH:MM:SS in Malaysian time."""
    return format_datetime(value)


@register.filter
def rm(value) -> str:
    return format_rm(value if value is not None else "0")


@register.filter
def percent_of(value, peak) -> int:
    return round(100 * (value or 0) / peak) if peak else 0
