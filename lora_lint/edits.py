"""Text edits that fixes are made of, computed on a caption's text."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .findings import Edit

if TYPE_CHECKING:
    from .caption import Caption

SEPARATORS = ",;|.!?\uff0c\u3001\u3002\uff1b\uff01\uff1f"
_BLANK = " \t"


def edit(caption: Caption, start: int, end: int, content: str) -> Edit:
    """An edit replacing `caption.text[start:end]`, in lines and columns."""
    line, column = caption.position(start)
    end_line, end_column = caption.position(end)
    return Edit(line, column, end_line, end_column, content)


def removal(caption: Caption, start: int, end: int) -> tuple[int, int]:
    """The span to delete to remove `text[start:end]` and leave a well-formed caption.

    A whole segment (a tag, a sentence) goes with the separator after it (or,
    for the last one, the separator before it); words inside a segment go
    with one neighbouring space.
    """
    text = caption.text
    seg_start, seg_end = caption.segment_of(start)
    if start > seg_start or end < seg_end:
        if end < len(text) and text[end] == " ":
            return start, end + 1
        if start > 0 and text[start - 1] == " ":
            return start - 1, end
        return start, end
    after = _skip(text, end, _BLANK)
    if after < len(text) and text[after] in SEPARATORS:
        return start, _skip(text, after + 1, _BLANK)
    before = start
    while before > 0 and text[before - 1] in _BLANK:
        before -= 1
    if before > 0 and text[before - 1] in SEPARATORS:
        return before - 1, end
    return start, end


def _skip(text: str, index: int, chars: str) -> int:
    while index < len(text) and text[index] in chars:
        index += 1
    return index
