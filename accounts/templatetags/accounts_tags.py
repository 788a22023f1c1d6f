from django import template

from accounts import masking

register = template.Library()


@register.filter
def mobile_display(value) -> str:
    """+60123456789 -> 012-345 6789"""
    return masking.display_mobile(value)
