"""Kind `dataset-size`: enough training images for the LoRA type, not too many.

Too few images and the LoRA memorises them; past the maximum more images
cost time and dilute the concept. The limits default to the LoRA type's
`images` (minimum..maximum) and `recommended` ranges.
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


def start() -> dict[str, int]:
    return {"images": 0}


def fold(summary: dict, item, caption, rule: ActiveRule) -> None:
    if item.images:
        summary["images"] += 1


def merge(first: dict, second: dict) -> dict:
    return {"images": first["images"] + second["images"]}


def judge(summary: dict, rule: ActiveRule, where: str) -> Iterator[Finding]:
    lora = rule.lora
    limits = rule.params.get("images") or (lora.get("images") if lora else None)
    advised = rule.params.get("recommended") or (lora.get("recommended") if lora else None)
    count = summary["images"]
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
