import datetime as dt
import logging

import pytest
from django.db import connection
from django.utils import timezone

from lifecircle.accounts import selectors, services
from lifecircle.accounts.models import PaymentPin, RealNameIdentity, User
from lifecircle.core.crypto import decrypt_text
from lifecircle.core.errors import ApplicationError
from lifecircle.core.testing.asserts import raises_code
from lifecircle.core.testing.concurrency import run_threads
from lifecircle.core.testing.factories import PASSWORD, PIN, make_user, resident_id

pytestmark = pytest.mark.django_db


def test_identity_is_stored_encrypted_and_only_the_last_four_digits_are_kept_in_clear():
    user = make_user("lily_chen")
    number = resident_id(seq=123)
    identity = services.identity_verify(user=user, legal_name="张明", id_number=number)
    assert identity.id_last4 == number[-4:]
    assert decrypt_text(identity.id_number_encrypted) == number
    # Raw rows: the ID number appears nowhere, in any column of any table.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                assert not any(number in str(value) or number[:17] in str(value) for value in row), table


def test_one_id_number_verifies_one_account_and_one_account_verifies_once():
    number = resident_id(seq=7)
    services.identity_verify(user=make_user("lily_chen"), legal_name="张明", id_number=number)
    raises_code(
        "identity_in_use",
        services.identity_verify,
        user=make_user("bob_wong"),
        legal_name="张明",
        id_number=number.lower(),
    )
    user = User.objects.get(username="lily_chen")
    raises_code(
        "identity_already_verified",
        services.identity_verify,
        user=user,
        legal_name="张明",
        id_number=resident_id(seq=8),
    )
    assert RealNameIdentity.objects.count() == 1


def test_bad_identity_input_changes_nothing():
    user = make_user("lily_chen")
    raises_code(
        "legal_name_invalid", services.identity_verify, user=user, legal_name="x", id_number=resident_id()
    )
    raises_code(
        "id_number_checksum",
        services.identity_verify,
        user=user,
        legal_name="张明",
        id_number="110105194912310021",
    )
    assert not RealNameIdentity.objects.exists()


def test_the_id_number_is_never_logged(caplog):
    caplog.set_level(logging.DEBUG)
    number = resident_id(seq=55)
    services.identity_verify(user=make_user("lily_chen"), legal_name="张明", id_number=number)
    assert number not in caplog.text


def test_display_name_shows_the_real_name_to_the_user_and_masks_it_for_others():
    lily = make_user("lily_chen", nickname="Lily", verified=True, legal_name="欧阳明")
    stranger = make_user("bob_wong")
    assert str(selectors.display_name_for(lily, lily)) == "Lily (欧阳明)"
    seen = selectors.display_name_for(stranger, lily)
    assert (seen.real_name, seen.real_name_masked, str(seen)) == ("**明", True, "Lily (**明)")
    assert selectors.display_name_for(None, lily).real_name == "**明"
    assert str(selectors.display_name_for(lily, stranger)) == "bob_wong"


def test_pin_set_change_needs_the_login_password():
    user = make_user("lily_chen")
    services.pin_set(user=user, pin=PIN)
    services.pin_verify(user=user, pin=PIN)
    raises_code("password_incorrect", services.pin_set, user=user, pin="147036")
    raises_code("password_incorrect", services.pin_set, user=user, pin="147036", password="wrong")
    services.pin_set(user=user, pin="147036", password=PASSWORD)
    services.pin_verify(user=user, pin="147036")
    raises_code("pin_incorrect", services.pin_verify, user=user, pin=PIN)


def test_pin_may_not_be_the_owners_birthday_or_id_tail():
    user = make_user("lily_chen")  # born 1990-03-07
    number = next(n for n in (resident_id(seq=s) for s in range(100, 200)) if n[-1] != "X")
    services.identity_verify(user=user, legal_name="张明", id_number=number)
    user = User.objects.select_related("identity").get(pk=user.pk)
    for trivial in ("900307", "030790", "070390", number[-6:]):
        raises_code("pin_trivial", services.pin_set, user=user, pin=trivial)
    assert not PaymentPin.objects.filter(user=user).exists()


def test_pin_is_hashed_with_argon2():
    user = make_user("lily_chen", pin=PIN)
    assert user.payment_pin.pin_hash.startswith("$argon2id$")
    assert PIN not in user.payment_pin.pin_hash


def test_pin_verify_without_a_pin():
    raises_code("pin_not_set", services.pin_verify, user=make_user("lily_chen"), pin=PIN)


def test_five_wrong_pins_lock_payments_for_three_hours_even_with_the_right_pin():
    user = make_user("lily_chen", pin=PIN)
    remaining = [
        raises_code("pin_incorrect", services.pin_verify, user=user, pin="000001").extra["remaining_attempts"]
        for _ in range(4)
    ]
    assert remaining == [4, 3, 2, 1]
    err = raises_code("pin_locked", services.pin_verify, user=user, pin="000001")
    assert err.status == 403
    unlocks = dt.datetime.fromisoformat(err.extra["unlocks_at"])
    assert dt.timedelta(hours=2, minutes=59) < unlocks - timezone.now() <= dt.timedelta(hours=3)
    raises_code("pin_locked", services.pin_verify, user=user, pin=PIN)
    # Three hours later the right PIN works again, and the count starts afresh.
    PaymentPin.objects.filter(user=user).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    services.pin_verify(user=user, pin=PIN)
    assert (
        raises_code("pin_incorrect", services.pin_verify, user=user, pin="000001").extra["remaining_attempts"]
        == 4
    )


def test_a_right_pin_resets_the_wrong_count():
    user = make_user("lily_chen", pin=PIN)
    for _ in range(3):
        raises_code("pin_incorrect", services.pin_verify, user=user, pin="000001")
    services.pin_verify(user=user, pin=PIN)
    assert (
        raises_code("pin_incorrect", services.pin_verify, user=user, pin="000001").extra["remaining_attempts"]
        == 4
    )


def test_changing_the_pin_with_the_password_lifts_a_lock():
    user = make_user("lily_chen", pin=PIN)
    for _ in range(5):
        with pytest.raises(ApplicationError):
            services.pin_verify(user=user, pin="000001")
    services.pin_set(user=user, pin="147036", password=PASSWORD)
    services.pin_verify(user=user, pin="147036")


def test_the_lock_duration_is_a_setting(settings):
    settings.LIFECIRCLE = {**settings.LIFECIRCLE, "PIN_MAX_FAILURES": 2, "PIN_LOCK_SECONDS": 60}
    user = make_user("lily_chen", pin=PIN)
    raises_code("pin_incorrect", services.pin_verify, user=user, pin="000001")
    err = raises_code("pin_locked", services.pin_verify, user=user, pin="000001")
    assert dt.datetime.fromisoformat(err.extra["unlocks_at"]) - timezone.now() <= dt.timedelta(seconds=60)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_pins_are_all_counted():
    """12 threads guess at once: the row lock serialises them, so exactly 4 see
    'pin_incorrect', the 5th locks, and every later one is refused as locked."""
    user = make_user("lily_chen", pin=PIN)
    results = run_threads(12, lambda _i: services.pin_verify(user=user, pin="000001"))
    codes = [r.code for r in results if isinstance(r, ApplicationError)]
    assert sorted(codes) == ["pin_incorrect"] * 4 + ["pin_locked"] * 8
    raises_code("pin_locked", services.pin_verify, user=user, pin=PIN)
