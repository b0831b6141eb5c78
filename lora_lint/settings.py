"""`.lora-lint.yaml`: a dataset's settings, found by walking up, validated.

Errors name the file and the line of the offending key; unknown keys get the
nearest known one. Which LoRA types and models exist is the packs' business,
so `check_names` validates those once the packs are compiled.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import LoraLintError, did_you_mean

SETTINGS_FILE = ".lora-lint.yaml"
HAIRSTYLES = ("single", "multiple")


@dataclass
class Settings:
    """A dataset's settings; every key is optional."""

    path: Path | None = None
    lora: str | None = None
    model: str | None = None
    trigger: str | None = None
    klass: str | None = None
    hairstyles: str = "single"
    features: list[str] = field(default_factory=list)
    fps: float | None = None
    packs: list[Path] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    caption_extension: str = ".txt"
    exclude: list[str] = field(default_factory=list)  # globs of files that are not dataset items (notes, prompt lists)
    lines: dict[str, int] = field(default_factory=dict)  # key -> line in the file

    def where(self, key: str) -> str:
        """`path:line` of a key, for messages."""
        line = self.lines.get(key)
        return f"{self.path}:{line}" if line else str(self.path)


def _text(value: Any, key: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"'{key}' takes a text")
    return value.strip()


def _texts(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"'{key}' takes a list of texts")
    return list(value)


def _severities(value: Any, key: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f"'{key}' maps rule names to error, warning, info or off")
    levels = {}
    for rule, level in value.items():
        level = "off" if level is False else level  # YAML 1.1 reads a bare `off` as false
        if level not in ("error", "warning", "info", "off"):
            raise ValueError(f"severity of '{rule}' must be error, warning, info or off, not {level!r}")
        levels[str(rule)] = level
    return levels


def _path_ignores(value: Any, key: str) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ValueError(f"'{key}' maps path patterns to lists of rule names")
    return {str(k): _texts(v, f"{key}: {k}") for k, v in value.items()}


def _choice(choices):
    def read(value: Any, key: str) -> str:
        if value not in choices:
            raise ValueError(f"'{key}' is one of {', '.join(choices)}, not {value!r}{did_you_mean(str(value), choices)}")
        return value

    return read


def _fps(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"'{key}' takes a positive number")
    return float(value)


def _extension(value: Any, key: str) -> str:
    text = _text(value, key)
    return text if text.startswith(".") else "." + text


_KEYS = {
    "lora": ("lora", _text),
    "model": ("model", _text),
    "trigger": ("trigger", _text),
    "class": ("klass", _text),
    "hairstyles": ("hairstyles", _choice(HAIRSTYLES)),
    "features": ("features", _texts),
    "fps": ("fps", _fps),
    "packs": ("packs", _texts),
    "select": ("select", _texts),
    "ignore": ("ignore", _texts),
    "severity": ("severity", _severities),
    "per-path-ignores": ("per_path_ignores", _path_ignores),
    "caption_extension": ("caption_extension", _extension),
    "exclude": ("exclude", _texts),
}


def find_settings(start: Path) -> Path | None:
    """The nearest `.lora-lint.yaml` in `start` (a folder or file) or above it."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / SETTINGS_FILE).is_file():
            return candidate / SETTINGS_FILE
    return None


def load_settings(path: Path) -> Settings:
    """Read and validate a settings file; `LoraLintError` names file and line."""
    import yaml

    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise LoraLintError(f"cannot read settings: {error.strerror or error}", str(path)) from None
    except UnicodeDecodeError:
        raise LoraLintError("settings file is not UTF-8", str(path)) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise LoraLintError(f"broken YAML: {problem}", where) from None
    settings = Settings(path=path)
    if data is None:
        return settings
    if not isinstance(data, dict):
        raise LoraLintError("settings must be a mapping of keys to values", str(path))
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        if key_node.value in lines:
            raise LoraLintError(f"key '{key_node.value}' is set twice (first on line {lines[key_node.value]})", f"{path}:{key_node.start_mark.line + 1}")
        lines[str(key_node.value)] = key_node.start_mark.line + 1
    settings.lines = lines
    for key, value in data.items():
        key = str(key)
        where = f"{path}:{lines.get(key, 1)}"
        if key not in _KEYS:
            raise LoraLintError(f"unknown key '{key}'{did_you_mean(key, _KEYS)}", where)
        attribute, read = _KEYS[key]
        try:
            setattr(settings, attribute, read(value, key))
        except ValueError as error:
            raise LoraLintError(str(error), where) from None
    settings.packs = [(path.parent / p) for p in settings.packs]  # type: ignore[operator]
    return settings


def check_names(settings: Settings, loras, models) -> None:
    """Raise if the LoRA type or model is not one the packs declare."""
    for key, value, known in (("lora", settings.lora, loras), ("model", settings.model, models)):
        if value is not None and value not in known:
            names = ", ".join(sorted(known))
            raise LoraLintError(f"unknown {key} '{value}' (known: {names}){did_you_mean(value, known)}", settings.where(key))
