from django.contrib import admin

from matrix_portal.models import Announcement, AuditEvent


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["maintenance_start", "maintenance_end", "show_from", "is_published"]
    list_filter = ["is_published"]
    date_hierarchy = "maintenance_start"


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: audit rows are append-only."""

    list_display = ["at", "actor_label", "ip_address", "action", "target_type", "target_id", "target_repr"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "target_repr", "=target_id", "=ip_address"]
    date_hierarchy = "at"
    list_select_related = False
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
