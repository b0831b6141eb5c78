"""`lora-lint rules`, `explain` and `plugins`: what is loaded, for people."""
from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

from .errors import LoraLintError, did_you_mean


def _loaded(path: Path | None = None):
    """Plugins, and the knowledge of their packs plus those of the dataset at
    or above `path` (the current folder by default)."""
    from .packs import load_knowledge
    from .plugins import load_plugins
    from .settings import find_settings, load_settings

    plugins = load_plugins()
    found = find_settings(path or Path.cwd())
    extra = load_settings(found).packs if found else []
    return plugins, load_knowledge(plugins.packs, extra, plugins.kinds)


def _shown(path: str) -> str:
    """A pack path relative to the current folder when it is below it."""
    try:
        return Path(path).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path


def _scope(kind) -> str:
    return "dataset" if kind.SCOPE == "dataset" else "caption"


def print_rules(fmt: str = "rich", path: Path | None = None, lang: str = "en") -> None:
    """A table of every rule: name, kind, scope, severity, pack, summary."""
    plugins, knowledge = _loaded(path)
    rows = []
    for rule in sorted(knowledge.rules.values(), key=lambda r: (_scope(plugins.kinds[r.kind]), r.name)):
        rows.append(
            {
                "rule": rule.name,
                "kind": rule.kind,
                "scope": _scope(plugins.kinds[rule.kind]),
                "severity": rule.value("severity", {}, "warning"),
                "fix": _fix_label(rule, plugins.kinds[rule.kind]),
                "pack": rule.pack,
                "summary": rule.doc("summary", "", lang),
            }
        )
    if fmt == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_edge=False, highlight=False)
    for column in ("rule", "kind", "scope", "severity", "fix", "pack", "summary"):
        table.add_column(column, overflow="fold", no_wrap=column != "summary")
    for row in rows:
        table.add_row(*row.values())
    console = Console()
    if not console.is_terminal:  # piped: do not cut the table to 80 columns
        console = Console(width=200)
    console.print(table)


def _fix_label(rule, kind) -> str:
    fix = rule.value("fix", {})
    if not fix or fix == "none":
        return "-"
    return f"{fix} ({'safe' if kind.FIXES.get(fix) else 'unsafe'})"


def explain(name: str, path: Path | None = None, lang: str = "en") -> None:
    """Print a rule's page: what, why, a bad and a good caption, the fix."""
    plugins, knowledge = _loaded(path)
    rule = knowledge.rules.get(name)
    if rule is None:
        raise LoraLintError(f"unknown rule '{name}'{did_you_mean(name, knowledge.rules)}")
    kind = plugins.kinds[rule.kind]
    print(f"{rule.name}  ({rule.kind}, {_scope(kind)} rule, pack {rule.pack}, {_shown(rule.path)}:{rule.line})")
    print()
    if rule.doc("summary", None, lang):
        print(rule.doc("summary", None, lang))
        print()
    if rule.when:
        print("Applies when: " + " or ".join(_condition(c) for c in rule.when))
        print()
    why = rule.doc("why", None, lang)
    if why:
        print("Why it matters for training:")
        print(textwrap.indent(textwrap.fill(" ".join(why.split()), 76 if lang == "en" else 38), "  "))
        print()
    for label, key in (("Bad caption", "bad"), ("Good caption", "good")):
        for example in rule.doc(key, ()):
            print(f"{label}:\n  {example}")
    if rule.doc("bad") or rule.doc("good"):
        print()
    print("Fix: " + (_fix_label(rule, kind) if _fix_label(rule, kind) != "-" else "none, a person decides"))
    print(f"Severity: {rule.value('severity', {}, 'warning')}")


def _condition(condition) -> str:
    return " and ".join(f"{'not ' if negated else ''}{key} {', '.join(sorted(values))}" for key, values, negated in condition)


def print_plugins() -> None:
    """Each loaded plugin and what it provides."""
    plugins, _ = _loaded()
    for name in plugins.names:
        print(name)
        for hook, label in (
            ("lora_lint_packs", "packs"),
            ("lora_lint_rule_kinds", "rule kinds"),
            ("lora_lint_reporters", "formats"),
            ("lora_lint_dataset_readers", "readers"),
            ("lora_lint_prompt_styles", "prompt styles"),
            ("lora_lint_taggers", "taggers"),
        ):
            for plugin, value in plugins.collect(hook):
                if plugin != name:
                    continue
                items = value if not isinstance(value, dict) else list(value)
                shown = [getattr(i, "name", None) or getattr(i, "NAME", None) or str(i) for i in items]
                shown = [s.rsplit("/", 1)[-1] for s in shown]
                if shown:
                    print(f"  {label}: {', '.join(shown)}")
