"""Kind `dataset-size`: enough training images for the LoRA type, not too many.

Too few images and the LoRA memorises them; past the maximum more images
cost time and dilute the concept. The limits default to the LoRA type's
`images` (minimum..maximum) and `recommended` ranges; in a multi-concept
dataset (several kohya folders with their own triggers) each concept is
judged on its own.
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..findings import Finding
from ..active import ActiveRule

NAME = "dataset-size"
SCOPE = "dataset"
CASES = ("too_few", "too_many", "outside_recommended")
PARAMS = {
    "images": s.Span(integer=True),
    "recommended": s.Span(integer=True),
    "messages": s.Messages(CASES),
    "advice": s.Words(s.SEVERITIES, one=True),  # severity of outside_recommended
}
PLACEHOLDERS = ("count", "min", "max", "low", "high")
FIXES: dict[str, bool] = {}


def start() -> dict:
    return {"images": 0, "concepts": {}}  # concept folder (a kohya folder with a trigger) -> images


def fold(summary: dict, item, caption, rule: ActiveRule) -> None:
    if not item.images:
        return
    summary["images"] += 1
    if item.folder.trigger:
        summary["concepts"][item.folder.path] = summary["concepts"].get(item.folder.path, 0) + 1


def merge(first: dict, second: dict) -> dict:
    concepts = dict(first["concepts"])
    for path, count in second["concepts"].items():
        concepts[path] = concepts.get(path, 0) + count
    return {"images": first["images"] + second["images"], "concepts": concepts}


def judge(summary: dict, rule: ActiveRule, where: str) -> Iterator[Finding]:
    """One judgement for the dataset, or one per concept in a multi-concept dataset."""
    concepts = summary["concepts"]
    if len(concepts) > 1:
        prefix = "" if where == "." else where + "/"
        for path, count in sorted(concepts.items()):
            yield from _judge(count, rule, prefix + path)
    else:
        yield from _judge(summary["images"], rule, where)


def _judge(count: int, rule: ActiveRule, where: str) -> Iterator[Finding]:
    lora = rule.lora
    limits = rule.params.get("images") or (lora.get("images") if lora else None)
    advised = rule.params.get("recommended") or (lora.get("recommended") if lora else None)
    values = {"count": count}
    if limits:
        values.update(min=limits[0], max=limits[1])
    if advised:
        values.update(low=advised[0], high=advised[1])
    if limits and count < limits[0]:
        yield rule.at(where, rule.case_message("too_few", **values))
    elif limits and count > limits[1]:
        yield rule.at(where, rule.case_message("too_many", **values))
    elif advised and not advised[0] <= count <= advised[1]:
        yield rule.at(where, rule.case_message("outside_recommended", **values), rule.params.get("advice", "info"))
