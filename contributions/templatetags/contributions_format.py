"""Filters for MATRIX's printed formats: dd-mm-yyyy HH:MM:SS (Malaysia time) and RM 1,234.50."""

from django import template
from django.utils import timezone, translation
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from matrix_portal.money import format_rm, quantize
from matrix_portal.timeutil import DATETIME_FORMAT, format_date, format_datetime

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


@register.simple_tag
def coverage_timeline(item):
    """One sector's coverage timeline (SVG) and its list of covered periods and gaps, for the dashboard.

    Built here rather than in the template: a person with years of monthly periods has hundreds of segments,
    and the template engine spent most of the dashboard's time on this loop. The texts are the same
    translatable messages the template used.
    """
    segments = item.segments
    rects = format_html_join(
        "",
        '<rect class="{}" x="{}" y="6" width="{}" height="16"></rect>',
        (
            ("timeline__gap" if s.is_gap else "timeline__covered", f"{s.x:.1f}", f"{s.width:.1f}")
            for s in segments
        ),
    )
    title_id = f"tl-{item.registration.pk}"
    svg = format_html(
        '<svg class="timeline" viewBox="0 0 1000 28" preserveAspectRatio="none" role="img" '
        'aria-labelledby="{}"><title id="{}">{}</title>'
        '<rect class="timeline__track" x="0" y="6" width="1000" height="16"></rect>{}'
        '<rect class="timeline__now" x="{}" y="0" width="3" height="28"></rect></svg>',
        title_id,
        title_id,
        gettext("Coverage timeline: covered periods and gaps"),
        rects,
        f"{item.now_x:.1f}",
    )
    covered, not_covered = gettext("Covered"), gettext("Not covered")
    legend = format_html(
        '<p class="timeline__legend note"><span class="key key--covered"></span> {} '
        '<span class="key key--gap"></span> {} <span class="key key--now"></span> {}</p>',
        covered,
        not_covered,
        gettext("Today"),
    )
    items = []
    for s in segments:
        if s.until_now:
            since = gettext("since %(since)s") % {"since": format_datetime(s.start)}
            days = ngettext("%(days)s day so far", "%(days)s days so far", s.days) % {"days": s.days}
            text = f"{since} ({days})"
        else:
            days = ngettext("%(days)s day", "%(days)s days", s.days) % {"days": s.days}
            text = f"{format_datetime(s.start)} – {format_datetime(s.end)} ({days})"
        items.append(
            ("periods__gap" if s.is_gap else "periods__covered", not_covered if s.is_gap else covered, text)
        )
    periods = format_html_join("", '<li class="{}"><strong>{}</strong> {}</li>', items)
    return format_html('{}{}<ol class="periods">{}</ol>', svg, legend, periods)


def _wrapping_datetime(value, tz) -> str:
    """matrix_datetime_wraps for one value, in the time zone `tz` (looked up once per table)."""
    if not value:
        return ""
    date, _, time = timezone.localtime(value, tz).strftime(DATETIME_FORMAT).partition(" ")
    date, time = escape(date), escape(time)
    return f'<span><span class="nowrap">{date}</span> <span class="nowrap">{time}</span></span>'


@register.simple_tag(takes_context=True)
def history_rows(context, rows):
    """The contribution history's table rows, built here rather than by a template loop: fifty rows of nine
    cells were most of the page's time. Each cell carries its column's name for the phone (card) layout.

    Plain string building: what varies per row is escaped once here (format_html per cell cost more than
    the rest of the page); the column names, link texts and status badges are made once per table.
    """
    # literal messages, so that makemessages finds them here
    labels = (
        gettext("Start Date Time"),
        gettext("Expiry Date Time"),
        gettext("Sector"),
        gettext("Contribution Plan"),
        gettext("Number of Contribution Months"),
        gettext("Contribution Amount"),
        gettext("Contribution Status"),
        gettext("Payment Status"),
        gettext("Action"),
    )
    view, download, pay, renew = (
        escape(gettext("View")),
        escape(gettext("Download Receipt")),
        escape(gettext("Pay Now")),
        escape(gettext("Renew Now")),
    )
    opening = [f'<td data-label="{escape(label)}">' for label in labels]
    opening[-1] = f'<td data-label="{escape(labels[-1])}" class="actions"><div>'
    tz = timezone.get_current_timezone()
    badges = {}

    def badge(template_name: str, status) -> str:
        key = (template_name, status)
        if key not in badges:
            badges[key] = conditional_escape(status_badge(context, template_name, status))
        return badges[key]

    out = []
    for row in rows:
        actions = [f'<a href="{escape(row.view_url)}">{view}</a>']
        if row.download_url:
            actions.append(f'<a href="{escape(row.download_url)}">{download}</a>')
        if row.status == "submitted":
            actions.append(f'<a href="{escape(row.pay_url)}">{pay}</a>')
        if row.renew_now:
            actions.append(f'<a href="{escape(row.renew_url)}">{renew}</a>')
        months = ngettext("%(months)s Month(s)", "%(months)s Month(s)", row.months) % {"months": row.months}
        cells = (
            _wrapping_datetime(row.coverage_start, tz) or "–",
            _wrapping_datetime(row.coverage_end, tz) or "–",
            escape(row.sector.name.upper()),
            escape(rm(row.plan.yearly_amount)),
            escape(months),
            escape(rm(row.amount)),
            badge("contributions/includes/contribution_status.html", row.display_status),
            badge("contributions/includes/payment_status.html", row.payment_status),
            " ".join(actions),
        )
        parts = ["<tr>"]
        for start, cell in zip(opening, cells, strict=True):
            parts += (start, cell, "</td>")
        parts[-1] = "</div></td></tr>"
        out.append("".join(parts))
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
