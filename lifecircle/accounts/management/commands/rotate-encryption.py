"""``manage.py rotate-encryption``: re-encrypt every stored ID number under the newest key
in ``LIFECIRCLE_FIELD_ENCRYPTION_KEYS``, after which older keys can be removed."""

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from lifecircle.accounts.models import RealNameIdentity
from lifecircle.core.crypto import rotate_text


class Command(BaseCommand):
    help = "Re-encrypt data encrypted at rest under the newest key."

    def handle(self, *args, **options):
        ids = list(RealNameIdentity.objects.values_list("pk", flat=True))
        for pk in tqdm(ids, desc="identities", unit="row", disable=options["verbosity"] == 0):
            with transaction.atomic():
                row = RealNameIdentity.objects.select_for_update().get(pk=pk)
                row.id_number_encrypted = rotate_text(row.id_number_encrypted)
                row.save(update_fields=["id_number_encrypted"])
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {len(ids)} identities under the newest key."))
