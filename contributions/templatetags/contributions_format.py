"""Filters for MATRIX's printed formats: dd-mm-yyyy HH:MM:SS (Malaysia time) and RM 1,234.50."""

from django import template
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext

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


_HISTORY_ROW = (
    '<tr><td data-label="{}">{}</td><td data-label="{}">{}</td><td data-label="{}">{}</td>'
    '<td data-label="{}">{}</td><td data-label="{}">{}</td><td data-label="{}">{}</td>'
    '<td data-label="{}">{}</td><td data-label="{}">{}</td>'
    '<td data-label="{}" class="actions"><div>{}</div></td></tr>'
)


@register.simple_tag(takes_context=True)
def history_rows(context, rows):
    """The contribution history's table rows, built here rather than by a template loop: fifty rows of nine
    cells were most of the page's time. Each cell carries its column's name for the phone (card) layout."""
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
        gettext("View"),
        gettext("Download Receipt"),
        gettext("Pay Now"),
        gettext("Renew Now"),
    )
    link = '<a href="{}">{}</a>'
    out = []
    for row in rows:
        actions = [format_html(link, row.view_url, view)]
        if row.download_url:
            actions.append(format_html(link, row.download_url, download))
        if row.status == "submitted":
            actions.append(format_html(link, row.pay_url, pay))
        if row.renew_now:
            actions.append(format_html(link, row.renew_url, renew))
        cells = (
            matrix_datetime_wraps(row.coverage_start) or "–",
            matrix_datetime_wraps(row.coverage_end) or "–",
            row.sector.name.upper(),
            rm(row.plan.yearly_amount),
            ngettext("%(months)s Month(s)", "%(months)s Month(s)", row.months) % {"months": row.months},
            rm(row.amount),
            status_badge(context, "contributions/includes/contribution_status.html", row.display_status),
            status_badge(context, "contributions/includes/payment_status.html", row.payment_status),
            format_html_join(" ", "{}", ((a,) for a in actions)),
        )
        pairs = zip(labels, cells, strict=True)
        out.append(format_html(_HISTORY_ROW, *(part for pair in pairs for part in pair)))
    return format_html_join("\n", "{}", ((r,) for r in out))
