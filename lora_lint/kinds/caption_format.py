"""Kind `caption-format`: caption files that every trainer reads the same way.

kohya sd-scripts stops on an empty caption and on bytes that are not UTF-8,
reads only the first line, and a byte-order mark or stray separators end up
inside the first or an empty tag. Fix `normalize` removes a BOM and turns a
legacy encoding into UTF-8 (the file is rewritten), and removes outer
whitespace and empty tags (safe: no words change); it joins the lines of a
multi-line caption into one (unsafe: OneTrainer's caption variants merge) and
fills an empty caption with the trigger and class (unsafe: still to describe).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from .. import schema as s
from ..findings import Finding
from ..active import ActiveRule

NAME = "caption-format"
SCOPE = "caption"
EMPTY_OK = True  # runs on empty and undecodable captions too
CASES = ("unreadable", "binary", "encoding", "empty", "bom", "lines", "whitespace", "separators")
PARAMS = {
    "messages": s.Messages(CASES),
    "minor": s.Words(CASES),  # cases reported as info
    "skip": s.Words(CASES),
}
PLACEHOLDERS = ("encoding", "count", "error")
FIXES = {"normalize": True}
_BREAKS = re.compile(r"[ \t,]*(?:\r?\n[ \t]*)+")  # line breaks (and blank lines) inside a caption
_EMPTY_TAG = re.compile(r"(?:^|(?<=,))[ \t]*,|,[ \t]*$")


def check(caption, rule: ActiveRule) -> Iterator[Finding]:
    skip = set(rule.params.get("skip", ()))
    minor = set(rule.params.get("minor", ()))
    for case, start, end, edits, values in _problems(caption):
        if case in skip:
            continue
        if case == "empty" and "binary" not in caption.problems:
            edits = _fill(caption, rule)
        message = rule.case_message(case, **values)
        severity = "info" if case in minor else None
        safe = False if case in ("lines", "empty") else None
        yield rule.on(caption, start, end, message, edits, f"normalize ({case})", severity, safe)


def _problems(caption):
    """(case, start, end, edits, values) for each problem, cheapest checks first."""
    text, problems = caption.text, caption.problems
    if "unreadable" in problems:  # nothing was read: nothing else to say
        yield "unreadable", 0, 0, None, {"error": caption.error}
        return
    first = text.split("\n", 1)[0].rstrip("\r")
    for case in ("binary", "encoding", "empty"):
        if case in problems:
            rewrite = [] if case == "encoding" else None  # the fix writes the file as UTF-8
            yield case, 0, len(first), rewrite, {"encoding": caption.encoding}
    if "binary" in problems or "empty" in problems:
        return
    begin = 0
    if "bom" in problems:  # decoding dropped it: the fix rewrites the file without it
        yield "bom", 0, 0, [], {}
    if not first[begin:].strip():  # kohya reads the first line only, and it is blank
        yield "empty", 0, len(first), None, {}
    if "\n" in text.rstrip():
        count = sum(1 for line in text.splitlines() if line.strip())
        if count > 1:  # the fix joins the lines into one caption (unsafe: OneTrainer's variants merge)
            joins = [(m.start(), m.end(), ", ") for m in _BREAKS.finditer(text.rstrip()) if m.start() > 0]
            yield "lines", caption.line_starts[1], len(text), joins, {"count": count}
    body_start = len(first) - len(first[begin:].lstrip())
    body_end = len(first.rstrip())
    edits = [(a, b, "") for a, b in ((begin, body_start), (body_end, len(first))) if b > a]
    if edits:
        yield "whitespace", edits[0][0], edits[0][1], edits, {}
    empty = [m.span() for m in _EMPTY_TAG.finditer(first)]
    if empty:
        yield "separators", empty[0][0], empty[0][1], [(a, b, "") for a, b in empty], {"count": len(empty)}


def _fill(caption, rule: ActiveRule) -> list[tuple[int, int, str]] | None:
    """An empty caption filled with the trigger and class: what kohya trains an
    uncaptioned image on anyway, without the crash (unsafe: a person should
    describe the image)."""
    words = " ".join(filter(None, (rule.context.get("trigger"), rule.context.get("class"))))
    if not words:
        return None
    first = caption.text.split("\n", 1)[0].rstrip("\r")
    return [(0, len(first), words)]
