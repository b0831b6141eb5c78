"""`lora-lint doctor`: a training symptom's causes and fixes, checked on the dataset.

A symptom (the packs' troubleshooting table) names the rules that look for
its causes; the doctor runs just those on the dataset and reports what they
found, and shows the plan settings that bear on the symptom.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import LoraLintError, did_you_mean
from ..findings import Finding
from ..knowledge import Declared, Knowledge
from .output import console, settings_json, shown
from .recommend import Plan


@dataclass
class Diagnosis:
    """A symptom, what its rules found on the dataset, and the plan's say."""

    symptom: Declared
    checks: dict[str, list[Finding]] = field(default_factory=dict)  # rule -> its findings
    checked: bool = False  # whether a dataset was checked at all
    plan: Plan | None = None

    def failed(self) -> bool:
        """Whether a check found a warning or an error (as `check` fails by default)."""
        return any(f.severity in ("warning", "error") for found in self.checks.values() for f in found)


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def find_symptom(knowledge: Knowledge, text: str) -> Declared:
    """The symptom a person's words name: its name, title or an alias, whole or in part."""
    wanted = _key(text)
    names = {symptom.name: (symptom.name, symptom.get("title", ""), *symptom.get("aliases", ())) for symptom in knowledge.symptoms.values()}
    for name, words in names.items():
        if wanted and any(_key(w) == wanted for w in words):
            return knowledge.symptoms[name]
    partial = [name for name, words in names.items() if wanted and any(wanted in _key(w) or _key(w) in wanted for w in words if _key(w))]
    if len(partial) == 1:
        return knowledge.symptoms[partial[0]]
    every = [w for words in names.values() for w in words]
    hint = did_you_mean(text, every)
    listed = ", ".join(f"'{s.get('title', s.name)}'" for s in knowledge.symptoms.values())
    raise LoraLintError(f"unknown symptom '{text}' (symptoms: {listed}){hint}")


def diagnose(symptom: Declared, path: Path | None, plugins, config: Path | None = None, plan: Plan | None = None) -> Diagnosis:
    """Run the symptom's rules on the dataset at `path` (when given)."""
    from ..engine import Options, check

    diagnosis = Diagnosis(symptom, plan=plan)
    rules = list(symptom.get("checks", ()))
    if path is None or not rules:
        return diagnosis
    result = check([path], plugins, Options(select=rules, config=config))
    diagnosis.checked = True
    for rule in rules:
        diagnosis.checks[rule] = [f for f in result.findings if f.rule == rule]
    return diagnosis


def to_json(diagnosis: Diagnosis) -> dict[str, Any]:
    symptom = diagnosis.symptom
    shows = symptom.get("shows", ())
    plan = diagnosis.plan
    return {
        "version": 1,
        "symptom": symptom.name,
        "title": symptom.get("title"),
        "causes": list(symptom.get("causes", ())),
        "fixes": list(symptom.get("fixes", ())),
        "checks": [{"rule": rule, "findings": [f.to_json() for f in found]} for rule, found in diagnosis.checks.items()],
        "plan": settings_json(plan, shows) if plan else None,
        "plan_warnings": plan.warnings if plan else [],
    }


def print_diagnosis(diagnosis: Diagnosis, stream: IO[str], color: bool | None = None, limit: int = 10) -> None:
    """Causes, fixes, what the dataset shows and the plan's settings, as a person reads them."""
    from rich.markup import escape

    out = console(stream, color)
    symptom = diagnosis.symptom
    out.print(f"[bold]{escape(symptom.get('title', symptom.name))}[/bold]")
    out.print("possible causes: " + "; ".join(escape(c) for c in symptom.get("causes", ())))
    out.print("fixes: " + "; ".join(escape(f) for f in symptom.get("fixes", ())))
    if diagnosis.checked:
        out.print("[bold]on this dataset[/bold]:")
        for rule, found in diagnosis.checks.items():
            if not found:
                out.print(f"  [green]ok[/green] {rule}: nothing found")
                continue
            out.print(f"  [yellow]{len(found)}[/yellow] {rule}:")
            for finding in found[:limit]:
                where = f"{finding.path}:{finding.line}" if finding.line else finding.path
                out.print(f"      {escape(where)}: {escape(finding.message)}")
            if len(found) > limit:
                out.print(f"      ... and {len(found) - limit} more (lora-lint check --select {rule})")
    elif symptom.get("checks"):
        out.print(f"[dim]give a dataset PATH to check it for these causes ({', '.join(symptom.get('checks'))})[/dim]")
    plan = diagnosis.plan
    if plan is not None and symptom.get("shows"):
        out.print("[bold]the plan's settings[/bold] (lora-lint plan):")
        for name in symptom.get("shows"):
            if name in plan.settings:
                out.print(f"  {name} = [cyan]{escape(shown(plan.settings[name].value))}[/cyan]  [dim]{escape(plan.settings[name].source)}[/dim]")
        for warning in plan.warnings:
            out.print(f"  [yellow]warning[/yellow]: {escape(warning)}")
