"""Read-only ledger views. Money never moves from the admin: no add, change or delete."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lifecircle.wallet.models import Account, AccountShard, BankCard, IdempotencyKey, JournalEntry, Posting
from lifecircle.wallet.services.ledger import account_balance


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PostingInline(admin.TabularInline):
    model = Posting
    fields = ("account", "amount_fen")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "code", "user", "balance_fen", "exact_balance", "is_hot", "allow_negative")
    list_filter = ("kind", "is_hot")
    search_fields = ("code", "user__username", "user__mobile")
    list_select_related = ("user",)

    @admin.display(description=_("balance incl. shards (fen)"))
    def exact_balance(self, obj):
        return account_balance(obj)


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "created_at", "initiated_by", "note", "reverses")
    list_filter = ("kind",)
    date_hierarchy = "created_at"
    search_fields = ("id", "note", "initiated_by__username")
    inlines = [PostingInline]


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ("id", "entry", "account", "amount_fen")
    list_select_related = ("entry", "account")
    search_fields = ("entry__id", "account__code", "account__user__username")


@admin.register(AccountShard)
class AccountShardAdmin(ReadOnlyAdmin):
    list_display = ("account", "shard", "balance_fen")


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ("user", "operation", "key", "state", "entry", "created_at")
    list_filter = ("operation", "state")


@admin.register(BankCard)
class BankCardAdmin(ReadOnlyAdmin):
    list_display = ("user", "masked_number", "holder_name", "created_at", "removed_at")
    fields = ("user", "masked_number", "last4", "holder_name", "created_at", "removed_at")  # never the token
