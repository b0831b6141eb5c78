"""Kind `video`: clips the video model can train on.

A video LoRA's clips are folders of frames (a caption beside each folder,
`clip01.txt` for `clip01/`) or video files. Each model trains on a range of
frame counts (Wan 16-81, HunyuanVideo and CogVideoX 16-49); clips of 2-5
seconds at a steady frame rate (the settings' `fps`) move enough to learn
and little enough to stay one action; every frame of a clip must be the
same size. Frame counts of video files need a decoder and are not checked.
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding

NAME = "video"
SCOPE = "dataset"
NEEDS_IMAGES = True
CASES = ("frames", "seconds", "sizes", "resolution", "empty", "image_model", "no_fps")
PARAMS = {"seconds": s.Span(), "messages": s.Messages(CASES)}
PLACEHOLDERS = ("count", "low", "high", "seconds", "sizes")
FIXES: dict[str, bool] = {}


def start() -> dict:
    return {"problems": [], "clips": 0}


def fold(summary: dict, item, caption, rule: ActiveRule) -> None:
    if item.media != "frames":
        return
    summary["clips"] += 1
    count = len(item.images)
    if not count:
        summary["problems"].append((item.path, "empty", {}))
        return
    frames = rule.model.get("frames") if rule.model else None
    if frames and not frames[0] <= count <= frames[1]:
        summary["problems"].append((item.path, "frames", {"count": count, "low": frames[0], "high": frames[1]}))
    fps, seconds = rule.context.get("fps"), rule.params.get("seconds")
    if fps and seconds and not seconds[0] <= count / fps <= seconds[1]:
        values = {"count": count, "seconds": f"{count / fps:.1f}", "low": f"{seconds[0]:g}", "high": f"{seconds[1]:g}"}
        summary["problems"].append((item.path, "seconds", values))
    store = rule.context.get("images")
    if store is None:
        return
    ends = [f for f in (store.facts(item.images[0]), store.facts(item.images[-1])) if not f.error]
    sizes = {(f.width, f.height) for f in ends}
    if len(sizes) > 1:
        shown = ", ".join(f"{w}x{h}" for w, h in sorted(sizes))
        summary["problems"].append((item.path, "sizes", {"sizes": shown}))
    native = rule.model.get("resolution") if rule.model and rule.model.get("video") else None
    if native and ends and min(ends[0].width, ends[0].height) < min(native[0]):
        values = {"sizes": f"{ends[0].width}x{ends[0].height}", "low": f"{native[0][0]}x{native[0][1]}"}
        summary["problems"].append((item.path, "resolution", values))


def merge(first: dict, second: dict) -> dict:
    return {"problems": first["problems"] + second["problems"], "clips": first["clips"] + second["clips"]}


def judge(summary: dict, rule: ActiveRule, where: str) -> Iterator[Finding]:
    for path, case, values in summary["problems"]:
        yield rule.at(path, rule.case_message(case, **values))
    model = rule.model
    if summary["clips"] and model is not None and not model.get("video"):
        yield rule.at(where, rule.case_message("image_model", count=summary["clips"]))
    if summary["clips"] and not rule.context.get("fps") and rule.params.get("seconds"):
        yield rule.at(where, rule.case_message("no_fps", count=summary["clips"]), "info")
