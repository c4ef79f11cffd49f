"""Every user-facing string is translated into all three languages.

Two checks: each catalog translates each of its messages (none empty, none fuzzy), and
every string marked for translation in the code and templates is in the catalogs — so a
new ``_("…")`` without a translation fails here, not in front of a user.
"""

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = {
    lang: ROOT / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in ("en", "zh_Hans", "zh_Hant")
}
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
}
SOURCE_DIRS = ["lifecircle", "config", "templates"]


def load(lang):
    with open(CATALOGS[lang], "rb") as fh:
        return read_po(fh)


def source_msgids() -> set[str]:
    found: set[str] = set()
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*"):
            if "tests" in path.parts or "testing" in path.parts or "migrations" in path.parts:
                continue
            if path.suffix == ".py":
                code = path.read_bytes()
            elif path.suffix in (".html", ".txt") and ("templates" in path.parts):
                code = templatize(path.read_text(encoding="utf-8")).encode()
            else:
                continue
            for _lineno, message, _comments, _context in extract(
                "python", io.BytesIO(code), keywords=KEYWORDS
            ):
                found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("lang", CATALOGS)
def test_every_message_is_translated(lang):
    catalog = load(lang)
    untranslated = [
        m.id
        for m in catalog
        if m.id and (m.fuzzy or not (m.string if isinstance(m.string, str) else all(m.string)))
    ]
    assert untranslated == [], f"{lang}: {len(untranslated)} untranslated: {untranslated[:10]}"


@pytest.mark.parametrize("lang", CATALOGS)
def test_no_unreviewed_fuzzy_guesses(lang):
    """gettext's fuzzy matches ("Card number" guessed from "ID number") leave a previous-msgid
    trail; one that survives means a guess went out as a translation."""
    guessed = [
        m.id for m in load(lang) if m.id and (m.previous_id or any("| msgid" in c for c in m.user_comments))
    ]
    assert guessed == [], f"{lang}: unreviewed guesses: {guessed[:10]}"


def test_every_string_in_the_code_is_in_every_catalog():
    wanted = source_msgids()
    assert len(wanted) > 50
    for lang in CATALOGS:
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in load(lang) if m.id}
        missing = sorted(wanted - have)
        assert missing == [], f"{lang} lacks {len(missing)} strings (run `make messages`): {missing[:10]}"


def test_chinese_catalogs_differ_from_english_and_from_each_other():
    en, hans, hant = (load(lang) for lang in ("en", "zh_Hans", "zh_Hant"))
    hans_by_id = {m.id: m.string for m in hans if m.id}
    hant_by_id = {m.id: m.string for m in hant if m.id}
    same_as_english = [m.id for m in hans if m.id and m.string == m.id]
    assert len(same_as_english) < 5, same_as_english  # only brand-like strings may stay as they are
    assert hans_by_id["Log in"] != hant_by_id["Log in"]
    assert len({m.id for m in en if m.id}) == len(hans_by_id) == len(hant_by_id)
