"""The check pipeline: PATHs -> datasets -> items -> caption facts -> findings.

Map: each caption is analysed once (`caption.analyse`) and judged by the
caption rules. Reduce: dataset rules fold every item they apply to into a
small summary and judge it once at the end. Rules are resolved once
per context (LoRA type, model, subset, trigger) and reused for every caption
that shares it.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import gc
import json
import os
import posixpath
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .active import ActiveRule, caption_findings, failure, findings_by_caption, kind_failure, resolve
from .baseline import Baseline, stale_note
from .baseline import write as write_baseline
from .cache import ChunkCache, code_stamp
from .caption import Caption, analyse, read_bytes
from .dataset import IMAGE_EXTENSIONS, Item
from .errors import LoraLintError, did_you_mean
from .images import ImageStore
from .findings import RECORD, SEVERITY_ORDER, Finding
from .store import FindingStore, PathTable, path_record
from .knowledge import Knowledge, context_of
from .packs import load_knowledge
from .plugins import Plugins
from .settings import SETTINGS_FILE, Settings, check_names, find_settings, load_settings


@dataclass
class Options:
    """What the command line asked for."""

    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    config: Path | None = None
    progress: Callable[[int], None] | None = None
    fixer: Any = None  # a lora_lint.fixer.Fixer: fix each caption as it is read
    jobs: int = 1  # processes that map chunks of items (a fix always runs in one)
    cache: bool = True  # reuse the outcomes of unchanged chunks (never for a fix)
    texts: bool = True  # keep the text of captions with findings (the rich reporter shows them)
    baseline: bool = True  # drop the findings a dataset's baseline holds
    write_baseline: bool = False  # record every finding in each dataset's baseline instead
    lang: str = "en"  # the language of messages (packs' translations; English where they have none)
    observe: Callable[[Item, Caption | None], None] | None = None  # sees each item and its facts (in this process, never from the cache)


@dataclass
class DatasetSummary:
    """What was checked in one dataset scope."""

    path: str
    root: str
    settings: str | None
    lora: str | None
    model: str | None
    triggers: list[str] = field(default_factory=list)
    captions: int = 0
    images: int = 0
    notes: list[str] = field(default_factory=list)
    baselined: int = 0  # findings the dataset's baseline held (not reported)
    stale_baseline: list[list[str]] = field(default_factory=list)  # baseline entries nothing matched: [path, rule, message]
    measures: dict[str, Any] = field(default_factory=dict)  # dataset rule -> the numbers it judged (kinds with `measure`)
    prefix: str = field(default="", repr=False)  # before its display paths (several datasets checked at once)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "prefix"}


@dataclass(frozen=True)
class RuleDoc:
    """What reporters say of a rule that ran: its kind, pack and documentation."""

    name: str
    kind: str
    pack: str
    severity: str
    summary: str
    why: str

    @classmethod
    def of(cls, rule, lang: str = "en") -> RuleDoc:
        why = " ".join(str(rule.doc("why", "", lang)).split())
        return cls(rule.name, rule.kind, rule.pack, rule.value("severity", {}, "warning"), rule.doc("summary", "", lang), why)


@dataclass
class Result:
    """Findings of a check, with what they were found in."""

    findings: FindingStore = field(default_factory=FindingStore)  # iterates sorted by path and position
    datasets: list[DatasetSummary] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # caption text of files with findings
    rules: dict[str, RuleDoc] = field(default_factory=dict)  # the rules that ran, by name
    errors: list[str] = field(default_factory=list)  # rule kinds that failed (the rest of the run completed)

    def file_of(self, path: str) -> tuple[Path, int | None]:
        """The file a display path names, and the line of a record in it
        (`set.jsonl:42#image` is line 42 of set.jsonl)."""
        line = None
        match = RECORD.match(path)
        if match:
            path, line = match.group(1), int(match.group(2))
        dataset = max((d for d in self.datasets if (path + "/").startswith(d.prefix)), key=lambda d: len(d.prefix), default=None)
        if dataset is None:
            return Path(path), line
        start = Path(dataset.path) if Path(dataset.path).is_dir() else Path(dataset.path).parent  # display paths start at the PATH
        return start / below_prefix(path, dataset.prefix), line

    def counts(self) -> dict[str, int]:
        return self.findings.counts()

    def failed(self, fail_on: str) -> bool:
        """Whether any finding is at or above the failing severity."""
        return any(n and SEVERITY_ORDER[severity] >= SEVERITY_ORDER[fail_on] for severity, n in self.counts().items())

    def summary_json(self) -> dict[str, Any]:
        return {"counts": self.counts(), "datasets": [d.to_json() for d in self.datasets], "errors": self.errors}

    def to_json(self) -> dict[str, Any]:
        return {"version": 1, "findings": [f.to_json() for f in self.findings], "summary": self.summary_json()}


CHUNK = 1000  # items a map task takes: enough to outweigh handing it to a process


@dataclass
class Outcome:
    """What the map step made of a run of items. Outcomes of consecutive runs
    merge, in order, into what mapping all of them at once would make."""

    findings: list[Finding] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    folds: dict[str, Any] = field(default_factory=dict)  # dataset rule -> its summary of these items
    captions: int = 0
    images: int = 0
    triggers: set[str] = field(default_factory=set)
    facts: dict[str, tuple] = field(default_factory=dict)  # image facts read for the first time
    paths: list[tuple[int, bytes]] = field(default_factory=list)  # the items' display paths (`store.path_record`)
    errors: dict[str, str] = field(default_factory=dict)  # rule -> how its kind failed (the rule is off from then on)


@dataclass(frozen=True)
class Scope:
    """One dataset to check: where to look, its settings file, how to show paths."""

    path: Path
    settings: Path | None
    prefix: str  # put before display paths when several scopes are checked


def check(paths: list[Path], plugins: Plugins, options: Options) -> Result:
    """Check every PATH and return all findings, sorted by path and position."""
    result = Result()
    for scope in scopes(paths, options.config, plugins.readers):
        _DatasetRun(scope, plugins, options, result).run()
    return result


def scopes(paths: list[Path], config: Path | None, readers=()) -> list[Scope]:
    """The datasets the PATHs name.

    A PATH inside a dataset (a `.lora-lint.yaml` at or above it) is checked
    with those settings. A folder with none above it but some below it (a
    repository holding datasets) stands for each dataset below. PATHs inside
    another PATH are checked once, as part of it.
    """
    found: list[tuple[Path, Path | None]] = []
    for path in paths:
        if not path.exists():
            raise LoraLintError("no such file or folder", str(path))
        whole = any(getattr(r, "whole", False) and r.claims(path) for r in readers)  # a file that is a dataset
        if path.is_file() and path.suffix.lower() not in IMAGE_EXTENSIONS | {".txt", ".caption"} and not whole:
            raise LoraLintError("not a caption, an image, a dataset file or a dataset folder", str(path))
        settings = config or find_settings(path)
        below = _settings_below(path) if settings is None and path.is_dir() else []
        found.extend((file.parent, file) for file in below) if below else found.append((path, settings))
    unique: list[tuple[Path, Path | None]] = []
    for path, settings in found:
        real = path.resolve()
        if not any(real == p.resolve() or real.is_relative_to(p.resolve()) for p, _ in unique if p.resolve().is_dir()):
            unique = [(p, s) for p, s in unique if not p.resolve().is_relative_to(real)] + [(path, settings)]
    several = len(unique) > 1
    return [Scope(path, settings, _prefix(path, settings) if several else "") for path, settings in unique]


def _prefix(path: Path, settings: Path | None) -> str:
    """What goes before the display paths of a PATH checked among others: the
    PATH as given (item paths start there), or the folder of a file PATH."""
    given = path.as_posix().rstrip("/") or "/"
    if not path.is_dir():
        given = posixpath.dirname(given) or "."
    return given.rstrip("/") + "/"


def below_prefix(path: str, prefix: str) -> str:
    """A display path without its dataset's prefix: relative to the PATH given
    (the PATH's own folder-level findings are ".")."""
    if not prefix:
        return path
    return "." if path + "/" == prefix else path[len(prefix):]


def _settings_below(folder: Path) -> list[Path]:
    found = []
    for parent, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if SETTINGS_FILE in files:
            found.append(Path(parent) / SETTINGS_FILE)
            dirs[:] = []  # a dataset's subfolders belong to it
    return found


def chosen_rules(knowledge: Knowledge, options: Options, settings: Settings) -> list[str]:
    """Rule names left after --select/--ignore and the settings' select/ignore."""
    named = [("--select", options.select), ("--ignore", options.ignore), ("select", settings.select), ("ignore", settings.ignore), ("severity", list(settings.severity))]
    named += [("per-path-ignores", rules) for rules in settings.per_path_ignores.values()]
    for source, names in named:
        for name in names:
            if name not in knowledge.rules:
                where = settings.where(source) if not source.startswith("--") else None
                raise LoraLintError(f"unknown rule '{name}' in {source}{did_you_mean(name, knowledge.rules)}", where)
    selected = options.select or settings.select or list(knowledge.rules)
    ignored = set(options.ignore) | set(settings.ignore)
    return [name for name in knowledge.rules if name in selected and name not in ignored]


def lint_caption(text: str, settings: Settings, knowledge: Knowledge, plugins: Plugins, subset: str = "train", path: str = "caption.txt") -> list[Finding]:
    """Findings of every caption rule on one caption text (no dataset rules)."""
    context = context_of(settings, knowledge, subset)
    caption = analyse(path, text.encode("utf-8"), knowledge.lexicon, context["trigger"] or "", context["class"] or "")
    rules = [r for rule in knowledge.rules.values() if (r := resolve(rule, context, settings, plugins.kinds, plugins.kind_plugins, knowledge))]
    return sorted(caption_findings(caption, [r for r in rules if r.kind.SCOPE == "caption"]), key=Finding.sort_key)


class _DatasetRun:
    """One dataset scope: its settings, knowledge and rules, then every item in it."""

    def __init__(self, scope: Scope, plugins: Plugins, options: Options, result: Result) -> None:
        self.scope, self.plugins, self.options, self.result = scope, plugins, options, result
        self.settings = load_settings(scope.settings) if scope.settings else Settings()
        self.root = dataset_root(scope.path, scope.settings)
        self.knowledge = load_knowledge(plugins.packs, self.settings.packs, plugins.kinds)
        gc.freeze()  # the compiled packs live for the whole run: keep them out of collections
        check_names(self.settings, self.knowledge.loras, self.knowledge.models)
        self.rules = [self.knowledge.rules[n] for n in chosen_rules(self.knowledge, options, self.settings)]
        self.active: dict[tuple, tuple[list[ActiveRule], list[ActiveRule]]] = {}
        self.triggers: set[str] = {self.settings.trigger} if self.settings.trigger else set()
        self.folds: dict[str, list[tuple[int, Any]]] = {}  # dataset rule -> (size level, summary) of its chunks, in item order
        self.reader = next((r for r in plugins.readers if r.claims(scope.path)), None)
        if self.reader is None:
            raise LoraLintError("no dataset reader understands this path", str(scope.path))
        # dataset rules judge folders and files that are datasets (JSONL, shards), not one caption
        self.judge_rules = scope.path.is_dir() or getattr(self.reader, "whole", False)
        self.images = ImageStore(self.root)
        self.baseline = Baseline.load(self.root) if options.baseline and not options.write_baseline else None
        self.recorded: Counter | None = Counter() if options.write_baseline else None
        self.failed: dict[str, str] = {}  # rule -> how its kind failed: the rule is off for the rest of the run
        folder = scope.path if scope.path.is_dir() else scope.path.parent
        self.start = Path(os.path.relpath(folder.resolve(), self.root)).as_posix()  # where display paths start, from the root
        self.scope_path = self.start if scope.path.is_dir() else posixpath.normpath(posixpath.join(self.start, scope.path.name))
        self.rule_names = {rule.name for rule in self.rules}
        self.paths = PathTable()  # display paths by item ordinal, for the dataset rules' judgements
        self.summary = DatasetSummary(
            scope.path.as_posix(),
            str(self.root),
            str(scope.settings) if scope.settings else None,
            self.settings.lora,
            self.settings.model,
            prefix=scope.prefix,
        )
        for rule in self.rules:
            result.rules.setdefault(rule.name, RuleDoc.of(rule, options.lang))

    def run(self) -> None:
        """Map chunks of items (in worker processes when there are several), reduce, judge."""
        from .parallel import outcomes

        in_process = self.options.fixer is not None or self.options.observe is not None  # they see every item here
        jobs = 1 if in_process else self.options.jobs
        cache = ChunkCache(self.root, self.run_key(self.reader)) if self.options.cache and not in_process else None
        try:
            for outcome in outcomes(self, self.chunks(), jobs, cache):
                self.reduce(outcome)
                if self.options.progress:
                    self.options.progress(self.summary.images or self.summary.captions)
            self.conclude(cache)
        except BaseException:
            if cache is not None:
                cache.abandon()  # the last run's file stays as it was
            raise

    def chunks(self):
        """The dataset's items, numbered, in chunks of CHUNK, with display paths."""
        items = self.reader.items(self.scope.path, self.root, self.settings, self.summary.notes)
        if self.scope.prefix:
            items = (dataclasses.replace(item, path=self.scope.prefix + item.path) for item in items)
        return numbered_chunks(items, CHUNK)

    def conclude(self, cache: ChunkCache | None = None) -> None:
        """Once every chunk is reduced: judge, and keep what the caches learned."""
        self.summary.triggers = sorted(self.triggers)
        self.finish(cache)
        self.images.save()
        self.result.errors.extend(self.failed.values())
        self.result.findings.drop(self.failed)  # a rule whose kind failed reports nothing, not half
        for name in self.failed:
            self.summary.measures.pop(name, None)
        if cache is not None:
            cache.abandon() if self.failed else cache.save()  # a failed rule's outcomes are not kept

    def run_key(self, reader) -> str:
        """What decides a chunk's outcome besides its items: code, packs, settings, rules."""
        kinds = []
        for name, kind in sorted(self.plugins.kinds.items()):
            source = getattr(kind, "__file__", None) or getattr(sys.modules.get(type(kind).__module__), "__file__", None)
            stat = os.stat(source) if source and os.path.exists(source) else None
            kinds.append((name, source, stat and (stat.st_size, stat.st_mtime_ns)))
        return repr((code_stamp(), self.knowledge.digest, self.agreement(), kinds, self.scope, self.judge_rules, str(self.root), reader.name))

    def agreement(self) -> str:
        """What two machines must agree on to map chunks for each other: what the
        packs say, the settings, the rules chosen (not where the code lives)."""
        settings = dataclasses.replace(self.settings, lines={})
        return repr((self.knowledge.content, repr(settings), [rule.name for rule in self.rules], self.options.texts, self.options.lang))

    def map(self, items: list[Item]) -> Outcome:
        """The map step over a chunk of items: caption findings and dataset folds."""
        outcome = Outcome()
        self.images.expect(path for item in items if item.facts is None for path in item.images)
        for group in _same_rules(items, self.rules_key):
            self.group(group, outcome)
        if items:
            outcome.paths.append(path_record(items))
        outcome.facts = self.images.take_new()
        self.images.forget_chunk()
        return outcome

    def reduce(self, outcome: Outcome) -> None:
        """Merge one chunk's outcome into the run's."""
        for name, error in outcome.errors.items():  # first: a failed rule's summaries are not merged
            self.failed.setdefault(name, error)
        self.add(outcome.findings)
        self.result.texts.update(outcome.texts)
        for name, summary in outcome.folds.items():
            if name in self.failed:
                continue
            stack = self.folds.setdefault(name, [])
            stack.append((0, summary))
            # merge equal sizes as they pair up: log n summaries alive, n log n work (also when
            # every chunk comes from the cache: a million chunks' summaries would not fit otherwise)
            while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
                (level, left), (_, right) = stack[-2], stack.pop()
                stack[-1] = (level + 1, self.merge(name, left, right))
        for record in outcome.paths:
            self.paths.add(record)
        self.summary.captions += outcome.captions
        self.summary.images += outcome.images
        self.triggers |= outcome.triggers
        self.images.learn(outcome.facts)

    @staticmethod
    def rules_key(item: Item) -> tuple:
        """What an item's rules depend on: its folder's subset, trigger and class."""
        folder = item.folder
        return (folder.subset, folder.trigger, folder.klass)

    def rules_for(self, item: Item) -> tuple[list[ActiveRule], list[ActiveRule]]:
        """(caption rules, dataset rules) resolved for an item's folder."""
        folder = item.folder
        key = self.rules_key(item)
        if key not in self.active:
            context = context_of(self.settings, self.knowledge, folder.subset, folder.trigger, folder.klass, root=self.root, images=self.images, lang=self.options.lang)
            resolved = [r for r in (self.resolve(rule, context) for rule in self.rules) if r]
            self.active[key] = (
                [r for r in resolved if r.kind.SCOPE == "caption"],
                [r for r in resolved if r.kind.SCOPE == "dataset" and self.judge_rules],
            )
        return self.active[key]

    def resolve(self, rule, context: dict[str, Any]) -> ActiveRule | None:
        return resolve(rule, context, self.settings, self.plugins.kinds, self.plugins.kind_plugins, self.knowledge)

    def combine(self, left: Outcome, right: Outcome) -> Outcome:
        """Two outcomes of consecutive items as one (a tree reduction's step)."""
        folds = dict(left.folds)
        errors: dict[str, str] = {}
        for name, summary in right.folds.items():
            folds[name] = self.merge(name, folds[name], summary, errors) if name in folds else summary
        return Outcome(
            left.findings + right.findings, {**left.texts, **right.texts}, folds, left.captions + right.captions,
            left.images + right.images, left.triggers | right.triggers, {**left.facts, **right.facts}, left.paths + right.paths,
            {**right.errors, **left.errors, **errors},
        )

    def merge(self, name: str, left: Any, right: Any, errors: dict[str, str] | None = None) -> Any:
        """Two summaries of a dataset rule (of consecutive items) as one (None
        once the rule failed: the error is recorded in `errors`, by default the run's)."""
        errors = self.failed if errors is None else errors
        if name in errors or name in self.failed:
            return None
        kind = self.knowledge.rules[name].kind
        try:
            return self.plugins.kinds[kind].merge(left, right)
        except Exception as error:
            plugin = self.plugins.kind_plugins.get(kind, "?")
            errors[name] = kind_failure(name, kind, plugin, "merge", str(self.scope.path), error).render()
            return None

    def folded(self, name: str) -> Any:
        """A dataset rule's summary of every item: its chunks' summaries merged
        in order, pairwise (n log n, where one by one would be n squared)."""
        summaries = [summary for _, summary in self.folds.get(name, ())]
        if not summaries:
            return None
        while len(summaries) > 1:
            pairs = [self.merge(name, left, right) for left, right in zip(summaries[::2], summaries[1::2])]
            summaries = pairs + summaries[len(pairs) * 2:]
        self.folds[name] = [(0, summaries[0])]  # judging and measuring both ask
        return summaries[0]

    def group(self, items: list[Item], outcome: Outcome) -> None:
        """Map consecutive items that share their rules, rule by rule (see
        `findings_by_caption`); folds, too, each over all the items in order."""
        caption_rules, dataset_rules = self.rules_for(items[0])
        errors = outcome.errors
        captions: list[Caption | None] = []
        for item in items:
            if item.facts is not None:
                self.images.provide(item.images, item.facts)
            captions.append(self.caption(item) if item.caption else None)
        ignored = [self.ignored_rules(item) for item in items] if self.settings.per_path_ignores else None
        linted = [i for i, caption in enumerate(captions) if caption is not None and items[i].images]  # a caption without an image trains nothing: pairing reports it
        found = findings_by_caption([captions[i] for i in linted], caption_rules, [ignored[i] for i in linted] if ignored else None, errors)
        findings: list[list[Finding]] = [[] for _ in items]
        for i, caption_found in zip(linted, found):
            findings[i] = caption_found
        for index, item in enumerate(items):
            self.finish_item(item, captions[index], findings[index], caption_rules, ignored[index] if ignored is not None else set(), outcome)
        folds = outcome.folds
        for rule in dataset_rules:
            fold = rule.kind.fold
            for index, item in enumerate(items):
                if rule.name in errors:
                    break
                if ignored is not None and rule.name in ignored[index]:
                    continue
                try:
                    if rule.name not in folds:
                        folds[rule.name] = rule.kind.start()
                    fold(folds[rule.name], item, captions[index], rule)
                except LoraLintError:
                    raise
                except Exception as error:  # named, and the rule is off: the rest of the run goes on
                    errors[rule.name] = failure(rule, "fold", item.path, error).render()

    def finish_item(self, item: Item, caption: Caption | None, findings: list[Finding], rules: list[ActiveRule], ignored: set[str], outcome: Outcome) -> None:
        """An item's caption findings into the outcome (fixed first, when fixing), and its counts."""
        if caption is not None:
            outcome.captions += 1
            if self.options.fixer is not None and findings:
                if item.text is None:
                    self.fix(item, caption, findings, rules, ignored)
                else:
                    self.options.fixer.report.refused.append((item.path, "inside a dataset file: fix it where the file is made"))
            if findings:
                outcome.findings.extend(findings)
                if self.options.texts:
                    outcome.texts[caption.path] = caption.text
        outcome.images += len(item.images)
        if self.options.observe is not None:
            self.options.observe(item, caption)
        if self.settings.trigger or item.folder.trigger:
            outcome.triggers.add(self.settings.trigger or item.folder.trigger)

    def fix(self, item: Item, caption: Caption, findings: list[Finding], rules: list[ActiveRule], ignored: set[str]) -> None:
        """Hand a caption to the fixer, with a way to lint its fixed text again."""
        trigger = self.settings.trigger or item.folder.trigger or ""
        klass = self.settings.klass or item.folder.klass or ""

        def relint(data: bytes) -> tuple[Caption, list[Finding]]:
            fixed = analyse(item.path, data, self.knowledge.lexicon, trigger, klass)
            return fixed, caption_findings(fixed, rules, ignored)

        self.options.fixer.fix(item.caption, caption, findings, relint)

    def caption(self, item: Item) -> Caption:
        data = item.text
        if data is None:
            try:
                data = read_bytes(item.caption)
            except OSError as error:  # a finding (caption-format), and the rest of the run goes on
                return Caption(item.path, "", problems=("unreadable",), error=error.strerror or str(error))
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

    def finish(self, cache: ChunkCache | None = None) -> None:
        """Judge every dataset rule once, in the dataset's context (no subset);
        when no chunk changed since the last run, a rule's judgement stands
        (unless its kind reads files beside the items). Findings stream into
        the result (and the cache) as they are judged."""
        before = (cache.judged_before() if cache is not None else None) or {}
        if self.judge_rules:
            rules = self.dataset_rules()
            kept = [rule.name for rule in rules if not getattr(rule.kind, "READS", ())]
            if cache is not None:
                cache.keep_judged(kept)
            for rule in rules:  # before judging: a kind's judge may consume its summary
                self.measure(rule)
            for rule in rules:
                stands = rule.name in before and rule.name in kept
                findings = before[rule.name] if stands else self.judged(rule)
                if cache is not None and rule.name in kept:
                    findings = cache.keep_findings(rule.name, findings)
                self.add(findings)
        self.close_baseline()
        if not self.settings.lora:
            self.summary.notes.append("no LoRA type set ('lora:' in .lora-lint.yaml): rules for a type were skipped")
        if not self.summary.triggers:
            self.summary.notes.append("no trigger known ('trigger:' in .lora-lint.yaml or a kohya folder name)")
        self.result.datasets.append(self.summary)

    def add(self, findings) -> None:
        """Findings into the result: recorded for a new baseline, or dropped when the baseline holds them."""
        if self.recorded is not None:
            findings = self._recording(findings)
        if self.baseline is not None:
            findings = self.baseline.drop(findings, self.baseline_entry, self.options.lang)
        self.result.findings.extend(findings)

    def _recording(self, findings):
        for finding in findings:
            self.recorded[self.baseline_entry(finding)] += 1
            yield finding

    def baseline_entry(self, finding: Finding) -> tuple[str, str, str]:
        """(path from the dataset root, rule, message): a baseline entry holds
        however the dataset is checked (from the root, a folder, with others)."""
        path = posixpath.normpath(posixpath.join(self.start, below_prefix(finding.path, self.scope.prefix)))
        return path, finding.rule, finding.message

    def covers(self, entry: tuple[str, str, str]) -> bool:
        """Whether this run looked where a baseline entry is, with its rule."""
        path, rule, _ = entry
        scope = self.scope_path
        inside = scope == "." or path == scope or path.startswith(scope + "/") or path.startswith(scope + ":")  # set.jsonl:3
        return inside and rule in self.rule_names

    def close_baseline(self) -> None:
        """Write the baseline asked for, or say what the baseline held and what it no longer matches."""
        if self.recorded is not None:
            file = write_baseline(self.root, self.recorded, self.covers, self.options.lang)
            self.summary.notes.append(f"wrote {sum(self.recorded.values())} findings to the baseline {file}")
        elif self.baseline is not None:
            self.summary.baselined = self.baseline.matched
            self.summary.stale_baseline = [list(entry) for entry in self.baseline.stale(self.covers)]
            if self.summary.stale_baseline:
                self.summary.notes.append(stale_note(self.summary.stale_baseline))

    def dataset_rules(self) -> list[ActiveRule]:
        """The dataset rules, resolved in the dataset's context."""
        context = context_of(self.settings, self.knowledge, None, root=self.root, images=self.images, paths=self.paths, lang=self.options.lang)
        return [active for rule in self.rules if (active := self.resolve(rule, context)) and active.kind.SCOPE == "dataset"]

    def measure(self, rule: ActiveRule) -> None:
        """Keep the numbers a dataset rule judges, when its kind can say them
        (`measure(summary, rule)`: JSON values, what `lora-lint report` charts).
        A measure that fails is a note: the rule's findings still stand."""
        measure = getattr(rule.kind, "measure", None)
        if measure is None or rule.name in self.failed:
            return
        try:
            summary = self.folded(rule.name)
            if rule.name in self.failed:  # a merge failed: the judging says so
                return
            numbers = measure(rule.kind.start() if summary is None else summary, rule)
            json.dumps(numbers)  # they go into --format json as they are
        except Exception as error:
            self.summary.notes.append(f"rule '{rule.name}' (kind '{rule.kind.NAME}') could not measure: {type(error).__name__}: {error}")
            return
        self.summary.measures[rule.name] = numbers

    def judged(self, rule: ActiveRule):
        """A dataset rule's findings on its summary of every item, as judged
        (none, when its kind failed: the error is recorded)."""
        if rule.name in self.failed:
            return
        where = self.scope.prefix.rstrip("/") or "."
        try:
            summary = self.folded(rule.name)
            if rule.name in self.failed:  # a merge failed
                return
            if summary is None:
                summary = rule.kind.start()
            yield from rule.kind.judge(summary, rule, where)
        except LoraLintError:
            raise
        except Exception as error:
            self.failed.setdefault(rule.name, failure(rule, "judge", str(self.scope.path), error).render())


def _same_rules(items: list[Item], key) -> Iterator[list[Item]]:
    """Runs of consecutive items with the same `key(item)`."""
    run: list[Item] = []
    for item in items:
        if run and key(item) != key(run[0]):
            yield run
            run = []
        run.append(item)
    if run:
        yield run


def numbered_chunks(items, size: int):
    """Lists of up to `size` consecutive items, each given its ordinal."""
    chunk: list[Item] = []
    for ordinal, item in enumerate(items):
        item.number(ordinal)
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def dataset_root(path: Path, settings_file: Path | None) -> Path:
    """The dataset root: the settings file's folder if PATH is inside it, else PATH."""
    path = path.resolve()
    if settings_file is not None and path.is_relative_to(settings_file.parent.resolve()):
        return settings_file.parent.resolve()
    return path if path.is_dir() else path.parent
