"""Kind `forbid`: terms of some categories must not be in captions.

What a caption names, the LoRA learns to tell apart; what it leaves out, the
LoRA binds. A character LoRA whose captions say "black hair" will not learn
the hair as part of the character. With `features yes`, the dataset's own
`features:` (an object's "silver body", a concept's "double exposure") are
forbidden too. Fix `remove` deletes the term with its separator (unsafe:
content goes).
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..findings import Finding
from ..active import ActiveRule
from ..edits import removal
from ..lexicon import Hit, Lexicon, Sense
from ..tokens import phrase_key

NAME = "forbid"
SCOPE = "caption"
PARAMS = {"terms": s.Selectors(), "allow": s.Selectors(), "features": s.Flag()}
PLACEHOLDERS = ("match", "category", "canonical", "what")
FIXES = {"remove": False}


def _forbidden(rule: ActiveRule) -> frozenset[int]:
    if "ids" not in rule.memo:
        knowledge = rule.knowledge
        categories = knowledge.select(rule.params.get("terms", ())) - knowledge.select(rule.params.get("allow", ()))
        rule.memo["ids"] = knowledge.sense_ids(categories)
    return rule.memo["ids"]


def _features(rule: ActiveRule) -> Lexicon | None:
    """The dataset's `features:` as a small lexicon of their own."""
    if "features" not in rule.memo:
        lexicon = None
        if rule.params.get("features") and rule.context.get("features"):
            lexicon = Lexicon()
            for feature in rule.context["features"]:
                if phrase_key(feature):
                    lexicon.add(phrase_key(feature), Sense("feature", feature, False))
            lexicon.freeze()
        rule.memo["features"] = lexicon
    return rule.memo["features"]


def check(caption, rule: ActiveRule) -> Iterator[Finding]:
    forbidden = _forbidden(rule)
    senses = rule.knowledge.lexicon.senses
    found = []
    for hit in caption.hits:
        if not forbidden.isdisjoint(hit.senses):
            found.append((hit, senses[next(i for i in hit.senses if i in forbidden)]))
    features = _features(rule)
    if features is not None:
        for start, end in caption.segments:
            hits, _ = features.segment_hits(caption.norm[start:end])
            found += [(Hit(start + h.start, start + h.end, h.key, h.senses), features.senses[h.senses[0]]) for h in hits]
    for hit, sense in sorted(found, key=lambda pair: pair[0].start):
        match = caption.text[hit.start : hit.end]
        what = " ".join(sense.category.split(".")[1:] or [sense.category]).replace("_", " ")
        message = rule.text(rule.message, match=match, category=sense.category, canonical=sense.canonical, what=what)
        start, end = removal(caption, hit.start, hit.end)
        yield rule.on(caption, hit.start, hit.end, message, [(start, end, "")], f"remove '{match}'")
