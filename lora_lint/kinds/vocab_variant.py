"""Kind `vocab-variant`: one word for one thing, the vocabulary's canonical term.

Mixing `3/4 view` and `three quarter view` splits one concept over two
tokens, and the LoRA learns each half as well. Fix `replace` writes the
canonical term (safe: the meaning stays).
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..findings import Finding
from . import ActiveRule

NAME = "vocab-variant"
SCOPE = "caption"
PARAMS = {"vocabularies": s.Selectors()}
PLACEHOLDERS = ("match", "canonical", "category")
FIXES = {"replace": True}


def _vocabularies(rule: ActiveRule) -> frozenset[str]:
    if "vocabularies" not in rule.memo:
        knowledge = rule.knowledge
        chosen = rule.params.get("vocabularies")
        names = knowledge.select(chosen) if chosen else frozenset(knowledge.categories)
        rule.memo["vocabularies"] = frozenset(n for n in names if knowledge.categories[n].block == "vocabulary")
    return rule.memo["vocabularies"]


def check(caption, rule: ActiveRule) -> Iterator[Finding]:
    vocabularies = _vocabularies(rule)
    senses = rule.knowledge.lexicon.senses
    for hit in caption.hits:
        meanings = [senses[i] for i in hit.senses if senses[i].category in vocabularies]
        if not meanings or any(not m.variant for m in meanings):
            continue
        sense = meanings[0]
        match = caption.text[hit.start : hit.end]
        message = rule.text(rule.message, match=match, canonical=sense.canonical, category=sense.category)
        yield rule.on(caption, hit.start, hit.end, message, [(hit.start, hit.end, sense.canonical)], f"write '{sense.canonical}'")
