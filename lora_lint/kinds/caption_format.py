"""Kind `caption-format`: caption files that every trainer reads the same way.

kohya sd-scripts stops on an empty caption and on bytes that are not UTF-8,
reads only the first line, and a byte-order mark or stray separators end up
inside the first or an empty tag. Fix `normalize` removes a BOM, outer
whitespace and empty tags (safe: no words change).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from .. import schema as s
from ..findings import Finding
from . import ActiveRule

NAME = "caption-format"
SCOPE = "caption"
EMPTY_OK = True  # runs on empty and undecodable captions too
CASES = ("binary", "encoding", "empty", "bom", "lines", "whitespace", "separators")
PARAMS = {
    "messages": s.Messages(CASES),
    "minor": s.Words(CASES),  # cases reported as info
    "skip": s.Words(CASES),
}
PLACEHOLDERS = ("encoding", "count")
FIXES = {"normalize": True}
_EMPTY_TAG = re.compile(r"(?:^|(?<=,))[ \t]*,|,[ \t]*$")
_DEFAULTS = {
    "binary": "binary content, not a caption",
    "encoding": "not UTF-8 (reads as {encoding})",
    "empty": "empty caption",
    "bom": "starts with a byte-order mark",
    "lines": "{count} lines; most trainers read only the first",
    "whitespace": "stray whitespace",
    "separators": "empty tag or stray separator",
}


def check(caption, rule: ActiveRule) -> Iterator[Finding]:
    skip = set(rule.params.get("skip", ()))
    minor = set(rule.params.get("minor", ()))
    for case, start, end, edits, values in _problems(caption):
        if case in skip:
            continue
        message = rule.text(rule.params.get("messages", {}).get(case) or _DEFAULTS[case], **values)
        severity = "info" if case in minor else None
        yield rule.on(caption, start, end, message, edits, f"normalize ({case})", severity)


def _problems(caption):
    text = caption.text
    for case in ("binary", "encoding", "empty"):
        if case in caption.problems:
            yield case, 0, len(text.split("\n", 1)[0]), None, {"encoding": caption.encoding}
    if "binary" in caption.problems or "empty" in caption.problems:
        return
    if text.startswith("\ufeff"):
        yield "bom", 0, 1, [(0, 1, "")], {}
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        second = caption.line_starts[1] if len(caption.line_starts) > 1 else 0
        yield "lines", second, len(text), None, {"count": len(lines)}
    first = text.split("\n", 1)[0].rstrip("\r")
    body = first.lstrip("\ufeff")
    offset = len(first) - len(body)
    stripped = body.strip()
    if stripped != body or "  " in stripped:
        lead = offset + len(body) - len(body.lstrip())
        edits = [(offset, lead, "")] if lead > offset else []
        tail = offset + len(body.rstrip())
        if tail < len(first):
            edits.append((tail, len(first), ""))
        where = lead if lead > offset else (tail if tail < len(first) else offset + body.find("  "))
        yield "whitespace", where, max(where + 1, tail if tail < len(first) else where + 1), edits or None, {}
    for match in _EMPTY_TAG.finditer(first):
        yield "separators", match.start(), match.end(), [(match.start(), match.end(), "")], {}
        break
