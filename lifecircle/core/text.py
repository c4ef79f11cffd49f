"""Cleaning text people type: what every service does to names, messages, titles and notes
before checking their length.

Control characters (NUL, escape codes …) and invisible format characters are removed — they
cannot be seen, can fake an empty title, and PostgreSQL refuses NUL in text outright. The
zero-width joiner stays (it builds emoji like 👨‍👩‍👧). Text made only of characters that
draw nothing (joiners, Hangul fillers, the blank braille pattern, spaces) is empty. One-line
text has its whitespace runs collapsed to single spaces; multi-line text keeps its line
breaks and is trimmed.
"""

from __future__ import annotations

import unicodedata

_KEEP = {"\u200d"}  # zero-width joiner: part of emoji sequences
# Letters and symbols that draw nothing (Hangul fillers, the blank braille pattern): text made
# only of these, the joiner and spaces is empty.
_BLANK = {"\u200d", "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def _visible(ch: str, multiline: bool) -> bool:
    if ch in _KEEP:
        return True
    if multiline and ch in "\n\t":
        return True
    return unicodedata.category(ch) not in ("Cc", "Cf") or ch.isspace()


def ascii_digits(text: str) -> bool:
    """Only 0–9. (``str.isdigit()`` is also true for ², ٣ or １, which ``int()`` rejects or reads
    as a number nobody typed.)"""
    return text.isascii() and text.isdigit()


def plain_text(value, *, multiline: bool = False) -> str:
    text = "".join(ch for ch in str(value or "") if _visible(ch, multiline))
    if all(ch in _BLANK or ch.isspace() for ch in text):
        return ""
    if multiline:
        return text.strip()
    return " ".join(text.split())
