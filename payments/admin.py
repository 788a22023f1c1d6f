from django.contrib import admin

from payments.models import Bank, GatewayMessage, Payment, PaymentStatusChange


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
