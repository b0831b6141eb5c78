"""Kind `presence`: a category that must be named in every caption, or in none.

For hair, the choice is the dataset's: with one hairstyle throughout, hair
is part of the identity and captioning it makes the LoRA forget it; with
several, every caption must say which, or the hairstyles blur into one.
`forbid` and `require` take category selectors (usually conditional on
`hairstyles`). Fix `remove` deletes a forbidden term (unsafe).
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..edits import removal
from ..findings import Finding

NAME = "presence"
SCOPE = "caption"
CASES = ("forbidden", "missing")
PARAMS = {"forbid": s.Selectors(), "require": s.Selectors(), "messages": s.Messages(CASES)}
PLACEHOLDERS = ("match", "what")
FIXES = {"remove": False}


def _ids(rule: ActiveRule, name: str) -> frozenset[int]:
    if name not in rule.memo:
        knowledge = rule.knowledge
        rule.memo[name] = knowledge.sense_ids(knowledge.select(rule.params.get(name, ())))
    return rule.memo[name]


def check(caption, rule: ActiveRule) -> Iterator[Finding]:
    forbidden, required = _ids(rule, "forbid"), _ids(rule, "require")
    present = False
    for hit in caption.hits:
        if not required.isdisjoint(hit.senses):
            present = True
        if not forbidden.isdisjoint(hit.senses):
            match = caption.text[hit.start : hit.end]
            yield rule.on(caption, hit.start, hit.end, rule.case_message("forbidden", match=match), [(*removal(caption, hit.start, hit.end), "")], f"remove '{match}'")
    if required and not present:
        what = ", ".join(rule.params["require"]).replace("_", " ")
        start, end = caption.segments[0][0], caption.line_end(1)
        yield rule.on(caption, start, end, rule.case_message("missing", what=what))
