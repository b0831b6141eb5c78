"""Kind `trainer`: what trainers would silently do to this dataset.

kohya trains on a caption file's first line only (OneTrainer on every line
as its own caption) and stops on an empty one; kohya skips folders whose names do not start with `<repeats>_`; with a
`dataset_config.toml` it reads captions with that file's
`caption_extension` (default `.caption`, not `.txt`, so `.txt` captions are
ignored without a word) from each subset's `image_dir`; and with
`shuffle_caption` only the first `keep_tokens` tags stay in place, so a
trigger further back is shuffled away.
"""
from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding

NAME = "trainer"
SCOPE = "dataset"
CASES = ("lines", "empty", "skipped_folder", "caption_extension", "missing_dir", "keep_tokens", "bad_config")
PARAMS = {"messages": s.Messages(CASES)}
PLACEHOLDERS = ("folder", "config", "extension", "found", "keep", "index", "error", "count")
FIXES: dict[str, bool] = {}
READS = ("*.toml",)  # files of the dataset root it judges besides the items: judged again on every run


def start() -> dict:
    return {"kohya": set(), "plain": set(), "late_trigger": [], "captions": []}


def fold(summary: dict, item, caption, rule: ActiveRule) -> None:
    folder = item.folder
    if item.images and folder.path != ".":
        summary["kohya" if folder.repeats is not None else "plain"].add(folder.path)
    if caption is not None and not {"binary", "unreadable"} & set(caption.problems):
        lines = [line for line in caption.text.splitlines() if line.strip()]
        if not caption.text.split("\n", 1)[0].strip():
            summary["captions"].append((item.path, "empty", 0))
        elif len(lines) > 1:
            summary["captions"].append((item.path, "lines", len(lines)))
    if caption is not None and caption.trigger_spans:
        index = next(i for i, (a, b) in enumerate(caption.segments) if a <= caption.trigger_spans[0][0] < b)
        if index:
            summary["late_trigger"].append((item.path, index))


def merge(first: dict, second: dict) -> dict:
    return {
        "kohya": first["kohya"] | second["kohya"],
        "plain": first["plain"] | second["plain"],
        "late_trigger": first["late_trigger"] + second["late_trigger"],
        "captions": first["captions"] + second["captions"],
    }


def _configs(root: Path | None) -> list[tuple[Path, dict | str]]:
    """kohya dataset configs at the dataset root: (path, parsed or the error)."""
    found = []
    for path in sorted(root.glob("*.toml")) if root else []:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            found.append((path, str(error)))
            continue
        if isinstance(data.get("datasets"), list):
            found.append((path, data))
    return found


def _subsets(config: dict) -> Iterator[dict]:
    """Each subset with the keys it inherits from its dataset and [general]."""
    general = config.get("general", {})
    for dataset in config.get("datasets", []):
        for subset in dataset.get("subsets", []):
            yield {**general, **dataset, **subset}


def judge(summary: dict, rule: ActiveRule, where: str) -> Iterator[Finding]:
    prefix = "" if where == "." else where + "/"
    for path, case, count in summary["captions"]:
        yield rule.at(path, rule.case_message(case, count=count))
    if summary["kohya"]:
        for folder in sorted(summary["plain"]):
            yield rule.at(prefix + folder, rule.case_message("skipped_folder", folder=folder))
    root = rule.context.get("root")
    ours = rule.context.get("caption_extension") or ".txt"
    for path, config in _configs(root):
        name = path.name
        if isinstance(config, str):
            yield rule.at(prefix + name, rule.case_message("bad_config", config=name, error=config.splitlines()[0]))
            continue
        findings: dict[tuple, Finding] = {}  # subsets share keys: report each problem once
        for subset in _subsets(config):
            extension = subset.get("caption_extension", ".caption")
            if extension != ours and "metadata_file" not in subset:
                message = rule.case_message("caption_extension", config=name, extension=extension, found=ours)
                findings.setdefault(("extension", extension), rule.at(prefix + name, message))
            image_dir = subset.get("image_dir")
            if image_dir and not (root / image_dir).is_dir() and not Path(image_dir).is_dir():
                message = rule.case_message("missing_dir", config=name, folder=image_dir)
                findings.setdefault(("dir", image_dir), rule.at(prefix + name, message))
            if subset.get("shuffle_caption"):
                keep = int(subset.get("keep_tokens", 0))
                late = [(p, i) for p, i in summary["late_trigger"] if i >= keep]
                if keep == 0:
                    late = [(prefix + name, 0)]
                for caption_path, index in late:
                    message = rule.case_message("keep_tokens", config=name, keep=keep, index=index + 1)
                    findings.setdefault(("keep", caption_path), rule.at(caption_path, message))
        yield from findings.values()
