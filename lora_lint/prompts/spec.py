"""A prompt request from the command line and an optional YAML spec file.

The spec file takes the flags' names (`type`, `model`, `count`, `class`...)
and the recipe's inputs, at the top level or under `inputs:`; a flag given on
the command line wins over the file.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import LoraLintError, did_you_mean, read_utf8
from .generate import Request

SETTINGS = ("type", "model", "count", "seed", "trigger", "class", "anchor", "lang", "phrasing", "reference",
            "regularization", "repeats", "packs", "inputs")
_TYPES = {"count": int, "seed": int, "repeats": int, "regularization": (int, float), "reference": bool}


def read_spec(path: Path) -> dict[str, Any]:
    """The spec file's settings, checked; errors name the file (and line)."""
    import yaml

    text = read_utf8(path, "spec file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise LoraLintError(f"{where}: not valid YAML: {getattr(error, 'problem', None) or error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise LoraLintError("a spec file holds settings (key: value), not a list or a single value", str(path))
    for key, value in data.items():
        wanted = _TYPES.get(key)
        if wanted and (not isinstance(value, wanted) or isinstance(value, bool) != (wanted is bool)):
            raise LoraLintError(f"'{key}' takes {'yes or no' if wanted is bool else 'a number'}, not {value!r}", str(path))
        if key == "inputs" and not isinstance(value, dict):
            raise LoraLintError("'inputs' takes names and texts (age: 25)", str(path))
        if key == "packs" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise LoraLintError("'packs' takes a list of pack files", str(path))
    return data


def request_from(args) -> tuple[Request, list[Path], int]:
    """The request, the extra packs and the kohya repeats that args (and
    `--spec`) ask for."""
    spec = read_spec(args.spec) if args.spec else {}
    base = args.spec.parent if args.spec else Path.cwd()
    inputs = {str(k): str(v) for k, v in (spec.get("inputs") or {}).items()}
    for key, value in spec.items():  # inputs may sit at the top level too
        if key not in SETTINGS:
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise LoraLintError(f"unknown setting '{key}' (settings: {', '.join(SETTINGS)}){did_you_mean(key, SETTINGS)}", str(args.spec))
            inputs[str(key)] = str(value)
    for name, value in vars(args).items():
        if name.startswith("input_") and value is not None:
            inputs[name.removeprefix("input_")] = value
    for given in args.input:
        name, equals, value = given.partition("=")
        if not equals or not name.strip():
            raise LoraLintError(f"--input takes NAME=VALUE, not '{given}'")
        inputs[name.strip()] = value.strip()

    def pick(flag: str, key: str, default: Any = None) -> Any:
        value = getattr(args, flag)
        return value if value is not None else spec.get(key, default)

    lora = pick("lora", "type")
    model = pick("model", "model")
    if not lora or not model:
        raise LoraLintError("say what to generate: --type TYPE --model MODEL (or 'type:' and 'model:' in --spec)")
    request = Request(
        lora=str(lora),
        model=str(model),
        count=pick("count", "count"),
        seed=pick("seed", "seed", 0),
        trigger=str(pick("trigger", "trigger", "ohwx")),
        klass=str(pick("klass", "class", "") or ""),
        inputs=inputs,
        anchor=pick("anchor", "anchor"),
        lang=str(pick("lang", "lang", "en")),
        phrasing=pick("phrasing", "phrasing"),
        reference=bool(pick("reference", "reference", False)),
        regularization=pick("regularization", "regularization"),
    )
    packs = [(base / p) for p in spec.get("packs", ())] + list(args.pack)
    return request, packs, pick("repeats", "repeats", 10)
