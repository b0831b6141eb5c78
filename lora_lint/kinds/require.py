"""Kind `require`: every caption names something from each required field.

A field the captions leave out is bound to the subject: forget expressions
and the LoRA smiles the way the training images happened to. The fields
default to the LoRA type's `require` list; a field written as several names
(`angle shot`) is named by any of them.
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..findings import Finding
from ..active import ActiveRule

NAME = "require"
SCOPE = "caption"
PARAMS = {"fields": s.Fields()}
PLACEHOLDERS = ("field",)
FIXES: dict[str, bool] = {}


def fields_of(rule: ActiveRule) -> list[tuple[str, frozenset[int]]]:
    """(field name, sense ids that satisfy it): a field's alternatives pooled."""
    if "fields" not in rule.memo:
        fields = rule.params.get("fields") or (rule.lora.get("require", ()) if rule.lora else ())
        knowledge = rule.knowledge
        rule.memo["fields"] = [(field[0], knowledge.sense_ids(knowledge.select(field))) for field in fields]
    return rule.memo["fields"]


def check(caption, rule: ActiveRule) -> Iterator[Finding]:
    present = {i for hit in caption.hits for i in hit.senses}
    first_start, _ = caption.segments[0]
    _, last_end = caption.segments[-1]
    for name, ids in fields_of(rule):
        if present.isdisjoint(ids):
            label = name.rsplit(".", 1)[-1].replace("_", " ")
            yield rule.on(caption, first_start, last_end, rule.text(rule.message, field=label))
