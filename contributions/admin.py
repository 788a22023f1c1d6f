from django.contrib import admin

from contributions.models import Office, Plan, PostcodeRange, Sector, SectorClass, State, Town


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
