"""Kind `vocab-variant`: one word for one thing, the vocabulary's canonical term.

Mixing `3/4 view` and `three quarter view` splits one concept over two
tokens, and the LoRA learns each half as well. Fix `replace` writes the
canonical term (safe: the meaning stays).
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..findings import Finding
from ..tokens import phrase_key
from ..active import ActiveRule

NAME = "vocab-variant"
SCOPE = "caption"
PARAMS = {"vocabularies": s.Selectors(), "loose": s.Words()}  # loose: words a variant may add (articles in prose)
PLACEHOLDERS = ("match", "canonical", "category")
FIXES = {"replace": True}


def _variant_ids(rule: ActiveRule) -> tuple[frozenset[int], frozenset[int]]:
    """(sense ids that are variants, ids that are canonical) in the chosen vocabularies."""
    if "ids" not in rule.memo:
        knowledge = rule.knowledge
        chosen = rule.params.get("vocabularies")
        names = knowledge.select(chosen) if chosen else frozenset(knowledge.categories)
        vocabularies = {n for n in names if knowledge.categories[n].block == "vocabulary"}
        senses = knowledge.lexicon.senses
        variants = frozenset(i for i, s in enumerate(senses) if s.category in vocabularies and s.variant)
        canonical = frozenset(i for i, s in enumerate(senses) if s.category in vocabularies and not s.variant)
        rule.memo["ids"] = (variants, canonical)
    return rule.memo["ids"]


def check(caption, rule: ActiveRule) -> Iterator[Finding]:
    variants, canonical = _variant_ids(rule)
    senses = rule.knowledge.lexicon.senses
    for hit in caption.hits:
        # a phrase that is canonical in any chosen vocabulary is fine as it is
        if variants.isdisjoint(hit.senses) or not canonical.isdisjoint(hit.senses):
            continue
        sense = senses[next(i for i in hit.senses if i in variants)]
        loose = rule.params.get("loose")
        if loose and _without(hit.key, loose) == _without(phrase_key(sense.canonical), loose):
            continue  # "facing the camera" is "facing camera" in a sentence
        match = caption.text[hit.start : hit.end]
        message = rule.text(rule.message, match=match, canonical=sense.canonical, category=sense.category)
        yield rule.on(caption, hit.start, hit.end, message, [(hit.start, hit.end, sense.canonical)], f"write '{sense.canonical}'")


def _without(key: str, loose: tuple[str, ...]) -> list[str]:
    return [word for word in key.split(" ") if word not in loose]
