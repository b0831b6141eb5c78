"""How captions and terms are cut into words, so that both match alike.

A caption is split into segments (tags, or clauses of prose) at commas,
semicolons, sentence ends and their CJK forms; a segment into word tokens:
runs of letters and digits, or single CJK ideographs and kana (CJK text has
no spaces to split on). Case, underscores and punctuation inside a term do
not matter: `Black_Hair`, `black hair` and `black-hair` have the same key.
"""
from __future__ import annotations

import re

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
SEGMENT_BREAK = re.compile(r"[,;|\n\r\uff0c\u3002\u3001\uff1b\uff01\uff1f!?]|\.(?=\s|$)")
CJK_CHAR = re.compile(rf"[{_CJK}]")


def normalize(text: str) -> str:
    """Lower-case with underscores as spaces, keeping every character's offset."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.replace("_", " ")


def join(key: str, word: str) -> str:
    """Append a word to a phrase key: CJK characters join without a space."""
    if not key:
        return word
    if len(word) == 1 and CJK_CHAR.match(word) and CJK_CHAR.match(key[-1]):
        return key + word
    return f"{key} {word}"


def words(text: str) -> list[str]:
    """The word tokens of an already normalized text."""
    return WORD.findall(text)


def phrase_key(text: str) -> str:
    """The lookup key of a term or trigger: its words, normalized and joined."""
    key = ""
    for word in words(normalize(text)):
        key = join(key, word)
    return key


def trim(piece: str) -> tuple[int, int] | None:
    """The (start, end) of a piece of caption text without the blanks around
    it (a stray byte-order mark counts as blank where it starts), or None."""
    body = piece.lstrip()
    while body[:1] == "\ufeff":
        body = body[1:].lstrip()
    return (len(piece) - len(body), len(piece.rstrip())) if body else None


def segments(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the non-blank segments of a caption."""
    out, position = [], 0
    for piece in SEGMENT_BREAK.split(text):  # every break is one character
        span = trim(piece)
        if span is not None:
            out.append((position + span[0], position + span[1]))
        position += len(piece) + 1
    return out
