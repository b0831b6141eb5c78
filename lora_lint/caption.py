"""The map step: a caption file's bytes become facts, once.

`read_caption` decodes (noting a BOM, a legacy encoding, binary junk or an
empty file); `Caption` holds the text cut into segments, the lexicon hits
with their offsets and where the trigger is. Facts depend only on the
caption bytes, the compiled packs and the trigger, so they can be computed
anywhere and cached.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from .lexicon import Hit, Lexicon, Sense
from .tokens import WORD, normalize, segments, words

_BOMS = (("utf-8", b"\xef\xbb\xbf"), ("utf-16", b"\xff\xfe"), ("utf-16", b"\xfe\xff"))


@dataclass
class Decoded:
    """A caption file's text, and what was wrong with its bytes."""

    text: str
    problems: tuple[str, ...] = ()  # "bom", "binary", "empty", "encoding"
    encoding: str = "utf-8"


def decode(data: bytes) -> Decoded:
    """Decode caption bytes, never failing: problems are noted, not raised."""
    problems: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append("bom")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Decoded(data.decode("utf-16", errors="replace"), ("encoding",), "utf-16")
    if b"\x00" in data or _mostly_control(data):
        return Decoded("", ("binary",), "binary")
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = _guess_encoding(data)
        text = data.decode(encoding, errors="replace")
        problems.append("encoding")
    if not text.strip("\ufeff \t\r\n"):
        problems.append("empty")
    return Decoded(text, tuple(problems), encoding)


def _mostly_control(data: bytes) -> bool:
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return bool(sample) and controls * 10 > len(sample)


def _guess_encoding(data: bytes) -> str:
    from charset_normalizer import from_bytes  # only for the rare non-UTF-8 caption

    best = from_bytes(data).best()
    return best.encoding if best is not None else "latin-1"


@dataclass
class Caption:
    """Facts about one caption: segments, lexicon hits, trigger spans."""

    path: str
    text: str
    problems: tuple[str, ...] = ()
    encoding: str = "utf-8"
    segments: list[tuple[int, int]] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    trigger_spans: list[tuple[int, int]] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=lambda: [0])

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both from 1, of a character offset."""
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def segment_of(self, offset: int) -> tuple[int, int]:
        """The (start, end) of the segment that holds an offset."""
        index = bisect.bisect_right([s for s, _ in self.segments], offset) - 1
        return self.segments[max(index, 0)]


def analyse(path: str, data: bytes, lexicon: Lexicon, trigger: str = "", klass: str = "") -> Caption:
    """Decode and analyse one caption (the map step)."""
    decoded = decode(data)
    text = decoded.text
    caption = Caption(path, text, decoded.problems, decoded.encoding)
    if "binary" in decoded.problems:
        return caption
    caption.line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    norm = normalize(text)
    caption.segments = segments(text)
    protected = _trigger_spans(norm, caption.segments, trigger, klass)
    caption.trigger_spans = [span for span, _ in protected]
    for start, end in caption.segments:
        for hit in lexicon.scan(norm, start, end):
            if not any(hit.start < p_end and p_start < hit.end for _, (p_start, p_end) in protected):
                caption.hits.append(hit)
    return caption


def _trigger_spans(norm: str, spans, trigger: str, klass: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Each trigger occurrence, and the span it protects (trigger plus class word)."""
    wanted = words(normalize(trigger))
    klass_words = words(normalize(klass))
    if not wanted:
        return []
    found = []
    for start, end in spans:
        tokens = [(m.group(), m.start(), m.end()) for m in WORD.finditer(norm, start, end)]
        texts = [w for w, _, _ in tokens]
        for i in range(len(tokens) - len(wanted) + 1):
            if texts[i : i + len(wanted)] == wanted:
                last = i + len(wanted) - 1
                span = (tokens[i][1], tokens[last][2])
                after = last + 1
                protect_end = span[1]
                if klass_words and texts[after : after + len(klass_words)] == klass_words:
                    protect_end = tokens[after + len(klass_words) - 1][2]
                found.append((span, (span[0], protect_end)))
    return found


def senses(caption: Caption, hit: Hit, lexicon: Lexicon) -> list[Sense]:
    """The meanings of a hit."""
    return [lexicon.senses[i] for i in hit.senses]
