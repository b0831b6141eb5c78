"""The map step: a caption file's bytes become facts, once.

`read_caption` decodes (noting a BOM, a legacy encoding, binary junk or an
empty file); `Caption` holds the text cut into segments, the lexicon hits
with their offsets and where the trigger is. Facts depend only on the
caption bytes, the compiled packs and the trigger, so they can be computed
anywhere and cached.
"""
from __future__ import annotations

import bisect
import os
import re
from functools import lru_cache
from dataclasses import dataclass, field

from .lexicon import Hit, Lexicon
from .tokens import SEGMENT_BREAK, normalize, words



_FIRST_READ = 16384  # bytes asked for first: a caption is almost always shorter


def read_bytes(path: str) -> bytes:
    """A file's bytes through the OS calls alone: no file object is made, which
    halves the cost of reading a small caption (5 µs with `open`, under 3 here)."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        data = os.read(handle, _FIRST_READ)
        if not data:
            return data
        parts = [data]
        while block := os.read(handle, 1 << 16):  # until the end: a short read is not proof of it
            parts.append(block)
        return data if len(parts) == 1 else b"".join(parts)
    finally:
        os.close(handle)


@dataclass
class Decoded:
    """A caption file's text, and what was wrong with its bytes."""

    text: str
    problems: tuple[str, ...] = ()  # "bom", "binary", "empty", "encoding"
    encoding: str = "utf-8"


def decode(data: bytes) -> Decoded:
    """Decode caption bytes, never failing: problems are noted, not raised."""
    problems: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):  # dropped: columns count as an editor shows them
        problems.append("bom")
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        return Decoded(data[2:].decode(encoding, errors="replace"), ("encoding",), encoding)
    if b"\x00" in data or _mostly_control(data):
        return Decoded("", ("binary",), "binary")
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = _guess_encoding(data)
        text = data.decode(encoding, errors="replace")
        problems.append("encoding")
    if not text.strip():
        problems.append("empty")
    return Decoded(text, tuple(problems), encoding)


_PRINTABLE = bytes(range(32, 256)) + b"\t\n\r"


def _mostly_control(data: bytes) -> bool:
    sample = data[:4096]
    controls = len(sample.translate(None, _PRINTABLE))
    return bool(sample) and controls * 10 > len(sample)


_CJK_TEXT = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _guess_encoding(data: bytes) -> str:
    """The legacy encoding a caption was most likely saved in.

    East Asian encodings are tried strictly first: Western text almost never
    decodes as one of them and also yields CJK characters. Otherwise
    charset-normalizer chooses among the Western ones.
    """
    for encoding in ("gb18030", "big5", "shift_jis", "euc_kr"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_CJK_TEXT.findall(text)) >= 2:
            return encoding
    from charset_normalizer import from_bytes  # only for the rare non-UTF-8 caption

    best = from_bytes(data, cp_isolation=["cp1252", "cp1251"]).best()  # Western or Cyrillic Windows
    return best.encoding if best is not None else "latin-1"


@dataclass
class Caption:
    """Facts about one caption: segments, lexicon hits, trigger spans."""

    path: str
    text: str
    problems: tuple[str, ...] = ()
    norm: str = ""  # the text lower-cased, underscores as spaces (same offsets)
    encoding: str = "utf-8"
    error: str = ""  # why the file could not be read ("unreadable" in problems)
    segments: list[tuple[int, int]] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    trigger_spans: list[tuple[int, int]] = field(default_factory=list)
    trigger_phrases: list[tuple[int, int]] = field(default_factory=list)  # trigger + class word
    segment_words: list[tuple] = field(default_factory=list)  # per segment: (word, start, end) relative to it
    line_starts: list[int] = field(default_factory=lambda: [0])

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both from 1, of a character offset."""
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def line_end(self, line: int) -> int:
        """The offset where a line's text ends (before its line break)."""
        end = self.line_starts[line] - 1 if line < len(self.line_starts) else len(self.text)
        return end - 1 if end > 0 and self.text[end - 1 : end] == "\r" and end - 1 >= self.line_starts[line - 1] else end

    def segment_of(self, offset: int) -> tuple[int, int]:
        """The (start, end) of the segment that holds an offset."""
        index = bisect.bisect_right(self.segments, (offset, float("inf"))) - 1  # segments are sorted (start, end) pairs
        return self.segments[max(index, 0)]


def analyse(path: str, data: bytes, lexicon: Lexicon, trigger: str = "", klass: str = "") -> Caption:
    """Decode and analyse one caption (the map step)."""
    decoded = decode(data)
    text = decoded.text
    caption = Caption(path, text, problems=decoded.problems, encoding=decoded.encoding)
    if "binary" in decoded.problems:
        return caption
    if "\n" in text:
        caption.line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
    norm = caption.norm = normalize(text)
    wanted = _words_of(trigger)
    hits: list[Hit] = []
    found: list = []  # the words of segments that may hold the trigger, None between segments
    spans, segment_words_of, piece_hits, position = caption.segments, caption.segment_words, lexicon.piece_hits, 0
    for piece in SEGMENT_BREAK.split(norm):  # `tokens.segments`, each piece cut and matched in one lookup
        known = piece_hits(piece)
        if known:
            lead, tail, relative, segment_words = known
            start = position + lead
            spans.append((start, position + tail))
            segment_words_of.append(segment_words)
            if relative:  # shifted to caption offsets; tuple.__new__ skips NamedTuple's Python-level constructor
                hits += [_new(Hit, (start + a, start + b, key, senses)) for a, b, key, senses in relative]
            if wanted and wanted[0] in piece:
                found.extend((w, start + a, start + b) for w, a, b in segment_words)
                found.append(None)
        position += len(piece) + 1  # every break is one character
    protected = _trigger_spans(found, wanted, _words_of(klass)) if found else []
    caption.trigger_spans = [span for span, _ in protected]
    caption.trigger_phrases = [phrase for _, phrase in protected]
    for _, (start, end) in protected:  # the trigger and its class word are no terms
        hits = [h for h in hits if h.end <= start or h.start >= end]
    caption.hits = hits
    return caption


@lru_cache(maxsize=64)
def _words_of(phrase: str) -> list[str]:
    return words(normalize(phrase)) if phrase else []


_NEWLINE = re.compile("\n")
_new = tuple.__new__


def _trigger_spans(found: list, wanted: list[str], klass_words: list[str]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Each trigger occurrence, and the span it protects (trigger plus class word)."""
    texts = [w[0] if w is not None else None for w in found]
    size, spans = len(wanted), []
    for i, text in enumerate(texts):
        if text != wanted[0] or texts[i : i + size] != wanted:
            continue
        last = i + size - 1
        span = (found[i][1], found[last][2])
        protect_end = span[1]
        if klass_words and texts[last + 1 : last + 1 + len(klass_words)] == klass_words:
            protect_end = found[last + len(klass_words)][2]
        spans.append((span, (span[0], protect_end)))
    return spans
