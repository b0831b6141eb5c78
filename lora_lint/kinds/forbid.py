"""Kind `forbid`: terms of some categories must not be in captions.

What a caption names, the LoRA learns to tell apart; what it leaves out, the
LoRA binds. A character LoRA whose captions say "black hair" will not learn
the hair as part of the character. With `features yes`, the dataset's own
`features:` (an object's "silver body", a concept's "double exposure") are
forbidden too, in singular or plural and other endings ("overlaid" for
"overlay"), with a word between ("gold-tone clasp"), and a longer feature by its last two words ("brick wall" names
"exposed brick walls"). Fix `remove` deletes the term with its separator (unsafe:
content goes).
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..findings import Finding
from ..active import ActiveRule
from ..edits import removal
from ..lexicon import Hit, Sense
from ..tokens import normalize, words

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


def _singular(word: str) -> str:
    """A rough stem: plural, -ed and -ing endings off (`walls`, `blending`)."""
    for ending in ("ing", "ed"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _alike(a: str, b: str) -> bool:
    """Two stems of one word: equal, or long and differing only at the end
    (`overlay`, `overlaid`)."""
    if a == b:
        return True
    shorter = min(len(a), len(b))
    return shorter >= 6 and a[: shorter - 1] == b[: shorter - 1]


def _features(rule: ActiveRule) -> list[tuple[str, tuple[str, ...]]]:
    """The dataset's `features:` as (feature, its words in singular form)."""
    if "features" not in rule.memo:
        features = rule.context.get("features") if rule.params.get("features") else ()
        rule.memo["features"] = [(f, tuple(_singular(w) for w in words(normalize(f)))) for f in features or () if words(normalize(f))]
    return rule.memo["features"]


def _feature_span(found: list[str], feature: tuple[str, ...]) -> tuple[int, int] | None:
    """Where a segment names a feature: its words in order, one other word
    allowed between two ("gold-tone clasp" names "gold clasp"); a longer
    feature is also named by its last two words ("brick wall" names
    "exposed brick walls")."""
    for wanted in (feature, feature[-2:]) if len(feature) > 2 else (feature,):
        for first in (i for i, word in enumerate(found) if _alike(word, wanted[0])):
            last, ok = first, True
            for word in wanted[1:]:
                step = next((j for j in (last + 1, last + 2) if j < len(found) and _alike(found[j], word)), None)
                if step is None:
                    ok = False
                    break
                last = step
            if ok:
                return first, last
    return None


def _feature_hits(caption, rule: ActiveRule) -> list[tuple[Hit, Sense]]:
    hits = []
    for (start, _), segment in zip(caption.segments, caption.segment_words):
        found = [_singular(w) for w, _, _ in segment]
        for feature, feature_words in _features(rule):
            span = _feature_span(found, feature_words)
            if span is not None:
                first, last = segment[span[0]], segment[span[1]]
                hits.append((Hit(start + first[1], start + last[2], feature, ()), Sense("feature", feature, False)))
    return hits


def check(caption, rule: ActiveRule) -> Iterator[Finding]:
    forbidden = _forbidden(rule)
    senses = rule.knowledge.lexicon.senses
    found = []
    for hit in caption.hits:
        if not forbidden.isdisjoint(hit.senses):
            found.append((hit, senses[next(i for i in hit.senses if i in forbidden)]))
    if _features(rule):
        taken = [(h.start, h.end) for h, _ in found]
        found += [(h, sense) for h, sense in _feature_hits(caption, rule) if not any(a < h.end and h.start < b for a, b in taken)]
    for hit, sense in sorted(found, key=lambda pair: pair[0].start):
        match = caption.text[hit.start : hit.end]
        what = " ".join(sense.category.split(".")[1:] or [sense.category]).replace("_", " ")
        message = rule.text(rule.message, match=match, category=sense.category, canonical=sense.canonical, what=what)
        start, end = removal(caption, hit.start, hit.end)
        yield rule.on(caption, hit.start, hit.end, message, [(start, end, "")], f"remove '{match}'")
