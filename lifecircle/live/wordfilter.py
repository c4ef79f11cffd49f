"""The sensitive-word filter for danmaku and live events: Aho–Corasick over a configurable
word list.

One automaton matches every word in a single pass over the text, however long the list, so
checking a danmaku costs O(length of the text + matches). Text and words are compared after

- NFKC normalisation and case folding (full-width letters, capitals);
- folding Traditional Chinese characters to Simplified (OpenCC's character table), so one list
  catches 賭博 and 赌博 alike;
- dropping everything that is not a letter, mark or number — spaces, punctuation, symbols,
  invisible characters — so ``加.微.信``, ``加 微 信`` or ``f*r*e*e money`` read as the word
  they spell.

Words in alphabetic scripts (Latin, Cyrillic …) must also start where a word of the text
starts and end where one ends (a plural ``s`` allowed), so ``push it``, ``this hit`` or
``shitake`` are not taken for a swear word, while ``s h i t`` and ``FrEe   MoNeY`` still are.
Chinese has no spaces between words, so its words match anywhere.

The list is ``LIFECIRCLE["LIVE_BLOCKED_WORDS_FILE"]`` (one word or phrase per line, ``#``
comments), or the built-in ``blocked_words.txt``; it is read once per process.
"""

from __future__ import annotations

import functools
import importlib.resources
import unicodedata
from collections import deque
from pathlib import Path
from typing import NamedTuple

from django.conf import settings


@functools.cache
def _to_simplified() -> dict[int, str]:
    """OpenCC's Traditional → Simplified character table (first candidate of each)."""
    table = importlib.resources.files("opencc") / "dictionary" / "TSCharacters.txt"
    mapping = {}
    for line in table.read_text(encoding="utf-8").splitlines():
        trad, _tab, simp = line.partition("\t")
        simp = simp.split(" ")[0]
        if len(trad) == 1 and len(simp) == 1:
            mapping[ord(trad)] = simp
    return mapping


def _alphabetic(ch: str) -> bool:
    """A script that writes spaces between words (below the CJK blocks)."""
    return ord(ch) < 0x2E80


class Normalised(NamedTuple):
    text: str  # the letters, marks and numbers, folded
    starts: list[bool]  # a word of the text starts at this character

    def ends_at(self, i: int) -> bool:
        """A word of the text ends at character ``i`` (the next one starts another, or none)."""
        return i + 1 == len(self.text) or self.starts[i + 1]


def normalise(text: str) -> Normalised:
    """What is compared (see the module docstring), with where the text's words start and end:
    at anything dropped, and where the script changes between alphabetic and CJK."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_to_simplified())
    out: list[str] = []
    starts: list[bool] = []
    gap, prev_alpha = True, None
    for ch in folded:
        if unicodedata.category(ch)[0] not in "LMN":
            gap = True
            continue
        alpha = _alphabetic(ch)
        out.append(ch)
        starts.append(gap or alpha != prev_alpha)
        gap, prev_alpha = False, alpha
    return Normalised("".join(out), starts)


class AhoCorasick:
    """Build once from words; ``find(text)`` returns the words found in ``text``."""

    def __init__(self, words):
        self.goto: list[dict[str, int]] = [{}]
        self.fail: list[int] = [0]
        self.out: list[list[str]] = [[]]
        for word in words:
            self._add(word)
        self._link()

    def _add(self, word: str) -> None:
        state = 0
        for ch in word:
            nxt = self.goto[state].get(ch)
            if nxt is None:
                nxt = len(self.goto)
                self.goto[state][ch] = nxt
                self.goto.append({})
                self.fail.append(0)
                self.out.append([])
            state = nxt
        self.out[state].append(word)

    def _link(self) -> None:
        queue = deque(self.goto[0].values())
        while queue:
            state = queue.popleft()
            for ch, nxt in self.goto[state].items():
                queue.append(nxt)
                f = self.fail[state]
                while f and ch not in self.goto[f]:
                    f = self.fail[f]
                target = self.goto[f].get(ch, 0)
                self.fail[nxt] = target if target != nxt else 0
                self.out[nxt] = self.out[nxt] + self.out[self.fail[nxt]]

    def find(self, text: str) -> list[tuple[int, str]]:
        """Every (index of the last character, word) found in ``text``."""
        state, found = 0, []
        for i, ch in enumerate(text):
            while state and ch not in self.goto[state]:
                state = self.fail[state]
            state = self.goto[state].get(ch, 0)
            for word in self.out[state]:
                found.append((i, word))
        return found


def load_words(path: str | Path) -> list[str]:
    words = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word = normalise(line).text
            if word:
                words.append(word)
    return words


@functools.cache
def _automaton(path: str) -> AhoCorasick:
    return AhoCorasick(load_words(path))


def word_list_path() -> str:
    return settings.LIFECIRCLE["LIVE_BLOCKED_WORDS_FILE"] or str(
        Path(__file__).with_name("blocked_words.txt")
    )


def _whole_words(n: Normalised, first: int, last: int) -> bool:
    """Alphabetic ends of a match sit on the text's word boundaries (a plural s allowed)."""
    t = n.text
    if _alphabetic(t[first]) and not n.starts[first]:
        return False
    if _alphabetic(t[last]) and not n.ends_at(last):
        return t[last + 1] == "s" and n.ends_at(last + 1)  # a plural
    return True


def blocked_words_in(text: str) -> list[str]:
    n = normalise(text)
    return [
        word
        for last, word in _automaton(word_list_path()).find(n.text)
        if _whole_words(n, last - len(word) + 1, last)
    ]
