"""The check pipeline: datasets -> items -> caption facts -> findings.

Map: each caption is analysed once (`caption.analyse`) and judged by the
caption rules. Reduce: dataset rules fold every item into a small summary
and judge it at the end. Rules are resolved once per context (LoRA type,
model, subset, trigger) and reused for every caption that shares it.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .caption import Caption, analyse
from .dataset import Item
from .errors import LoraLintError, did_you_mean
from .findings import SEVERITY_ORDER, Finding
from .kinds import ActiveRule
from .knowledge import Knowledge
from .packs import load_knowledge
from .plugins import Plugins
from .settings import Settings, check_names, find_settings, load_settings


@dataclass
class Options:
    """What the command line asked for."""

    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    config: Path | None = None
    progress: Callable[[int], None] | None = None


@dataclass
class DatasetSummary:
    """What was checked under one PATH."""

    path: str
    root: str
    settings: str | None
    lora: str | None
    model: str | None
    trigger: str | None
    captions: int = 0
    images: int = 0
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Result:
    """Findings of a check, with what they were found in."""

    findings: list[Finding] = field(default_factory=list)
    datasets: list[DatasetSummary] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # caption text of files with findings

    def counts(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def failed(self, fail_on: str) -> bool:
        """Whether any finding is at or above the failing severity."""
        return any(SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[fail_on] for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "findings": [f.to_json() for f in self.findings],
            "summary": {"counts": self.counts(), "datasets": [d.to_json() for d in self.datasets]},
        }


def check(paths: list[Path], plugins: Plugins, options: Options) -> Result:
    """Check every PATH and return all findings, sorted by path and position."""
    result = Result()
    for path in paths:
        if not path.exists():
            raise LoraLintError("no such file or folder", str(path))
        _DatasetRun(path, plugins, options, result).run()
    result.findings.sort(key=Finding.sort_key)
    return result


def chosen_rules(knowledge: Knowledge, options: Options, settings: Settings) -> list[str]:
    """Rule names left after --select/--ignore and the settings' select/ignore."""
    for source, names in (("--select", options.select), ("--ignore", options.ignore), ("select", settings.select), ("ignore", settings.ignore), ("severity", list(settings.severity))):
        for name in names:
            if name not in knowledge.rules:
                where = settings.where(source) if source in ("select", "ignore", "severity") else None
                raise LoraLintError(f"unknown rule '{name}' in {source}{did_you_mean(name, knowledge.rules)}", where)
    selected = options.select or settings.select or list(knowledge.rules)
    ignored = set(options.ignore) | set(settings.ignore)
    return [name for name in knowledge.rules if name in selected and name not in ignored]


def resolve(rule, context: dict[str, Any], settings: Settings, kinds: dict, knowledge: Knowledge) -> ActiveRule | None:
    """The rule as it applies in a context, or None if it does not (or is off)."""
    if not rule.applies(context):
        return None
    severity = settings.severity.get(rule.name) or rule.value("severity", context, "warning")
    if severity == "off":
        return None
    kind = kinds[rule.kind]
    params = {name: value for name in kind.PARAMS if (value := rule.value(name, context)) is not None}
    fix = rule.value("fix", context)
    message = rule.value("message", context, "")
    return ActiveRule(rule.name, kind, severity, message, None if fix == "none" else fix, params, context, knowledge)


def context_of(settings: Settings, knowledge: Knowledge, subset: str | None = "train", trigger: str | None = None, klass: str | None = None) -> dict[str, Any]:
    """The context rules are resolved in: the dataset's settings and a folder's."""
    model = knowledge.models.get(settings.model or "")
    return {
        "lora": settings.lora,
        "model": settings.model,
        "hairstyles": settings.hairstyles,
        "caption_style": tuple(model.get("caption_style", ())) if model else None,
        "subset": subset,
        "trigger": settings.trigger or trigger,
        "class": settings.klass or klass,
    }


def lint_caption(text: str, settings: Settings, knowledge: Knowledge, kinds: dict, subset: str = "train", path: str = "caption.txt") -> list[Finding]:
    """Findings of every caption rule on one caption text (no dataset rules)."""
    from .caption import analyse

    context = context_of(settings, knowledge, subset)
    caption = analyse(path, text.encode("utf-8"), knowledge.lexicon, context["trigger"] or "", context["class"] or "")
    findings = []
    for rule in knowledge.rules.values():
        active = resolve(rule, context, settings, kinds, knowledge)
        if active is None or active.kind.SCOPE != "caption":
            continue
        if caption.segments or getattr(active.kind, "EMPTY_OK", False):
            findings.extend(active.kind.check(caption, active))
    return sorted(findings, key=Finding.sort_key)


