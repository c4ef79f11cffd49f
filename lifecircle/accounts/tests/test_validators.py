import datetime as dt

import pytest
from django.utils import timezone

from lifecircle.accounts.validators import (
    id_check_char,
    mask_name,
    mobile_clean,
    pin_clean,
    resident_id_clean,
    username_clean,
)
from lifecircle.core.errors import ApplicationError

# Published GB 11643 examples and numbers whose check character was computed by hand.
VALID_IDS = [
    "11010519491231002X",  # the standard's own example, check character X
    "110105194912310029"[:17] + id_check_char("11010519491231002"),
    "440305199506021001"[:17] + id_check_char("44030519950602100"),
    "310104198811211005"[:17] + id_check_char("31010419881121100"),
]


def code_of(fn, *args, **kwargs) -> str:
    with pytest.raises(ApplicationError) as exc:
        fn(*args, **kwargs)
    return exc.value.code


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_resident_ids_pass(number):
    assert resident_id_clean(number) == number


def test_lower_case_x_and_spaces_are_normalized():
    assert resident_id_clean(" 110105 19491231 002x ") == "11010519491231002X"


def test_check_character_x_is_computed():
    assert id_check_char("11010519491231002") == "X"


@pytest.mark.parametrize("first17", ["11010519491231002", "44030519950602100", "31010419881121100"])
@pytest.mark.parametrize("shift", [1, 5, 10])
def test_wrong_check_digit_is_refused(first17, shift):
    chars = "0123456789X"
    wrong = chars[(chars.index(id_check_char(first17)) + shift) % 11]
    assert code_of(resident_id_clean, first17 + wrong) == "id_number_checksum"


@pytest.mark.parametrize(
    "first17",
    [
        "11010519490230002",  # 30 February
        "11010518991231002",  # born before 1900
        "11010519491331002",  # month 13
        "99010519491231002",  # no such province
        "00010519491231002",
    ],
)
def test_impossible_birth_dates_and_regions_are_refused(first17):
    number = first17 + id_check_char(first17)
    assert code_of(resident_id_clean, number) == "id_number_invalid"


def test_birth_date_in_the_future_is_refused():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    first17 = f"110105{tomorrow:%Y%m%d}002"
    assert code_of(resident_id_clean, first17 + id_check_char(first17)) == "id_number_invalid"


@pytest.mark.parametrize(
    "number", ["", "1101051949123100", "1101051949123100299", "1101051949123100Z9", "X10105194912310029"]
)
def test_malformed_ids_are_refused(number):
    assert code_of(resident_id_clean, number) == "id_number_invalid"


@pytest.mark.parametrize("raw", ["13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "19912345678"])
def test_mainland_mobile_numbers(raw):
    assert mobile_clean(raw) == raw.replace("+86", "").replace("0086", "").replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    "raw", ["12812345678", "1381234567", "138123456789", "23812345678", "abc", "１３８１２３４５６７８"]
)
def test_bad_mobile_numbers(raw):
    assert code_of(mobile_clean, raw) == "mobile_invalid"


@pytest.mark.parametrize("raw", ["lily_chen", "Abc1", "a" * 30])
def test_usernames(raw):
    assert username_clean(raw) == raw


@pytest.mark.parametrize("raw", ["1abc", "ab", "a" * 31, "li ly", "李明", "lily-chen"])
def test_bad_usernames(raw):
    assert code_of(username_clean, raw) == "username_invalid"


@pytest.mark.parametrize(
    "pin", ["111111", "000000", "123456", "654321", "012345", "987654", "121212", "123123", "909090"]
)
def test_trivial_pins_are_refused(pin):
    assert code_of(pin_clean, pin) == "pin_trivial"


@pytest.mark.parametrize("pin", ["12345", "1234567", "12a456", "", "１２３４５６"])
def test_pins_must_be_six_ascii_digits(pin):
    assert code_of(pin_clean, pin) == "pin_format"


def test_pins_from_the_avoid_list_are_refused():
    assert code_of(pin_clean, "900307", avoid=("900307",)) == "pin_trivial"
    assert pin_clean("258036") == "258036"


@pytest.mark.parametrize(
    ("name", "masked"), [("张明", "*明"), ("欧阳明", "**明"), ("明", "明"), ("阿依古丽·买买提", "*******提")]
)
def test_mask_name_hides_all_but_the_last_character(name, masked):
    assert mask_name(name) == masked
