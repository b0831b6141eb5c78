"""Kind `junk`: tags that are no description of the image.

Taggers leave rating and score tags, booru meta tags (`highres`,
`commentary request`), duplicated tags and underscores behind. Each costs
tokens, and a rating or meta tag in every caption becomes part of what the
LoRA binds. Which tags are junk comes from the pack's `junk.*` categories;
the last part of a category names its case (`junk.rating` -> `rating`). Fix
`clean`: duplicates go and underscores become spaces (safe); rating, score
and meta tags are removed (unsafe: content goes).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..edits import removal
from ..findings import Finding

NAME = "junk"
SCOPE = "caption"
CASES = ("rating", "score", "meta", "duplicate", "underscore")
PARAMS = {
    "terms": s.required(s.Selectors()),
    "alone": s.Selectors(),  # terms that are junk only as a whole tag (`general` from a tagger's rating)
    "skip": s.Words(CASES),
    "messages": s.Messages(CASES),
}
PLACEHOLDERS = ("match",)
FIXES = {"clean": True}
_UNDERSCORE = re.compile(r"(?<=[^\W_])_+(?=[^\W_])")


def _cases(rule: ActiveRule) -> tuple[dict[int, str], frozenset[int]]:
    """Lexicon sense id -> the junk case it belongs to (the category's second
    part: `junk.rating.words` -> `rating`), and the ids that count only alone."""
    if "cases" not in rule.memo:
        knowledge = rule.knowledge
        senses = knowledge.lexicon.senses
        chosen = knowledge.select(rule.params["terms"])
        cases = {i: (sense.category.split(".") + [""])[1] for i, sense in enumerate(senses) if sense.category in chosen}
        alone = knowledge.sense_ids(knowledge.select(rule.params.get("alone", ())))
        rule.memo["cases"] = (cases, alone)
    return rule.memo["cases"]


def _case(senses: tuple[int, ...], cases: dict[int, str], alone: frozenset[int]) -> tuple[str | None, bool]:
    """A hit's junk case (None: not junk), and whether it counts only as a tag of its own."""
    case = next((cases[i] for i in senses if i in cases), None)
    return case, bool(case) and not alone.isdisjoint(senses)


def check(caption, rule: ActiveRule) -> Iterator[Finding]:
    skip = set(rule.params.get("skip", ()))
    case_of = rule.per_senses("case", lambda senses: _case(senses, *_cases(rule)))
    flagged: set[tuple[int, int]] = set()
    for hit in caption.hits:
        case, only_alone = case_of[hit.senses]
        if only_alone and caption.segment_of(hit.start) != (hit.start, hit.end):
            continue  # `general` inside a longer tag is a word, not a rating
        if case:  # a known tag, reported or skipped as its case says: no duplicate or underscore finding
            flagged.add(caption.segment_of(hit.start))
        if case and case in CASES and case not in skip:
            match = caption.text[hit.start : hit.end]
            yield rule.on(caption, hit.start, hit.end, rule.case_message(case, match=match), [(*removal(caption, hit.start, hit.end), "")], f"remove '{match}'", safe=False)
    seen: set[str] = set()
    keys = rule.memo.setdefault("keys", {})  # a segment's text -> its words: tags repeat across a dataset
    if len(keys) > 100_000:
        keys.clear()
    norm = caption.norm
    for (start, end), words in zip(caption.segments, caption.segment_words):
        segment = norm[start:end]
        key = keys.get(segment)
        if key is None:
            key = keys[segment] = " ".join(word for word, _, _ in words)
        if key and key in seen and "duplicate" not in skip and (start, end) not in flagged:
            match = caption.text[start:end]
            yield rule.on(caption, start, end, rule.case_message("duplicate", match=match), [(*removal(caption, start, end), "")], f"remove the second '{match}'")
            continue
        seen.add(key)
        tag = caption.text[start:end]
        if "underscore" not in skip and (start, end) not in flagged and "_" in tag and _UNDERSCORE.search(tag):
            edits = [(start + m.start(), start + m.end(), " ") for m in _UNDERSCORE.finditer(tag)]
            yield rule.on(caption, start, end, rule.case_message("underscore", match=tag), edits, "underscores to spaces")
