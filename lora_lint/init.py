"""`lora-lint init [PATH]`: a commented `.lora-lint.yaml` for a dataset.

What the folders say is read first: kohya folder names give the trigger and
class (`10_ohwx woman`), the class word the LoRA type (each type's `classes`
in the packs), clips the video type, and the images' size the model (the
model whose native size is nearest). What is still unknown is asked when
standard input is a terminal, or left for the user (a commented line)
when it is not; `--lora`, `--model`, `--trigger` and `--class` win over
any guess.
"""
from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import LoraLintError, did_you_mean
from .files import write_texts
from .settings import SETTINGS_FILE, Settings

KEYS = ("lora", "model", "trigger", "class")


@dataclass
class Choice:
    """A settings value and why it was chosen ('' when nothing is known)."""

    value: str | None = None
    reason: str = ""


def guess(path: Path, plugins, knowledge) -> dict[str, Choice]:
    """What the dataset at PATH says of its LoRA type, model, trigger and class."""
    from .plan.survey import survey

    choices = {key: Choice() for key in KEYS}
    try:
        found = survey(path, plugins, knowledge, Settings())
    except LoraLintError:  # no training images yet: nothing to read from
        return choices
    concepts = [c for c in found.concepts() if c.trigger]
    if len(concepts) == 1:
        concept = concepts[0]
        where = ", ".join(f.relative for f in concept.folders)
        choices["trigger"] = Choice(concept.trigger, f"the kohya folder {where}")
        if concept.klass:
            choices["class"] = Choice(concept.klass, f"the kohya folder {where}")
    elif len(concepts) > 1:
        named = ", ".join(f"{c.trigger} ({c.folders[0].relative})" for c in concepts)
        choices["trigger"] = Choice(None, f"several concepts, each named by its kohya folder: {named}")
    media = {f.media for f in found.train}
    if media & {"frames", "video"}:
        choices["lora"] = Choice("video", "the dataset holds clips")
    else:
        words = {(c.klass or "").lower() for c in concepts} - {""}
        for name, lora in knowledge.loras.items():
            matched = words & set(lora.get("classes", ()))
            if matched:
                choices["lora"] = Choice(name, f"the class word '{sorted(matched)[0]}' of the kohya folders")
                break
    choices["model"] = _model(found, knowledge, bool(media & {"frames", "video"}))
    return choices


def _model(found, knowledge, video: bool) -> Choice:
    """The model whose native size is nearest the images' median size."""
    if not found.short_sides:
        return Choice()
    side = found.median_short_side
    best, distance = None, math.inf
    for name, model in knowledge.models.items():  # in declaration order: the first of equals wins
        if bool(model.get("video")) != video or not model.get("resolution"):
            continue
        width, height = model.get("resolution")[-1]
        gap = abs(math.log(side / min(width, height)))
        if gap < distance - 1e-9:
            best, distance = name, gap
    if best is None:
        return Choice()
    native = knowledge.models[best].get("resolution")[-1]
    alike = [n for n, m in knowledge.models.items() if n != best and m.get("resolution") and m.get("resolution")[-1] == native]
    also = f"; {', '.join(alike)} train at this size too" if alike else ""
    return Choice(best, f"the images' size: their median short side, {side} px, is nearest {best}'s {native[0]}x{native[1]}{also}")


def settle(choices: dict[str, Choice], given: dict[str, str | None], knowledge, ask: Callable[[str, str, list[str]], str] | None) -> dict[str, Choice]:
    """The guesses with the flags given over them, and, with `ask`, the rest asked for."""
    known = {"lora": list(knowledge.loras), "model": list(knowledge.models)}
    for key, value in given.items():
        if value is None:
            continue
        if key in known and value not in known[key]:
            raise LoraLintError(f"unknown {'LoRA type' if key == 'lora' else key} '{value}'{did_you_mean(value, known[key])} ({', '.join(known[key])})")
        choices[key] = Choice(value, "given")
    if ask is not None:
        for key in KEYS:
            if choices[key].value is None and not (key == "trigger" and choices[key].reason) and not (key == "class" and choices["trigger"].value is None):
                answer = ask(key, choices[key].reason, known.get(key, []))
                if answer:
                    if key in known and answer not in known[key]:
                        raise LoraLintError(f"unknown {key} '{answer}'{did_you_mean(answer, known[key])}")
                    choices[key] = Choice(answer, "answered")
    return choices


_ABOUT = {
    "lora": "What the LoRA learns ({choices}): the rules that apply follow from it.",
    "model": "The base model it trains on ({choices}): caption style, sizes and token limits follow from it.",
    "trigger": "The word every caption starts with, that the LoRA binds what it learns to.",
    "class": "The class word after the trigger (kohya folder '<repeats>_<trigger> <class>').",
}


def render(choices: dict[str, Choice], knowledge) -> str:
    """The settings file: each key with what it is for and where its value came from."""
    lines = [
        "# lora-lint settings for this dataset, written by `lora-lint init` (edit freely).",
        "# `lora-lint rules` lists the rules; `lora-lint explain RULE` says why each matters.",
    ]
    listed = {"lora": ", ".join(knowledge.loras), "model": ", ".join(knowledge.models)}
    for key in KEYS:
        choice = choices[key]
        lines += ["", "# " + _ABOUT[key].format(choices=listed.get(key, ""))]
        if choice.reason and choice.reason not in ("given", "answered"):
            lines.append(f"# From {choice.reason}.")
        value = yaml.safe_dump({key: choice.value}, allow_unicode=True, default_flow_style=True).strip()[1:-1]
        lines.append(value if choice.value is not None else f"# {key}: ")
    lines += [
        "",
        "# More, when they apply:",
        "# hairstyles: multiple                       # several hairstyles: each caption names its own",
        "# features: [logo]                           # an object's fixed features, which captions leave out",
        "# fps: 16                                    # clips' frame rate, to check their length",
        "# packs: [my-rules.lora]                     # rule packs of your own",
        '# per-path-ignores: {"img/5_reg woman/*": [trigger-word]}',
        "# exclude: [notes.txt]                       # files that are not part of the dataset",
    ]
    return "\n".join(lines) + "\n"


def ask_terminal(key: str, reason: str, known: list[str]) -> str:
    """Ask for one value on the terminal (empty: leave it unset)."""
    offered = f" ({', '.join(known)})" if known else ""
    hint = f" [{reason}]" if reason else ""
    try:
        return input(f"{key}{offered}{hint}: ").strip()
    except EOFError:
        return ""


def init(path: Path, given: dict[str, str | None], force: bool, plugins, knowledge, interactive: bool | None = None) -> tuple[Path, dict[str, Choice]]:
    """Write PATH/.lora-lint.yaml; return it and the choices made."""
    if not path.is_dir():
        raise LoraLintError("no such folder" if not path.exists() else "not a folder: give the dataset's root", str(path))
    target = path / SETTINGS_FILE
    if (target.exists() or target.is_symlink()) and not force:
        raise LoraLintError("a settings file is already here: --force writes over it", str(target))
    interactive = sys.stdin.isatty() if interactive is None else interactive
    choices = settle(guess(path, plugins, knowledge), given, knowledge, ask_terminal if interactive else None)
    try:
        write_texts({target: render(choices, knowledge)})  # never through a link
    except OSError as error:
        raise LoraLintError(f"cannot write the settings: {error.strerror or error}", str(target)) from None
    return target, choices

