"""IOUs in the admin: read-only (money changes only through the services)."""

from django.contrib import admin

from lifecircle.ious.models import Iou, IouRepayment


class RepaymentInline(admin.TabularInline):
    model = IouRepayment
    extra = 0
    can_delete = False
    fields = ("paid_on", "amount_fen", "interest_fen", "principal_fen", "days", "auto", "entry")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Iou)
class IouAdmin(admin.ModelAdmin):
    list_display = ("id", "lender", "borrower", "principal_fen", "rate_bp", "lent_on", "due_on", "status")
    list_filter = ("status",)
    inlines = [RepaymentInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Iou._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
