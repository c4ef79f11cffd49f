from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import ApiToken, RealNameIdentity, User


class IdentityInline(admin.StackedInline):
    model = RealNameIdentity
    can_delete = False
    fields = ("legal_name", "id_last4", "verified_at")  # never the encrypted number or fingerprint
    readonly_fields = fields
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "mobile", "nickname", "is_verified_display", "date_joined", "is_active")
    search_fields = ("username", "mobile", "nickname")
    list_filter = ("is_active", "is_staff", "language")
    fieldsets = (
        (None, {"fields": ("username", "mobile", "password")}),
        (_("Profile"), {"fields": ("nickname", "language", "avatar")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    inlines = [IdentityInline]

    @admin.display(boolean=True, description=_("Verified"))
    def is_verified_display(self, obj):
        return hasattr(obj, "identity")


@admin.register(RealNameIdentity)
class RealNameIdentityAdmin(admin.ModelAdmin):
    list_display = ("user", "legal_name", "id_last4", "verified_at")
    fields = ("user", "legal_name", "id_last4", "verified_at")
    readonly_fields = fields
    search_fields = ("user__username", "legal_name", "id_last4")

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
