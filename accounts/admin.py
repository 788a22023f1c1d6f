"""Admin for accounts. The whole admin site requires a superuser with a verified django-otp device."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from accounts import services
from accounts.models import LoginEvent, SignupRequest, User


class SuperuserOTPAdminSite(OTPAdminSite):
    """django-otp's admin site (a verified second factor), for superusers only: staff roles work in the
    back office and at the counter, and now that every staff session is verified, django-otp's own check
    alone would let any member of staff browse the admin with their role's model permissions."""

    def has_permission(self, request):
        return super().has_permission(request) and request.user.is_superuser


# django-otp's documented way to require a second factor on the default admin site.
admin.site.__class__ = SuperuserOTPAdminSite


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("ic_number", "full_name", "email")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ["-date_joined"]
    list_display = [
        "masked_ic",
        "full_name",
        "email",
        "mobile",
        "is_active",
        "is_staff",
        "date_joined",
        "last_login",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups", "language"]
    search_fields = ["ic_number", "full_name", "email", "mobile"]
    readonly_fields = ["last_login", "date_joined", "activated_at"]
    actions = ["disable_accounts"]
    fieldsets = (
        (None, {"fields": ("ic_number", "password")}),
        (
            _("Personal details"),
            {"fields": ("full_name", "email", "mobile", "language", "self_employed_code")},
        ),
        (_("Secret phrase"), {"fields": ("secret_phrase",)}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("date_joined", "activated_at", "last_login")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("ic_number", "full_name", "email", "usable_password", "password1", "password2"),
            },
        ),
    )

    @admin.display(description=_("IC number"), ordering="ic_number")
    def masked_ic(self, obj):
        return obj.ic_masked

    def save_model(self, request, obj, form, change):
        was_active = change and User.objects.filter(pk=obj.pk, is_active=True).exists()
        super().save_model(request, obj, form, change)
        if was_active and not obj.is_active:
            services.user_disable(user=obj)

    @admin.action(description=_("Disable the selected accounts and end their sessions"))
    def disable_accounts(self, request, queryset):
        count = 0
        for user in queryset:
            services.user_disable(user=user)
            count += 1
        self.message_user(request, _("%(count)d account(s) disabled.") % {"count": count}, messages.SUCCESS)


@admin.register(SignupRequest)
class SignupRequestAdmin(admin.ModelAdmin):
    list_display = ["masked_ic", "full_name", "created_at", "completed_at"]
    list_filter = ["completed_at"]
    search_fields = ["ic_number", "email"]
    readonly_fields = [f.name for f in SignupRequest._meta.fields]

    @admin.display(description=_("IC number"), ordering="ic_number")
    def masked_ic(self, obj):
        return obj.ic_number[:6] + "-**-****"

    def has_add_permission(self, request):
        return False


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    list_display = ["user", "succeeded", "ip_address", "created_at"]
    list_filter = ["succeeded"]
    date_hierarchy = "created_at"
    readonly_fields = ["user", "succeeded", "ip_address", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
