"""Kind `variety`: enough different expressions, angles and lights, none dominant.

What never varies in a dataset is bound to the subject: thirty smiling
images give a LoRA that cannot stop smiling. For each field (a category
selector) the distinct canonical terms are counted against the number of
captioned images (`minimum`, a share), and a term in more than `dominant`
of the captions is reported.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding

NAME = "variety"
SCOPE = "dataset"
CASES = ("few", "dominant")
PARAMS = {
    "minimum": s.required(s.Rows(key_ref="category")),  # field -> distinct terms as a share of images
    "dominant": s.Span(unit="%"),
    "min_images": s.Number(integer=True),
    "messages": s.Messages(CASES),
}
PLACEHOLDERS = ("field", "count", "needed", "images", "term", "share")
FIXES: dict[str, bool] = {}


def _fields(rule: ActiveRule) -> dict[str, dict[int, str]]:
    """Field -> {sense id: canonical term}."""
    if "fields" not in rule.memo:
        knowledge = rule.knowledge
        senses = knowledge.lexicon.senses
        fields = {}
        for field in rule.params["minimum"]:
            chosen = knowledge.select((field,))
            fields[field] = {i: s.canonical for i, s in enumerate(senses) if s.category in chosen}
        rule.memo["fields"] = fields
    return rule.memo["fields"]


def start() -> dict:
    return {"images": 0, "terms": Counter()}


def fold(summary: dict, item, caption, rule: ActiveRule) -> None:
    if caption is None or not item.images:
        return
    summary["images"] += 1
    terms_of = rule.per_senses("terms", lambda senses: _terms(senses, _fields(rule)))
    seen: set[tuple[str, str]] = set()
    for hit in caption.hits:
        seen.update(terms_of[hit.senses])
    summary["terms"].update(seen)


def _terms(senses: tuple[int, ...], fields: dict[str, dict[int, str]]) -> tuple[tuple[str, str], ...]:
    """The (field, term) pairs a hit with these senses names."""
    return tuple({(field, terms[i]): None for field, terms in fields.items() for i in senses if i in terms})


def merge(first: dict, second: dict) -> dict:
    return {"images": first["images"] + second["images"], "terms": first["terms"] + second["terms"]}


def _fields_named(summary: dict, rule: ActiveRule) -> Iterator[tuple[str, int, list[tuple[str, int]]]]:
    """(field, distinct terms needed, [(term, captions naming it)] most named first) of each field."""
    images = summary["images"]
    for field, share in rule.params["minimum"].items():
        counts = sorted(((term, n) for (name, term), n in summary["terms"].items() if name == field), key=lambda t: (-t[1], t[0]))
        yield field, max(2, math.ceil(images * share[0] / 100)), counts


def _dominant(named: int, images: int, rule: ActiveRule) -> bool:
    """Whether a term in `named` of `images` captions is in more of them than `dominant` allows."""
    dominant = rule.params.get("dominant")
    return bool(dominant) and named * 100 > images * dominant[0]


def measure(summary: dict, rule: ActiveRule) -> dict:
    """Per field: how many captions name each term, and the distinct terms needed."""
    images = summary["images"]
    fields = {
        field: {"needed": needed, "terms": [{"term": t, "count": n, "dominant": _dominant(n, images, rule)} for t, n in counts]}
        for field, needed, counts in _fields_named(summary, rule)
    }
    dominant = rule.params.get("dominant")
    return {"images": images, "judged": images >= rule.params.get("min_images", 10), "dominant": dominant[0] if dominant else None, "fields": fields}


def judge(summary: dict, rule: ActiveRule, where: str) -> Iterator[Finding]:
    images = summary["images"]
    if images < rule.params.get("min_images", 10):
        return
    for field, needed, counts in _fields_named(summary, rule):
        label = field.rsplit(".", 1)[-1].replace("_", " ")
        if len(counts) < needed:
            yield rule.at(where, rule.case_message("few", field=label, count=len(counts), needed=needed, images=images))
        for term, n in sorted(counts):
            if _dominant(n, images, rule):
                yield rule.at(where, rule.case_message("dominant", field=label, term=term, share=f"{round(n * 100 / images)}%", images=images))
