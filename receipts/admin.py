"""Read-only admin for receipts (IC masked) and the reminder ledger."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.ic import masked
from receipts.models import Receipt, ReminderLog


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "ic_masked", "sector_name_ms", "amount", "paid_at", "is_void"]
    list_filter = ["year", "payment_method_label"]
    search_fields = ["=number"]
    date_hierarchy = "paid_at"
    list_select_related = False
    fields = [
        "number",
        "ic_masked",
        "self_employed_code",
        "name",
        "sector_name_ms",
        "payment_method_label",
        "plan_yearly_amount",
        "months",
        "amount",
        "paid_at",
        "coverage_start",
        "coverage_end",
        "bank_name",
        "fpx_txn_id",
        "pdf_sha256",
        "issued_at",
        "voided_at",
        "void_reason",
    ]
    readonly_fields = fields

    @admin.display(description=_("No. Kad Pengenalan"))
    def ic_masked(self, obj):
        return masked(obj.ic_number)

    @admin.display(description=_("void"), boolean=True)
    def is_void(self, obj):
        return obj.voided_at is not None


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = ["contribution_id", "notice", "coverage_end", "claimed_at", "sent_at", "attempts"]
    list_filter = ["notice", ("sent_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "claimed_at"
    fields = [
        "contribution",
        "notice",
        "coverage_end",
        "claimed_at",
        "attempts",
        "email_sent_at",
        "sms_sent_at",
        "sent_at",
        "last_error",
    ]
    readonly_fields = fields
