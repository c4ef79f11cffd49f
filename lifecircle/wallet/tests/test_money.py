"""lifecircle.core.money: what a person types becomes fen; fen is shown per language."""

from __future__ import annotations

import pytest
from django.utils import translation

from lifecircle.core.errors import ApplicationError
from lifecircle.core.money import MAX_AMOUNT_FEN, amount_check, fen_to_yuan_str, format_fen, parse_yuan


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12", 1200),
        ("12.5", 1250),
        ("12.05", 1205),
        ("0.01", 1),
        ("¥1,234.56", 123456),
        ("CN¥ 3", 300),
        (" 7.10 ", 710),
        ("￥8", 800),
    ],
)
def test_parse_yuan_reads_what_people_type(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("0", "amount_not_positive"),
        ("0.00", "amount_not_positive"),
        ("-1", "amount_not_positive"),
        ("1.234", "amount_invalid"),
        ("1e3", "amount_invalid"),
        ("abc", "amount_invalid"),
        ("", "amount_invalid"),
        ("NaN", "amount_invalid"),
        ("999999999999.99", "amount_too_large"),
        ("1234567890123", "amount_invalid"),
    ],
)
def test_parse_yuan_refuses_bad_amounts_with_a_field_code(text, code):
    with pytest.raises(ApplicationError) as exc:
        parse_yuan(text)
    assert exc.value.code == code and "amount" in exc.value.fields


@pytest.mark.parametrize("value", [0, -1, 1.0, 1.5, True, "5", None, MAX_AMOUNT_FEN + 1])
def test_amount_check_accepts_only_positive_whole_fen(value):
    with pytest.raises(ApplicationError):
        amount_check(value)
    assert amount_check(MAX_AMOUNT_FEN) == MAX_AMOUNT_FEN


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "CN¥1,234.50"), ("zh-hans", "¥1,234.50"), ("zh-hant", "CN¥1,234.50")],
)
def test_format_fen_follows_the_active_language(language, expected):
    with translation.override(language):
        assert format_fen(123450) == expected
    assert format_fen(-5, language).endswith("0.05")


def test_fen_to_yuan_str():
    assert [fen_to_yuan_str(v) for v in (0, 5, 1234, -1205)] == ["0.00", "0.05", "12.34", "-12.05"]
