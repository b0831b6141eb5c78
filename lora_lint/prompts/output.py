"""A prompt set as lines, JSON or CSV, as a dataset skeleton, and its summary."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import IO, Any

from ..errors import LoraLintError
from ..files import write_texts
from .generate import PromptSet


def as_lines(prompt_set: PromptSet, stream: IO[str]) -> None:
    """One prompt a line, nothing else: for a generation script's input."""
    for prompt in prompt_set.prompts:
        stream.write(prompt.prompt + "\n")


def to_json(prompt_set: PromptSet) -> dict[str, Any]:
    """Everything generated, with the summary, as one JSON document."""
    request = prompt_set.request
    total = len(prompt_set.prompts)
    return {
        "version": 1,
        "lora": request.lora,
        "model": request.model,
        "phrasing": prompt_set.phrasing,
        "lang": request.lang,
        "seed": request.seed,
        "count": total,
        "resolution": "{}x{}".format(*prompt_set.resolution),
        "trigger": request.trigger,
        "class": request.klass,
        "anchor": prompt_set.anchor,
        "negative": prompt_set.negative,
        "prompts": [
            {"number": p.number, "prompt": p.prompt, "caption": p.caption, "seed": p.seed, "rows": p.rows, "parts": p.picks, "pose_hint": p.hint}
            for p in prompt_set.prompts
        ],
        "regularization": prompt_set.regularization,
        "distribution": [
            {"table": t.table, "row": t.row, "target": [round(t.low, 1), round(t.high, 1)], "count": t.count, "share": round(t.share(total), 1)}
            for t in prompt_set.targets
        ],
        "variety": variety(prompt_set),
        "seeds": prompt_set.seeds,
        "notes": prompt_set.notes,
    }


def as_csv(prompt_set: PromptSet, stream: IO[str]) -> None:
    """number, seed, prompt, caption, negative, pose hint, then a column per split."""
    splits = sorted({name for p in prompt_set.prompts for name in p.rows})
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["number", "seed", "prompt", "caption", "negative", "pose_hint", *splits])
    for p in prompt_set.prompts:
        writer.writerow([p.number, p.seed, p.prompt, p.caption, prompt_set.negative or "", p.hint, *(p.rows.get(s, "") for s in splits)])


def variety(prompt_set: PromptSet) -> dict[str, dict[str, int]]:
    """Per slot: prompts that have it, and how many distinct choices they hold."""
    out: dict[str, dict[str, int]] = {}
    for prompt in prompt_set.prompts:
        for slot, text in prompt.picks.items():
            entry = out.setdefault(slot, {"prompts": 0, "distinct": set()})
            entry["prompts"] += 1
            entry["distinct"].add(text)
    return {slot: {"prompts": e["prompts"], "distinct": len(e["distinct"])} for slot, e in out.items()}


