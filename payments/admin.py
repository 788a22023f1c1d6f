from django.contrib import admin

from payments.models import Bank


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["name", "fpx_id", "status", "is_listed", "status_updated_at"]
    list_filter = ["status", "is_listed"]
    search_fields = ["name", "fpx_id", "legal_name"]
