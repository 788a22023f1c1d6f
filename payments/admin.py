from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts import ic as ic_numbers
from payments.models import Bank, CashVoid, GatewayMessage, Payment, PaymentStatusChange


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["name", "fpx_id", "status", "is_listed", "status_updated_at"]
    list_filter = ["status", "is_listed"]
    search_fields = ["name", "fpx_id", "legal_name"]


class PaymentStatusChangeInline(admin.TabularInline):
    model = PaymentStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "at", "source", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Read-only: payments change only through the gateway results and the counter."""

    list_display = [
        "seller_order_no",
        "exchange_order_no",
        "method",
        "status",
        "amount",
        "bank",
        "created_at",
    ]
    list_filter = ["method", "status"]
    search_fields = ["seller_order_no", "exchange_order_no", "fpx_txn_id"]
    inlines = [PaymentStatusChangeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GatewayMessage)
class GatewayMessageAdmin(admin.ModelAdmin):
    """The audit trail of every FPX message in and out."""

    list_display = [
        "received_at",
        "direction",
        "msg_type",
        "channel",
        "exchange_order_no",
        "signature_valid",
        "note",
    ]
    list_filter = ["direction", "msg_type", "channel", "signature_valid"]
    search_fields = ["exchange_order_no"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CashVoid)
class CashVoidAdmin(admin.ModelAdmin):
    """Read-only: a void is made at the counter by a supervisor and is never edited or removed.

    Searched by receipt number or by the person's IC number (typed with or without dashes); the IC is
    shown masked, as everywhere in the admin.
    """

    list_display = [
        "voided_at",
        "receipt_number",
        "person_ic",
        "person_name",
        "amount",
        "taken_at",
        "taken_by",
        "voided_by_name",
        "reason",
    ]
    list_filter = ["voided_at", ("payment__office", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "=payment__receipt__number",
        "=payment__contribution__person__ic_number",
        "payment__contribution__person__full_name",
    ]
    search_help_text = _("Receipt number, IC number or name.")
    date_hierarchy = "voided_at"
    list_select_related = [
        "payment__receipt",
        "payment__contribution__person",
        "payment__staff",
        "payment__office",
        "voided_by",
    ]
    fields = readonly_fields = list_display

    @admin.display(description=_("receipt no."), ordering="payment__receipt__number")
    def receipt_number(self, obj):
        receipt = getattr(obj.payment, "receipt", None)
        return receipt.number if receipt is not None else "-"

    @admin.display(description=_("IC number"))
    def person_ic(self, obj):
        return obj.payment.contribution.person.ic_masked

    @admin.display(description=_("name"), ordering="payment__contribution__person__full_name")
    def person_name(self, obj):
        return obj.payment.contribution.person.full_name

    @admin.display(description=_("amount"), ordering="payment__amount")
    def amount(self, obj):
        return obj.payment.amount

    @admin.display(description=_("office"), ordering="payment__office__name")
    def taken_at(self, obj):
        return obj.payment.office.name if obj.payment.office_id else "-"

    @admin.display(description=_("counter staff"))
    def taken_by(self, obj):
        return obj.payment.staff.full_name if obj.payment.staff_id else "-"

    @admin.display(description=_("voided by"), ordering="voided_by__full_name")
    def voided_by_name(self, obj):
        return obj.voided_by.full_name

    def get_search_results(self, request, queryset, search_term):
        """An IC typed as 790811-08-7654 finds the same entries as 790811087654."""
        compact = ic_numbers.normalise(search_term)
        if len(compact) == 12 and compact.isdigit():
            search_term = compact
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
