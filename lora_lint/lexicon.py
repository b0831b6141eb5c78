"""Every term of every pack compiled into one lookup structure.

Literal terms are phrase keys in a dict; a caption costs one pass over its
words, extending a phrase only while it is the prefix of some longer term
(leftmost-longest matching). The few wildcard patterns are compiled into one
regular expression of literals, `\\w*` and `\\d+` only, so it runs in linear
time on any caption, whoever wrote the pack.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .tokens import WORD, join, normalize


@dataclass(frozen=True)
class Sense:
    """What a matched phrase means: its category and canonical form."""

    category: str
    canonical: str
    variant: bool  # True when the phrase is a variant of `canonical`


@dataclass(frozen=True)
class Hit:
    """One lexicon match in a caption: offsets into the caption text."""

    start: int
    end: int
    key: str
    senses: tuple[int, ...]


def compile_pattern(glob: str) -> str:
    """A safe pattern -> regex source.

    `*` is letters/digits within a word, `#` is digits, a space or hyphen is
    any run of spaces and hyphens (`# year old` matches `25-year-old`).
    """
    text = normalize(glob)
    if any(a in "*#" and b in "*#" for a, b in zip(text, text[1:])):
        raise ValueError("two wildcards side by side ('*#', '**') make a pattern ambiguous")
    parts = []
    for char in text:
        if char == "*":
            parts.append(r"[^\W_]*")
        elif char == "#":
            parts.append(r"\d+")
        elif char in " -":
            if not parts or parts[-1] != r"[\s-]+":  # one run, never two in a row
                parts.append(r"[\s-]+")
        else:
            parts.append(re.escape(char))
    return r"(?<![^\W_])" + "".join(parts) + r"(?![^\W_])"


class Lexicon:
    """Phrase keys and patterns -> senses, with a one-pass `scan`."""

    def __init__(self) -> None:
        self.senses: list[Sense] = []
        self._sense_ids: dict[Sense, int] = {}
        self.phrases: dict[str, tuple[int, ...]] = {}
        self.prefixes: set[str] = set()
        self._patterns: list[tuple[str, int]] = []
        self.pattern_regex: re.Pattern[str] | None = None

    def _sense(self, sense: Sense) -> int:
        if sense not in self._sense_ids:
            self._sense_ids[sense] = len(self.senses)
            self.senses.append(sense)
        return self._sense_ids[sense]

    def add(self, key: str, sense: Sense) -> None:
        """Add a phrase key (see `tokens.phrase_key`) with its meaning."""
        ident = self._sense(sense)
        if ident not in self.phrases.get(key, ()):
            self.phrases[key] = self.phrases.get(key, ()) + (ident,)
        prefix = ""
        for word in WORD.findall(key)[:-1]:
            prefix = join(prefix, word)
            self.prefixes.add(prefix)

    def add_pattern(self, glob: str, sense: Sense) -> None:
        """Add a wildcard pattern with its meaning."""
        self._patterns.append((compile_pattern(glob), self._sense(sense)))

    def freeze(self) -> None:
        """Compile the patterns into one expression; call once after adding."""
        if self._patterns:
            self.pattern_regex = re.compile("|".join(f"({source})" for source, _ in self._patterns))
        self._sense_ids = {}

    def scan(self, norm: str, start: int, end: int) -> list[Hit]:
        """Matches in `norm[start:end]` (a normalized segment), leftmost-longest."""
        words = [(m.group(), m.start(), m.end()) for m in WORD.finditer(norm, start, end)]
        hits, phrases, prefixes = [], self.phrases, self.prefixes
        i, count = 0, len(words)
        while i < count:
            key = words[i][0]
            best = (i, key) if key in phrases else None
            j = i + 1
            while key in prefixes and j < count:
                key = join(key, words[j][0])
                if key in phrases:
                    best = (j, key)
                j += 1
            if best is None:
                i += 1
                continue
            last, key = best
            hits.append(Hit(words[i][1], words[last][2], key, phrases[key]))
            i = last + 1
        if self.pattern_regex is not None:
            hits.extend(self._pattern_hits(norm, start, end, hits))
        return hits

    def _pattern_hits(self, norm: str, start: int, end: int, literal: list[Hit]) -> list[Hit]:
        found = []
        for m in self.pattern_regex.finditer(norm, start, end):
            if m.start() == m.end() or any(h.start < m.end() and m.start() < h.end for h in literal):
                continue
            sense = self._patterns[m.lastindex - 1][1]
            found.append(Hit(m.start(), m.end(), m.group(), (sense,)))
        return found
