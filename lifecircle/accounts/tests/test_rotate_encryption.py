import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from lifecircle.accounts import services
from lifecircle.accounts.models import RealNameIdentity
from lifecircle.core import crypto
from lifecircle.core.errors import ApplicationError
from lifecircle.core.testing.factories import make_user, resident_id

pytestmark = pytest.mark.django_db


def test_rotating_keys_keeps_ids_readable_and_unique(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    number = resident_id(seq=31)
    services.identity_verify(user=make_user("lily_chen"), legal_name="张明", id_number=number)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate-encryption", verbosity=0)
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    row = RealNameIdentity.objects.get()
    assert crypto.decrypt_text(row.id_number_encrypted) == number
    with pytest.raises(ApplicationError) as exc:  # still one account per ID after rotation
        services.identity_verify(user=make_user("bob_wong"), legal_name="张明", id_number=number)
    assert exc.value.code == "identity_in_use"
