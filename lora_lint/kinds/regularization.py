"""Kind `regularization`: class images in the amount the LoRA type wants.

Character and object LoRAs keep the class word ("woman", "handbag") from
drifting with 1x-5x regularization images of the class; style and concept
LoRAs do not need them. kohya cycles regularization images until they match
the training images, and ignores the rest: more reg images x repeats than
training images x repeats is wasted disk and time. The range defaults to the
LoRA type's `regularization`.
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding

NAME = "regularization"
SCOPE = "dataset"
CASES = ("missing", "unneeded", "ratio", "unused")
PARAMS = {"ratio": s.Span(unit="x"), "messages": s.Messages(CASES), "advice": s.Words(s.SEVERITIES, one=True)}
PLACEHOLDERS = ("train", "reg", "ratio", "low", "high")
FIXES: dict[str, bool] = {}


def start() -> dict:
    return {"train": 0, "reg": 0, "train_steps": 0, "reg_steps": 0}


def fold(summary: dict, item, caption, rule: ActiveRule) -> None:
    if not item.images:
        return
    subset = item.folder.subset
    summary[subset] += 1
    summary[f"{subset}_steps"] += item.folder.repeats or 1


def merge(first: dict, second: dict) -> dict:
    return {key: first[key] + second[key] for key in first}


def judge(summary: dict, rule: ActiveRule, where: str) -> Iterator[Finding]:
    wanted = rule.params.get("ratio") or (rule.lora.get("regularization") if rule.lora else None)
    train, reg = summary["train"], summary["reg"]
    if wanted is None or not train:
        return
    low, high = wanted
    values = {"train": train, "reg": reg, "ratio": f"{reg / train:.1f}x", "low": f"{low:g}x", "high": f"{high:g}x"}
    if reg == 0:
        if low > 0:
            yield rule.at(where, rule.case_message("missing", **values), rule.params.get("advice", "info"))
        return
    if high == 0:
        yield rule.at(where, rule.case_message("unneeded", **values))
    elif not low <= reg / train <= high:
        yield rule.at(where, rule.case_message("ratio", **values))
    if summary["reg_steps"] > summary["train_steps"]:
        yield rule.at(where, rule.case_message("unused", **values))
