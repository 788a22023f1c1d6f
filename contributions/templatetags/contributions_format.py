"""Filters for MATRIX's printed formats: dd-mm-yyyy HH:MM:SS (Malaysia time) and RM 1,234.50."""

from django import template

from matrix_portal.money import format_rm, quantize
from matrix_portal.timeutil import format_date, format_datetime

register = template.Library()


@register.filter
def matrix_datetime(value):
    return format_datetime(value)


@register.filter
def matrix_date(value):
    return format_date(value)


@register.filter
def rm(value):
    return format_rm(value) if value is not None else ""


@register.filter
def rm_whole(value):
    """RM 1,050: insured monthly earnings, printed without sen as the seed prints them."""
    return f"RM {quantize(value):,.0f}" if value is not None else ""
