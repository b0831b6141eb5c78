"""Kind `trigger`: the trigger word is in every caption, once, where it belongs.

A caption without the trigger teaches the LoRA without it, and the trigger
does nothing at inference. With `shuffle_caption`, kohya keeps only the first
`keep_tokens` tags in place, so the trigger must come first. Fix `insert`
puts the trigger first (inserting it, or moving the tag that holds it) and
drops repeats: safe, no other content changes.
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..findings import Finding
from . import ActiveRule, removal

NAME = "trigger"
SCOPE = "caption"
CASES = ("missing", "position", "repeated")
PARAMS = {
    "position": s.Words(("first", "anywhere"), one=True),
    "insert": s.Text(),
    "messages": s.Messages(CASES),
}
PLACEHOLDERS = ("found",)
FIXES = {"insert": True}


def check(caption, rule: ActiveRule) -> Iterator[Finding]:
    trigger = rule.context.get("trigger")
    if not trigger:
        return
    spans = caption.trigger_spans
    first_start, first_end = caption.segments[0]
    insert = rule.text(rule.params.get("insert", "{trigger}, "))
    if not spans:
        message = rule.text(rule.case_message("missing", "caption lacks the trigger '{trigger}'"))
        yield rule.on(caption, first_start, first_end, message, [(first_start, first_start, insert)], f"insert '{trigger}' first")
        return
    start, end = spans[0]
    if rule.params.get("position", "first") == "first" and start != first_start:
        found = caption.text[start:end]
        message = rule.text(rule.case_message("position", "trigger '{trigger}' should come first"), found=found)
        yield rule.on(caption, start, end, message, _move(caption, start), f"move '{found}' first")
    for start, end in spans[1:]:
        found = caption.text[start:end]
        message = rule.text(rule.case_message("repeated", "trigger '{trigger}' is repeated"), found=found)
        seg_start, seg_end = caption.segment_of(start)
        edits = [(*removal(caption, seg_start, seg_end), "")] if (seg_start, seg_end) == (start, end) else None
        yield rule.on(caption, start, end, message, edits, "remove the repeated trigger")


def _move(caption, start: int) -> list[tuple[int, int, str]] | None:
    """Move the tag holding the trigger to the front; prose is left to a person."""
    seg_start, seg_end = caption.segment_of(start)
    tag = caption.text[seg_start:seg_end]
    if len(tag.split()) > 4:  # a clause of prose, not a tag
        return None
    first = caption.segments[0][0]
    cut_start, cut_end = removal(caption, seg_start, seg_end)
    return [(first, first, tag + ", "), (cut_start, cut_end, "")]
