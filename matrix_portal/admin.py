from django.contrib import admin

from matrix_portal.models import Announcement


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["maintenance_start", "maintenance_end", "show_from", "is_published"]
    list_filter = ["is_published"]
    date_hierarchy = "maintenance_start"
