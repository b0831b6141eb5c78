"""Kind `trigger`: the trigger word is in every caption, once, where it belongs.

A caption without the trigger teaches the LoRA without it, and the trigger
does nothing at inference. With `shuffle_caption`, kohya keeps only the first
`keep_tokens` tags in place, so the trigger must be in the first tag. Fix
`insert` puts the trigger first (inserting the `insert` text, or moving the
tag that holds the trigger) and drops repeats: safe, nothing else changes.
Each line of a caption file is a caption of its own (OneTrainer reads lines
as variants), so a trigger on two lines is not a repeat.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..edits import removal
from ..findings import Finding

NAME = "trigger"
SCOPE = "caption"
CASES = ("missing", "position", "repeated")
PARAMS = {
    "position": s.Words(("first", "anywhere"), one=True),
    "insert": s.Template(),
    "messages": s.Messages(CASES),
}
PLACEHOLDERS = ("found",)
FIXES = {"insert": True}


def _tidy(text: str) -> str:
    """`"{trigger} {class}, "` with no class gives "ohwx , ": make it "ohwx, "."""
    return re.sub(r" +,", ",", re.sub(r" {2,}", " ", text)).lstrip()


def check(caption, rule: ActiveRule) -> Iterator[Finding]:
    trigger = rule.context.get("trigger")
    if not trigger:
        return
    first_start, first_end = caption.segments[0]
    if not caption.trigger_spans:
        insert = _tidy(rule.text(rule.params.get("insert", "{trigger}, ")))
        message = rule.case_message("missing")
        yield rule.on(caption, first_start, first_end, message, [(first_start, first_start, insert)], f"insert '{insert.strip(', ')}' first")
        return
    (start, end), phrase = caption.trigger_spans[0], caption.trigger_phrases[0]
    if rule.params.get("position", "first") == "first" and start >= first_end:
        found = caption.text[start:end]
        message = rule.case_message("position", found=found)
        yield rule.on(caption, start, end, message, _move(caption, phrase), f"move '{caption.text[phrase[0]:phrase[1]]}' first")
    seen_lines = {caption.position(start)[0]}
    for (start, end), phrase in zip(caption.trigger_spans[1:], caption.trigger_phrases[1:]):
        line = caption.position(start)[0]
        if line not in seen_lines:
            seen_lines.add(line)
            continue
        message = rule.case_message("repeated", found=caption.text[start:end])
        edits = [(*removal(caption, *phrase), "")] if caption.segment_of(start) == phrase else None
        yield rule.on(caption, start, end, message, edits, "remove the repeated trigger")


def _move(caption, phrase: tuple[int, int]) -> list[tuple[int, int, str]] | None:
    """Move the tag holding the trigger to the front, if the tag is just the
    trigger (and its class word); a trigger inside prose is left to a person."""
    if caption.segment_of(phrase[0]) != phrase:
        return None
    first = caption.segments[0][0]
    cut_start, cut_end = removal(caption, *phrase)
    return [(first, first, caption.text[phrase[0] : phrase[1]] + ", "), (cut_start, cut_end, "")]
