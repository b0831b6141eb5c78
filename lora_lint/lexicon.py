"""Every term of every pack compiled into one lookup structure.

Literal terms are phrase keys in a dict; a segment costs one pass over its
words, extending a phrase only while it is the prefix of some longer term
(leftmost-longest matching). Tags repeat across a dataset, so each distinct
segment is scanned once and its hits remembered. The few wildcard patterns are compiled into one
regular expression of literals, `\\w*` and `\\d+` only, so it runs in linear
time on any caption, whoever wrote the pack.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import NamedTuple

from .tokens import CJK_CHAR, WORD, join, normalize, trim


@dataclass(frozen=True)
class Sense:
    """What a matched phrase means: its category and canonical form."""

    category: str
    canonical: str
    variant: bool  # True when the phrase is a variant of `canonical`


class Hit(NamedTuple):
    """One lexicon match in a caption: offsets into the caption text."""

    start: int
    end: int
    key: str
    senses: tuple[int, ...]


MEMO_LIMIT = 200_000  # distinct segments remembered; prose makes many, tags few


def _masked(norm: str, literal: list[Hit]) -> str:
    """The segment with the CJK characters of literal hits blanked out: with no
    spaces between Chinese words, a wildcard would otherwise run over them
    (`*笑` swallowing the `黑髮` of `黑髮微笑`)."""
    if not literal or not CJK_CHAR.search(norm):
        return norm
    chars = list(norm)
    for hit in literal:
        for index in range(hit.start, hit.end):
            if CJK_CHAR.match(chars[index]):
                chars[index] = " "
    return "".join(chars)


def compile_pattern(glob: str) -> str:
    """A safe pattern -> regex source.

    `*` is letters/digits within a word, `#` is digits, a space or hyphen is
    any run of spaces and hyphens (`# year old` matches `25-year-old`).
    """
    text = normalize(glob)
    if any(a in "*#" and b in "*#" for a, b in zip(text, text[1:])):
        raise ValueError("two wildcards side by side ('*#', '**') make a pattern ambiguous")
    if any(sum(word.count(w) for w in "*#") > 1 for word in re.split(r"[\s-]+", text)):
        # one wildcard a word keeps matching linear: `*a*a*b` would backtrack without end on a long word
        raise ValueError("a word of a pattern holds one wildcard at most ('*a*' is two)")
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
    # a match starts and ends on a letter or digit, never inside a word
    return r"(?<![^\W_])(?=[^\W_])" + "".join(parts) + r"(?<=[^\W_])(?![^\W_])"


class Lexicon:
    """Phrase keys and patterns -> senses; `segment_hits` and `pattern_hits` find them."""

    def __init__(self) -> None:
        self.senses: list[Sense] = []
        self._sense_ids: dict[Sense, int] = {}
        self.phrases: dict[str, tuple[int, ...]] = {}
        self.prefixes: set[str] = set()
        self._patterns: list[tuple[str, int, str]] = []  # regex source, sense, a literal it needs
        self.pattern_regex: re.Pattern[str] | None = None
        self.pattern_anchors: tuple[str, ...] = ()
        self._memo: dict[str, tuple] = {}
        self._pieces: dict[str, tuple] = {}

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
        anchor = max(re.split(r"[*# -]+", normalize(glob)), key=len)
        self._patterns.append((compile_pattern(glob), self._sense(sense), anchor))

    def freeze(self) -> None:
        """Compile the patterns into one expression; call once after adding."""
        if self._patterns:
            self.pattern_regex = re.compile("|".join(f"({source})" for source, _, _ in self._patterns))
            # most captions contain none of the patterns' literal words: test those first
            self.pattern_anchors = tuple({anchor for _, _, anchor in self._patterns})
        self._sense_ids = {}

    def segment_hits(self, segment: str) -> tuple[tuple[Hit, ...], tuple[tuple[str, int, int], ...]]:
        """Hits (literal terms and patterns) and words of one normalized
        segment, offsets relative to it."""
        known = self._memo.get(segment)
        if known is None:
            words = tuple((m[0], *m.span()) for m in WORD.finditer(segment))
            known = (tuple(self.with_patterns(segment, self._longest(words))), words)
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[segment] = known
        return known

    def piece_hits(self, piece: str) -> tuple:
        """What `segment_hits` says of the segment inside a piece of a caption
        (the text between two breaks), with where the segment starts and ends
        in it: (start, end, hits, words), or () for a blank piece. Pieces repeat
        across a dataset as tags do: one lookup cuts and matches them."""
        known = self._pieces.get(piece)
        if known is None:
            span = trim(piece)
            known = (*span, *self.segment_hits(piece[span[0] : span[1]])) if span is not None else ()
            if len(self._pieces) >= MEMO_LIMIT:
                self._pieces.clear()
            self._pieces[piece] = known
        return known

    def _longest(self, words) -> list[Hit]:
        hits, phrases, prefixes = [], self.phrases, self.prefixes
        i, count = 0, len(words)
        while i < count:
            key = words[i][0]
            best, best_key = (i, key) if key in phrases else (-1, "")
            j = i + 1
            while key in prefixes and j < count:
                key = join(key, words[j][0])
                if key in phrases:
                    best, best_key = j, key
                j += 1
            if best < 0 or self._reached_past(words, i, best):
                i += 1
                continue
            hits.append(Hit(words[i][1], words[best][2], best_key, phrases[best_key]))
            i = best + 1
        return hits

    def _reached_past(self, words, start: int, end: int) -> bool:
        """Whether a term starting inside words[start..end] reaches past `end`:
        in "black hair ribbon" the accessory wins over the hair colour, in
        "in profile view" the angle over "in profile"."""
        phrases, prefixes = self.phrases, self.prefixes
        for k in range(start + 1, end + 1):
            key, j = words[k][0], k + 1
            while key in prefixes and j < len(words):
                key = join(key, words[j][0])
                if key in phrases and j > end:
                    return True
                j += 1
        return False

    def with_patterns(self, norm: str, literal: list[Hit]) -> list[Hit]:
        """The literal hits of a normalized segment plus its pattern matches.

        Longest wins, as for literal terms: a pattern match drops the literal
        hits inside it, and gives way to a literal hit reaching beyond it.
        """
        if self.pattern_regex is None or not any(anchor in norm for anchor in self.pattern_anchors):
            return literal
        found = self._pattern_hits(norm, literal)
        if not found:
            return literal
        starts = [p.start for p in found]  # pattern matches do not overlap: the one that may hold h starts last before it
        kept = []
        for h in literal:
            index = bisect.bisect_right(starts, h.start) - 1
            p = found[index] if index >= 0 else None
            if p is None or not (h.end <= p.end and h.end - h.start < p.end - p.start):
                kept.append(h)
        return sorted(kept + found, key=lambda h: h.start)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("_memo", "_pieces")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._memo, self._pieces = {}, {}

    def _pattern_hits(self, norm: str, literal: list[Hit]) -> list[Hit]:
        found = []
        starts, ends = [h.start for h in literal], [h.end for h in literal]  # literal hits are sorted and apart
        for m in self.pattern_regex.finditer(_masked(norm, literal)):
            start, end = m.span()
            overlapping = literal[bisect.bisect_right(ends, start) : bisect.bisect_left(starts, end)]
            if start == end or any(not (start <= h.start and h.end <= end and h.end - h.start < end - start) for h in overlapping):
                continue  # a literal term as long or longer wins
            sense = self._patterns[m.lastindex - 1][1]
            found.append(Hit(start, end, m.group(), (sense,)))
        return found
