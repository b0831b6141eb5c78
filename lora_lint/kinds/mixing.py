"""Kind `mixing`: one thing written several ways across the dataset.

`laugh` in some captions and `laughing` in others, `3/4 view` beside
`three quarter view`: each form is a separate token, and the concept is
learned in halves. For each canonical term of the chosen vocabularies, the
forms the dataset uses are counted; more than one form is reported once,
with the counts.
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding

NAME = "mixing"
SCOPE = "dataset"
PARAMS = {"vocabularies": s.Selectors()}
PLACEHOLDERS = ("canonical", "forms", "count")
FIXES: dict[str, bool] = {}


def _senses(rule: ActiveRule) -> dict[int, tuple[str, str]]:
    """Sense id -> (category, canonical) for the chosen vocabularies."""
    if "senses" not in rule.memo:
        knowledge = rule.knowledge
        chosen = rule.params.get("vocabularies")
        names = knowledge.select(chosen) if chosen else frozenset(knowledge.categories)
        vocabularies = {n for n in names if knowledge.categories[n].block == "vocabulary"}
        rule.memo["senses"] = {i: (s.category, s.canonical) for i, s in enumerate(knowledge.lexicon.senses) if s.category in vocabularies}
    return rule.memo["senses"]


def start() -> dict:
    return {}  # (category, canonical, form key) -> [count, the form as first written]


def fold(summary: dict, item, caption, rule: ActiveRule) -> None:
    if caption is None or not item.images:
        return
    term_of = rule.per_senses("term", lambda ids: _first_term(ids, _senses(rule)))
    for hit in caption.hits:
        term = term_of[hit.senses]
        if term is not None:
            entry = summary.get(key := (*term, hit.key))
            if entry is None:  # the form as first written
                summary[key] = [1, caption.text[hit.start : hit.end].lower()]
            else:
                entry[0] += 1


def _first_term(ids: tuple[int, ...], senses: dict[int, tuple[str, str]]) -> tuple[str, str] | None:
    """The (category, canonical) of a hit's first vocabulary sense."""
    return next((senses[i] for i in ids if i in senses), None)


def merge(first: dict, second: dict) -> dict:
    merged = {key: list(value) for key, value in first.items()}
    for key, (count, shown) in second.items():
        merged.setdefault(key, [0, shown])[0] += count
    return merged


def _forms(summary: dict) -> list[tuple[tuple[str, str], list[tuple[str, int]]]]:
    """Each (category, canonical) term with the forms written for it, most used first."""
    forms: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for (category, canonical, _), (count, shown) in summary.items():
        forms.setdefault((category, canonical), []).append((shown, count))
    return [(term, sorted(used, key=lambda f: (-f[1], f[0]))) for term, used in sorted(forms.items())]


def measure(summary: dict, rule: ActiveRule) -> dict:
    """The vocabulary in use: each canonical term with the forms written for it."""
    return {"terms": [
        {"category": category, "canonical": canonical, "forms": [{"form": f, "count": n} for f, n in used]}
        for (category, canonical), used in _forms(summary)
    ]}


def judge(summary: dict, rule: ActiveRule, where: str) -> Iterator[Finding]:
    for (_, canonical), used in _forms(summary):
        if len(used) > 1:
            listed = ", ".join(f"'{form}' ({count})" for form, count in used)
            yield rule.at(where, rule.text(rule.message, canonical=canonical, forms=listed, count=len(used)))
