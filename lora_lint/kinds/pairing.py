"""Kind `pairing`: every image has its caption and every caption its image.

An image without a caption trains on the folder's class words or nothing;
kohya says so once, in a log line nobody reads. A caption without an image
is dead weight, often a renamed or deleted file. Two images with one stem
(`003.png`, `003.jpg`) share one caption file.
"""
from __future__ import annotations

import os
from collections.abc import Iterator

from .. import schema as s
from ..findings import Finding
from ..active import ActiveRule

NAME = "pairing"
SCOPE = "dataset"
CASES = ("no_caption", "no_image", "shared_caption")
PARAMS = {"messages": s.Messages(CASES), "minor": s.Words(CASES)}
PLACEHOLDERS = ("images",)
FIXES: dict[str, bool] = {}


def start() -> list[tuple[str, str, str]]:
    return []


def fold(summary: list, item, caption, rule: ActiveRule) -> None:
    if item.caption is None:
        summary.append(("no_caption", item.path, ""))
    elif item.media == "frames" and not item.images:
        summary.append(("no_image", item.path, ""))
    elif not item.images:
        summary.append(("no_image", item.path, ""))
    elif len(item.images) > 1 and item.media == "image":
        summary.append(("shared_caption", item.path, ", ".join(os.path.basename(p) for p in item.images)))


def merge(first: list, second: list) -> list:
    return first + second


def judge(summary: list, rule: ActiveRule, where: str) -> Iterator[Finding]:
    minor = set(rule.params.get("minor", ()))
    for case, path, images in summary:
        message = rule.case_message(case, images=images)
        yield rule.at(path, message, "info" if case in minor else None)
