from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from contributions.models import (
    Contribution,
    Office,
    Plan,
    PostcodeRange,
    RegistrationDocument,
    Sector,
    SectorClass,
    SectorRegistration,
    State,
    Town,
)


class SectorClassInline(admin.TabularInline):
    model = SectorClass
    extra = 0


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = [
        "name_en",
        "name_ms",
        "name_zh",
        "is_mandatory",
        "mandatory_from",
        "is_active",
        "sort_order",
    ]
    list_filter = ["is_mandatory", "is_active"]
    search_fields = ["name_en", "name_ms", "name_zh", "code"]
    inlines = [SectorClassInline]


@admin.register(SectorClass)
class SectorClassAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_ms", "sector", "is_active"]
    list_filter = ["sector", "is_active"]
    search_fields = ["name_en", "name_ms", "name_zh"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["number", "insured_monthly_earning", "monthly_amount", "yearly_amount", "is_active"]


class PostcodeRangeInline(admin.TabularInline):
    model = PostcodeRange
    extra = 0


class TownInline(admin.TabularInline):
    model = Town
    extra = 0


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order"]
    search_fields = ["name", "code"]
    inlines = [PostcodeRangeInline, TownInline]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "phone", "is_active"]
    list_filter = ["state", "is_active"]
    search_fields = ["name", "address"]


# Registrations, documents and contributions (back office). Decisions are taken on the review page, which
# applies their consequences; the admin shows these records and lets staff correct contact particulars only.


class RegistrationDocumentInline(admin.TabularInline):
    model = RegistrationDocument
    extra = 0
    fields = ["kind", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SectorRegistration)
class SectorRegistrationAdmin(admin.ModelAdmin):
    list_display = ["submitted_at", "person_name", "person_ic", "sector", "state", "office", "status"]
    list_filter = ["status", "sector", "state", "office"]
    search_fields = ["=person__ic_number", "person__full_name", "=person__self_employed_code", "email"]
    date_hierarchy = "submitted_at"
    list_select_related = ["person", "sector", "state", "office"]
    raw_id_fields = ["person", "created_by", "reviewed_by"]
    readonly_fields = [
        "person",
        "sector",
        "sector_class",
        "status",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
        "rejection_reason",
        "rejection_note",
        "created_by",
    ]
    inlines = [RegistrationDocumentInline]

    @admin.display(description=_("name"), ordering="person__full_name")
    def person_name(self, obj):
        return obj.person.full_name

    @admin.display(description=_("IC number"))
    def person_ic(self, obj):
        return obj.person.ic_masked

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "person_ic", "sector", "plan", "months", "amount", "status", "coverage_end"]
    list_filter = ["status", "sector", "plan", "is_renewal"]
    search_fields = ["=person__ic_number", "person__full_name", "=person__self_employed_code"]
    date_hierarchy = "created_at"
    list_select_related = ["person", "sector", "plan"]

    @admin.display(description=_("IC number"))
    def person_ic(self, obj):
        return obj.person.ic_masked

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
