"""Filters for MATRIX's printed formats: dd-mm-yyyy HH:MM:SS (Malaysia time) and RM 1,234.50."""

from django import template
from django.utils import translation
from django.utils.html import format_html

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


@register.simple_tag(takes_context=True)
def status_badge(context, template_name: str, status):
    """`{% include template_name with status=status %}`, rendered once per status in a page.

    For tables: a status badge depends only on the status and the language, so the history's 50 rows reuse
    the few different badges instead of rendering the include 100 times. Only for includes that read
    nothing but `status` (contributions/includes/contribution_status.html and payment_status.html).
    """
    rendered = context.render_context.get("status_badges")
    if rendered is None:
        rendered = context.render_context["status_badges"] = {}
    key = (template_name, status, translation.get_language())
    if key not in rendered:
        template = context.template.engine.get_template(template_name)
        rendered[key] = template.render(context.new({"status": status}))
    return rendered[key]


@register.filter
def matrix_datetime_wraps(value):
    """matrix_datetime for narrow table cells: it may break between the date and the time, never inside the
    date (whose hyphens would otherwise be line-break points)."""
    text = format_datetime(value) if value else ""
    if not text:
        return ""
    date, _, time = text.partition(" ")
    # one outer element: the phone layout makes each child of a cell a grid item of its own
    return format_html(
        '<span><span class="nowrap">{}</span> <span class="nowrap">{}</span></span>', date, time
    )
