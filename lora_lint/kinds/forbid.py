"""Kind `forbid`: terms of some categories must not be in captions.

What a caption names, the LoRA learns to tell apart; what it leaves out, the
LoRA binds. A character LoRA whose captions say "black hair" will not learn
the hair as part of the character. Fix `remove` deletes the term with its
separator (unsafe: content goes).
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..findings import Finding
from ..active import ActiveRule
from ..edits import removal

NAME = "forbid"
SCOPE = "caption"
PARAMS = {"terms": s.required(s.Selectors()), "allow": s.Selectors()}
PLACEHOLDERS = ("match", "category", "canonical", "what")
FIXES = {"remove": False}


def _forbidden(rule: ActiveRule) -> frozenset[int]:
    if "ids" not in rule.memo:
        knowledge = rule.knowledge
        categories = knowledge.select(rule.params["terms"]) - knowledge.select(rule.params.get("allow", ()))
        rule.memo["ids"] = knowledge.sense_ids(categories)
    return rule.memo["ids"]


def check(caption, rule: ActiveRule) -> Iterator[Finding]:
    forbidden = _forbidden(rule)
    senses = rule.knowledge.lexicon.senses
    for hit in caption.hits:
        if forbidden.isdisjoint(hit.senses):
            continue
        sense = senses[next(i for i in hit.senses if i in forbidden)]
        match = caption.text[hit.start : hit.end]
        what = " ".join(sense.category.split(".")[1:] or [sense.category]).replace("_", " ")
        message = rule.text(rule.message, match=match, category=sense.category, canonical=sense.canonical, what=what)
        start, end = removal(caption, hit.start, hit.end)
        yield rule.on(caption, hit.start, hit.end, message, [(start, end, "")], f"remove '{match}'")