def _root(path: Path, settings_file: Path | None) -> Path:
    """The dataset root: the settings file's folder if PATH is inside it, else PATH."""
    path = path.resolve()
    if settings_file is not None and path.is_relative_to(settings_file.parent.resolve()):
        return settings_file.parent.resolve()
    return path if path.is_dir() else path.parent


class _DatasetRun:
    """One PATH: its settings, knowledge and rules, then every item in it."""

    def __init__(self, path: Path, plugins: Plugins, options: Options, result: Result) -> None:
        self.path, self.plugins, self.options, self.result = path, plugins, options, result
        settings_file = options.config or find_settings(path)
        self.settings = load_settings(settings_file) if settings_file else Settings()
        self.root = _root(path, settings_file)
        self.knowledge = load_knowledge(plugins.packs, self.settings.packs, plugins.kinds)
        check_names(self.settings, self.knowledge.loras, self.knowledge.models)
        self.rules = [self.knowledge.rules[n] for n in chosen_rules(self.knowledge, options, self.settings)]
        self.active: dict[tuple, tuple[list[ActiveRule], list[ActiveRule]]] = {}
        self.base = context_of(self.settings, self.knowledge, None)
        self.summaries: dict[str, Any] = {}
        self.summary = DatasetSummary(
            path.as_posix(),
            str(self.root),
            str(settings_file) if settings_file else None,
            self.settings.lora,
            self.settings.model,
            self.settings.trigger,
        )

    def run(self) -> None:
        reader = next((r for r in self.plugins.readers if r.claims(self.path)), None)
        if reader is None:
            raise LoraLintError("no dataset reader understands this path", str(self.path))
        triggers: set[str] = set()
        for count, item in enumerate(reader.items(self.path, self.root, self.settings), 1):
            self.item(item)
            triggers.add(self.settings.trigger or item.folder.trigger or "")
            if self.options.progress:
                self.options.progress(count)
        self.finish(triggers)

    def rules_for(self, item: Item) -> tuple[list[ActiveRule], list[ActiveRule]]:
        """(caption rules, dataset rules) resolved for an item's folder."""
        folder = item.folder
        key = (folder.subset, folder.trigger, folder.klass)
        if key not in self.active:
            context = context_of(self.settings, self.knowledge, folder.subset, folder.trigger, folder.klass)
            resolved = [r for r in (self.resolve(rule, context) for rule in self.rules) if r]
            self.active[key] = (
                [r for r in resolved if r.kind.SCOPE == "caption"],
                [r for r in resolved if r.kind.SCOPE == "dataset"],
            )
        return self.active[key]

    def resolve(self, rule, context: dict[str, Any]) -> ActiveRule | None:
        return resolve(rule, context, self.settings, self.plugins.kinds, self.knowledge)

    def item(self, item: Item) -> None:
        caption_rules, dataset_rules = self.rules_for(item)
        ignored = self.ignored_rules(item)
        caption = self.caption(item) if item.caption else None
        if caption is not None:
            self.summary.captions += 1
            findings = []
            for rule in caption_rules:
                if rule.name in ignored or (not caption.segments and not getattr(rule.kind, "EMPTY_OK", False)):
                    continue
                findings.extend(rule.kind.check(caption, rule))
            if findings:
                self.result.findings.extend(findings)
                self.result.texts[caption.path] = caption.text
        self.summary.images += len(item.images)
        for rule in dataset_rules:
            if rule.name in ignored:
                continue
            if rule.name not in self.summaries:
                self.summaries[rule.name] = rule.kind.start()
            rule.kind.fold(self.summaries[rule.name], item, caption, rule)

    def caption(self, item: Item) -> Caption:
        try:
            with open(item.caption, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise LoraLintError(f"cannot read caption: {error.strerror or error}", str(item.caption)) from None
        trigger = self.settings.trigger or item.folder.trigger or ""
        klass = self.settings.klass or item.folder.klass or ""
        return analyse(item.path, data, self.knowledge.lexicon, trigger, klass)

    def ignored_rules(self, item: Item) -> set[str]:
        if not self.settings.per_path_ignores:
            return set()
        relative = item.relative
        return {
            rule
            for pattern, rules in self.settings.per_path_ignores.items()
            if fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(relative, pattern.rstrip("/") + "/*")
            for rule in rules
        }

    def finish(self, triggers: set[str]) -> None:
        for rule in self.rules:
            active = self.resolve(rule, self.base)
            if active is None or active.kind.SCOPE != "dataset":
                continue
            summary = self.summaries.get(rule.name, active.kind.start())
            self.result.findings.extend(active.kind.judge(summary, active, "."))
        if not self.settings.lora:
            self.summary.notes.append("no LoRA type set ('lora:' in .lora-lint.yaml): rules for a type were skipped")
        if triggers == {""}:
            self.summary.notes.append("no trigger known ('trigger:' in .lora-lint.yaml or a kohya folder name)")
        self.result.datasets.append(self.summary)
