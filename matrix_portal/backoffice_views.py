"""Back office pages: the staff home, refunds, the audit trail and the operations dashboard."""

import csv
import json
from decimal import Decimal

from django import forms
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts import ic as ic_numbers
from accounts.roles import COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR, role_names
from contributions.models import Sector, State
from contributions.review import rejection_reason_label
from matrix_portal import backoffice_selectors as selectors
from matrix_portal.audit import audit_record
from matrix_portal.models import AuditEvent
from matrix_portal.staff import staff_role_required
from matrix_portal.timeutil import format_datetime

AUDIT_PAGE_SIZE = 50
CSV_MAX_ROWS = 50_000
CSV_DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DASHBOARD_TOTALS = (
    "online_count",
    "online_amount",
    "cash_count",
    "cash_amount",
    "voided_count",
    "voided_amount",
)


def csv_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(CSV_DANGEROUS_PREFIXES) else text


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        yield writer.writerow([csv_cell(cell) for cell in header])
        for row in rows:
            yield writer.writerow([csv_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@staff_role_required(COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR)
def home(request):
    return render(request, "backoffice/home.html", {"roles": role_names(request.user)})


# Refunds ---------------------------------------------------------------------------------------------


@require_GET
@staff_role_required(SUPERVISOR)
def refunds(request):
    payments = selectors.refund_list()
    context = {"payments": payments, "total": selectors.refund_total(payments)}
    return render(request, "backoffice/refunds.html", context)


@require_GET
@staff_role_required(SUPERVISOR)
def refunds_csv(request):
    payments = selectors.refund_list()
    audit_record(action=AuditEvent.Action.EXPORT, request=request, after={"export": "refunds"})
    header = [
        _("Why"),
        _("Rejected at"),
        _("Name"),
        _("IC number"),
        _("Self-employed code"),
        _("Sector"),
        _("Rejection reason"),
        _("Payment method"),
        _("Seller order no."),
        _("Receipt no."),
        _("Paid at"),
        _("Amount (RM)"),
    ]

    def rows():
        for payment in payments.iterator(chunk_size=500):
            contribution = payment.contribution
            registration = contribution.registration
            receipt = getattr(payment, "receipt", None)
            rejected = registration.status == registration.Status.REJECTED
            paid = payment.status == payment.Status.PAID
            yield [
                _("Registration rejected") if paid else _("Approved by the bank too late"),
                format_datetime(registration.reviewed_at) if rejected else "",
                contribution.person.full_name,
                ic_numbers.formatted(contribution.person.ic_number),
                contribution.person.self_employed_code or "",
                contribution.sector.name,
                rejection_reason_label(registration),
                payment.get_method_display(),
                payment.seller_order_no,
                receipt.number if receipt else "",
                format_datetime(payment.paid_at or payment.updated_at),
                f"{payment.amount:.2f}",
            ]

    return csv_response("refunds.csv", header, rows())


# Audit trail -----------------------------------------------------------------------------------------


class AuditFilterForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Who or what"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Part of a staff name, a record, or a record id."),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[("", gettext_lazy("All actions")), *AuditEvent.Action.choices],
    )
    ip_address = forms.GenericIPAddressField(label=gettext_lazy("IP address"), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


def _audit_events(request):
    form = AuditFilterForm(request.GET or None)
    return form, selectors.audit_event_search(**form.filters())


@require_GET
@staff_role_required(SUPERVISOR)
def audit(request):
    form, events = _audit_events(request)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "backoffice/audit.html", {"form": form, "page": page, "query": query.urlencode()})


@require_GET
@staff_role_required(SUPERVISOR)
def audit_csv(request):
    form, events = _audit_events(request)
    audit_record(
        action=AuditEvent.Action.EXPORT, request=request, after={"export": "audit", **form.filters()}
    )
    header = [
        _("When"),
        _("Who"),
        _("IP address"),
        _("Action"),
        _("Record type"),
        _("Record id"),
        _("Record"),
    ]
    header += [_("Before"), _("After")]

    def rows():
        for event in events[:CSV_MAX_ROWS].iterator(chunk_size=1000):
            yield [
                format_datetime(event.at),
                event.actor_label,
                event.ip_address or "",
                event.action_label,
                event.target_type,
                event.target_id,
                event.target_repr,
                "" if event.before is None else _json(event.before),
                "" if event.after is None else _json(event.after),
            ]

    return csv_response("audit.csv", header, rows())


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# Operations dashboard --------------------------------------------------------------------------------

CHART_HEIGHT = 160
CHART_BAR = 8
CHART_GAP = 3


def payments_chart(days: list[dict]) -> dict:
    """Stacked columns (online below, cash above) scaled to the busiest day, as numbers for an inline SVG."""
    peak = max((day["online_amount"] + day["cash_amount"] for day in days), default=Decimal("0"))
    scale = Decimal(CHART_HEIGHT) / peak if peak else Decimal("0")
    bars = []
    for index, day in enumerate(days):
        online = float(day["online_amount"] * scale)
        cash = float(day["cash_amount"] * scale)
        bars.append(
            {
                "day": day["day"],
                "x": index * (CHART_BAR + CHART_GAP),
                "online_y": round(CHART_HEIGHT - online, 2),
                "online_height": round(online, 2),
                "cash_y": round(CHART_HEIGHT - online - cash, 2),
                "cash_height": round(cash, 2),
                "online_amount": day["online_amount"],
                "cash_amount": day["cash_amount"],
            }
        )
    return {
        "width": max(len(days) * (CHART_BAR + CHART_GAP) - CHART_GAP, 1),
        "height": CHART_HEIGHT,
        "bar": CHART_BAR,
        "peak": peak,
        "bars": bars,
    }


@require_GET
@staff_role_required(SUPERVISOR)
def ops(request):
    now = timezone.now()
    days = selectors.payments_per_day(days=30, now=now)
    by_sector = selectors.registrations_per(Sector, "sector")
    by_state = selectors.registrations_per(State, "state")
    queue = selectors.review_queue_summary()
    pending = selectors.pending_fpx_summary()
    totals = {
        key: sum((day[key] for day in days), start=Decimal("0") if key.endswith("amount") else 0)
        for key in DASHBOARD_TOTALS
    }
    context = {
        "now": now,
        "days": days,
        "totals": totals,
        "chart": payments_chart(days),
        "by_sector": by_sector,
        "sector_peak": max((row["total"] for row in by_sector), default=0) or 1,
        "by_state": by_state,
        "state_peak": max((row["total"] for row in by_state), default=0) or 1,
        "queue": queue,
        "pending": pending,
        "reminders": selectors.reminders_sent(days=30, now=now),
    }
    return render(request, "backoffice/ops.html", context)
