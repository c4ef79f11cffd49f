"""The sensitive-word filter for danmaku: Aho–Corasick over a configurable word list.

One automaton matches every word in a single pass over the text, however long the list, so
checking a danmaku costs O(length of the text + matches). Text and words are compared after
NFKC normalisation and case folding, keeping only letters, marks and numbers, so full-width
letters, capitals, spaces, punctuation or symbols inside a word do not slip past.

The list is ``LIFECIRCLE["LIVE_BLOCKED_WORDS_FILE"]`` (one word or phrase per line, ``#``
comments), or the built-in ``blocked_words.txt``; it is read once per process.
"""

from __future__ import annotations

import functools
import unicodedata
from collections import deque
from pathlib import Path

from django.conf import settings


def normalise(text: str) -> str:
    """What is compared: NFKC, case-folded, with everything that is not a letter, mark or
    number removed — spaces, punctuation, symbols, invisible characters — so ``加.微.信`` or
    ``f*r*e*e money`` read as the word they spell."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LMN")


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

    def find(self, text: str) -> list[str]:
        state, found = 0, []
        for ch in text:
            while state and ch not in self.goto[state]:
                state = self.fail[state]
            state = self.goto[state].get(ch, 0)
            if self.out[state]:
                found.extend(self.out[state])
        return found


def load_words(path: str | Path) -> list[str]:
    words = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word = normalise(line)
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


def blocked_words_in(text: str) -> list[str]:
    return _automaton(word_list_path()).find(normalise(text))
