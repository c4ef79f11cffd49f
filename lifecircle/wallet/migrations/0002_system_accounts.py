"""The platform's own accounts. Only bank clearing (the outside world) may go negative."""

from django.db import migrations

SYSTEM_ACCOUNTS = [
    # code, name, allow_negative
    ("bank_clearing", "Bank clearing", True),
    ("escrow", "Escrow", False),
    ("red_packet_pool", "Red-packet pool", False),
    ("fees", "Fees", False),
    ("suspense", "Suspense", False),
]


def create(apps, schema_editor):
    Account = apps.get_model("wallet", "Account")
    for code, name, allow_negative in SYSTEM_ACCOUNTS:
        Account.objects.get_or_create(
            code=code, defaults={"kind": "system", "name": name, "allow_negative": allow_negative}
        )


class Migration(migrations.Migration):
    dependencies = [("wallet", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
