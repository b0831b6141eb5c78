"""Kind `image-quality`: images a trainer can learn well from.

Below the model's native pixel count the trainer upscales and the LoRA
learns blur; JPEG below quality 95 teaches compression artifacts; a cut-off
or unreadable file crashes training or trains garbage; CMYK and alpha
channels are converted in ways that shift colours or put black behind
transparency; an EXIF rotation that the trainer ignores trains the image on
its side; an extreme aspect ratio is cropped hard by the buckets.
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding

NAME = "image-quality"
SCOPE = "dataset"
NEEDS_IMAGES = True
CASES = ("unreadable", "truncated", "resolution", "format", "jpeg_quality", "cmyk", "alpha", "rotated", "aspect")
PARAMS = {
    "formats": s.Words(),  # image formats that train well
    "min_quality": s.Number(integer=True),
    "max_aspect": s.Span(unit="x"),
    "minor": s.Words(CASES),
    "messages": s.Messages(CASES),
}
PLACEHOLDERS = ("width", "height", "native", "format", "quality", "aspect", "error")
FIXES: dict[str, bool] = {}


def start() -> list:
    return []  # (path, case, values): only problems are kept


# Trainers bucket by area: an 832x1216 image fills SDXL's 832x1216 bucket of a
# 1024x1024 budget unscaled. The model's buckets hold 15/16 of its native area
# or more (1536x640 of 1024x1024), so only images below that are upscaled.
BUCKET_AREA = 15 / 16


def problems(facts, rule: ActiveRule) -> list[tuple[str, dict]]:
    """(case, values) for each problem of one image (most images have none:
    the checks come first, the values only for a problem)."""
    if facts.error:
        return [("unreadable", {"error": facts.error})]
    area, formats, minimum, limit = _limits(rule)
    width, height = facts.width, facts.height
    aspect = max(width, height) / max(1, min(width, height))
    cases = []
    if facts.truncated:
        cases.append("truncated")
    if area is not None and width * height < area[0]:
        cases.append("resolution")
    if formats and facts.format and facts.format.lower() not in formats:  # "": only the size is known
        cases.append("format")
    if minimum and facts.quality is not None and facts.quality < minimum:
        cases.append("jpeg_quality")
    if facts.mode == "CMYK":
        cases.append("cmyk")
    if facts.alpha:
        cases.append("alpha")
    if facts.orientation not in (0, 1):
        cases.append("rotated")
    if limit and aspect > limit[0]:
        cases.append("aspect")
    if not cases:
        return []
    values = {"width": width, "height": height, "format": facts.format, "quality": facts.quality}
    extra = {"resolution": {"native": area[1]} if area else {}, "aspect": {"aspect": f"{aspect:.1f}:1"}}
    return [(case, {**values, **extra.get(case, {})}) for case in cases]


def _limits(rule: ActiveRule) -> tuple:
    """(the least pixel area and the native size it is of, formats, least JPEG quality, widest aspect), once per rule."""
    if "limits" not in rule.memo:
        model = rule.model
        native = model.get("resolution") if model else None
        area = (native[0][0] * native[0][1] * BUCKET_AREA, f"{native[0][0]}x{native[0][1]}") if native else None
        params = rule.params
        rule.memo["limits"] = (area, params.get("formats"), params.get("min_quality"), params.get("max_aspect"))
    return rule.memo["limits"]


def fold(summary: list, item, caption, rule: ActiveRule) -> None:
    store = rule.context.get("images")
    if store is None:
        return
    if item.media != "image":
        return  # clips are video-clip's
    for index, path in enumerate(item.images):
        for case, values in problems(store.facts(path), rule):
            shown = item.path if item.caption is None and index == 0 else item.shown(path)
            summary.append((shown, case, values))


def merge(first: list, second: list) -> list:
    return first + second


def judge(summary: list, rule: ActiveRule, where: str) -> Iterator[Finding]:
    minor = set(rule.params.get("minor", ()))
    for path, case, values in summary:
        yield rule.at(path, rule.case_message(case, **values), "info" if case in minor else None)