def print_summary(prompt_set: PromptSet, stream: IO[str], color: bool | None = None) -> None:
    """The distribution achieved next to its target, and each slot's variety."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream, no_color=color is False, force_terminal=color, highlight=False, width=100)
    request, total = prompt_set.request, len(prompt_set.prompts)
    console.print(f"[bold]{total} {request.lora} prompts[/] for {prompt_set.model.get('title', request.model)}, "
                  f"{prompt_set.phrasing}, {request.lang}, seed {request.seed}, {prompt_set.resolution[0]}x{prompt_set.resolution[1]}")
    if prompt_set.targets:
        table = Table("distribution", "row", "target", "prompts", "share", show_edge=False, highlight=False)
        for target in prompt_set.targets:
            share = target.share(total)
            inside = target.low - 0.05 <= share <= target.high + 0.05
            mark = "" if inside else " [yellow](off target at this size)[/]"
            table.add_row(target.table, target.row.rsplit(".", 1)[-1].replace("_", " "), f"{target.low:.0f}%-{target.high:.0f}%",
                          str(target.count), f"{share:.0f}%{mark}")
        console.print(table)
    slots = Table("slot", "in prompts", "distinct choices", show_edge=False, highlight=False)
    for slot, numbers in variety(prompt_set).items():
        slots.add_row(slot, str(numbers["prompts"]), str(numbers["distinct"]))
    console.print(slots)
    if prompt_set.seeds:
        shown = ", ".join(f"{row.rsplit('.', 1)[-1].replace('_', ' ')} {seed}" for row, seed in prompt_set.seeds.items())
        console.print(f"seeds per batch: {shown}")
    if prompt_set.regularization:
        console.print(f"{len(prompt_set.regularization)} regularization prompts: \"{prompt_set.regularization[0]}\"")
    for note in prompt_set.notes:
        console.print(f"note: {note}")


def folder_name(repeats: int, *words: str) -> str:
    """A kohya image folder: `10_ohwx woman`."""
    return f"{repeats}_" + " ".join(w for w in words if w)


def write_dataset(prompt_set: PromptSet, out: Path, repeats: int = 10, force: bool = False) -> list[Path]:
    """A dataset skeleton: prompts, negative, numbered captions in a kohya
    folder, regularization captions, and the `.lora-lint.yaml` to check it with.

    A folder that holds anything already is written into only with `force`,
    and then only these files are replaced.
    """
    if out.exists() and not out.is_dir():
        raise LoraLintError("exists and is not a folder", str(out))
    if out.is_dir() and any(out.iterdir()) and not force:
        raise LoraLintError("folder is not empty: choose a new one, or --force to replace the files lora-lint writes there", str(out))
    request = prompt_set.request
    video = bool(prompt_set.model.get("video"))
    width = len(str(len(prompt_set.prompts)))
    written: dict[Path, str] = {
        out / "prompts.txt": "".join(p.prompt + "\n" for p in prompt_set.prompts),
        out / "prompts.json": json.dumps(to_json(prompt_set), ensure_ascii=False, indent=2) + "\n",
        out / ".lora-lint.yaml": settings_text(prompt_set),
    }
    if prompt_set.negative:
        written[out / "negative.txt"] = prompt_set.negative + "\n"
    images = out / "img" / folder_name(repeats, request.trigger, request.klass)
    for prompt in prompt_set.prompts:
        written[images / f"{prompt.number:0{width}d}.txt"] = prompt.caption + "\n"
    if prompt_set.regularization:
        written[out / "reg-prompts.txt"] = "".join(p + "\n" for p in prompt_set.regularization)
        reg = out / "reg" / folder_name(1, request.klass)
        digits = len(str(len(prompt_set.regularization)))
        stem = request.klass.replace(" ", "_")
        for number, text in enumerate(prompt_set.regularization, 1):
            written[reg / f"{stem}_{number:0{digits}d}.txt"] = text + "\n"
    write_texts(written)
    first, second = (f"{n:0{width}d}" for n in (1, 2))
    where = f"clip folders of PNG frames named like the captions ({first}/, {second}/...)" if video else f"images named like the captions ({first}.png, {second}.png...)"
    prompt_set.notes.append(f"generate {where} into '{images.relative_to(out).as_posix()}', then run: lora-lint check {out}")
    return sorted(written)


def settings_text(prompt_set: PromptSet) -> str:
    """The `.lora-lint.yaml` that checks the dataset these prompts make."""
    import yaml

    request = prompt_set.request
    settings: dict[str, Any] = {"lora": request.lora, "model": request.model, "trigger": request.trigger}
    if request.klass:
        settings["class"] = request.klass
    if request.lora == "character":
        settings["hairstyles"] = "single"
    if prompt_set.features:
        settings["features"] = prompt_set.features
    settings["exclude"] = ["prompts.txt", "negative.txt", "reg-prompts.txt"]  # prompt lists, not captions
    fps = prompt_set.model.get("fps")
    if prompt_set.model.get("video") and fps:
        settings["fps"] = int(fps[0]) if float(fps[0]).is_integer() else fps[0]
    head = f"# Written by lora-lint prompts ({request.lora}, {request.model}, seed {request.seed}).\n"
    return head + yaml.safe_dump(settings, allow_unicode=True, sort_keys=False)
