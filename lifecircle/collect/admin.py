"""Read-only views for operators: collections, their shares and pay requests. Nothing is
changed from the admin — money moves only through the services."""

from django.contrib import admin

from lifecircle.collect.models import Collection, PayRequest, Share
from lifecircle.wallet.admin import ReadOnlyAdmin


class ShareInline(admin.TabularInline):
    model = Share
    fields = ("position", "member", "amount_fen", "paid_at", "paid_by", "entry", "reminded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Collection)
class CollectionAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "organiser", "split", "total_fen", "status", "created_at", "closed_at")
    list_filter = ("status", "split")
    search_fields = ("title", "organiser__username")
    list_select_related = ("organiser",)
    inlines = [ShareInline]


@admin.register(PayRequest)
class PayRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "requester", "payer", "amount_fen", "status", "created_at", "expires_at", "entry")
    list_filter = ("status",)
    search_fields = ("requester__username", "payer__username")
    list_select_related = ("requester", "payer")
