"""A plan as rich tables or JSON."""
from __future__ import annotations

from typing import IO, Any

from .recommend import Plan, gb, number_text


def console(stream: IO[str], color: bool | None):
    """A rich console for plan and doctor output: at least 100 columns, so sources wrap little."""
    from rich.console import Console

    return Console(file=stream, force_terminal=color, no_color=color is False, width=max(100, Console(file=stream).width), highlight=False)


def settings_json(plan: Plan, names=None) -> dict[str, Any]:
    """Settings (all, or these names) as `{name: {value, source}}`."""
    return {name: {"value": json_value(s.value), "source": s.source} for name, s in plan.settings.items() if names is None or name in names}


def shown(value: Any) -> str:
    """A setting's value as a person reads it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return f"{value[0]}x{value[1]}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def to_json(plan: Plan) -> dict[str, Any]:
    """The plan as one JSON document (`lora-lint plan --format json`)."""
    survey, gpu = plan.survey, plan.gpu
    return {
        "version": 1,
        "dataset": str(survey.root),
        "model": plan.model.name,
        "lora": plan.lora.name,
        "gpu": {"name": gpu.name, "title": gpu.get("title"), "vram": list(gpu.get("vram", ()))} if gpu else None,
        "settings": settings_json(plan),
        "folders": [
            {
                "path": str(f.folder.path), "relative": f.folder.relative, "subset": f.folder.subset,
                "trigger": f.trigger, "class": f.klass, "images": f.folder.items, "repeats": f.repeats,
                "named_repeats": f.folder.repeats, "why": f.source,
            }
            for f in plan.folders
        ],
        "techniques": [{"name": t.name, "title": t.get("title"), "saves": t.get("saves"), "cost": t.get("cost"), "why": why} for t, why in plan.techniques],
        "variant": _variant_json(plan),
        "warnings": plan.warnings,
        "notes": plan.notes,
    }


def json_value(value: Any) -> Any:
    """A setting's value in JSON: a resolution as "1024x1024", other tuples as lists."""
    if isinstance(value, tuple):
        return "x".join(str(v) for v in value) if len(value) == 2 and all(isinstance(v, int) for v in value) else list(value)
    return value


def _variant_json(plan: Plan) -> dict[str, Any] | None:
    variant = plan.variant
    if variant is None:
        return None
    keys = ("title", "parameters", "quality", "vram", "suits")
    return {"name": variant.name, **{key: variant.get(key) for key in keys}}


def print_plan(plan: Plan, stream: IO[str], color: bool | None = None) -> None:
    """The plan as tables: the settings with their sources, the folders, the techniques."""
    from rich.markup import escape
    from rich.table import Table

    out = console(stream, color)
    gpu = plan.gpu
    card = f" on {gpu.get('title')} ({gb(gpu)})" if gpu else " (no GPU given: --gpu or --vram fits it to a card)"
    out.print(f"[bold]Plan[/bold]: {escape(plan.lora.get('title', plan.lora.name))} LoRA for {escape(plan.model.get('title', plan.model.name))}{escape(card)}")
    settings = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    settings.add_column("setting")
    settings.add_column("value", style="cyan")
    settings.add_column("from", style="dim", overflow="fold")
    for name, setting in plan.settings.items():
        settings.add_row(name, escape(shown(setting.value)), escape(setting.source))
    out.print(settings)
    folders = Table(show_header=True, header_style="bold", box=None, pad_edge=False, title="folders", title_justify="left")
    for column in ("folder", "subset", "trigger / class", "images", "repeats"):
        folders.add_column(column)
    for entry in plan.folders:
        folder = entry.folder
        folders.add_row(escape(folder.relative), folder.subset, escape(entry.words) or "-", str(folder.items), str(entry.repeats))
    out.print(folders)
    if plan.techniques:
        techniques = Table(show_header=True, header_style="bold", box=None, pad_edge=False, title="VRAM savings", title_justify="left")
        for column in ("technique", "saves", "cost", "why"):
            techniques.add_column(column)
        for technique, why in plan.techniques:
            techniques.add_row(*(escape(text) for text in (technique.get("title", technique.name), technique.get("saves", ""), technique.get("cost", ""), why)))
        out.print(techniques)
    if plan.variant is not None:
        v = plan.variant
        line = f"{v.get('title')} (parameters {v.get('parameters')}, quality {v.get('quality')}, VRAM {v.get('vram', '').replace('_', '-')}): {v.get('suits')}"
        out.print(f"[bold]variant[/bold]: {escape(line)}")
    for warning in plan.warnings:
        out.print(f"[yellow]warning[/yellow]: {escape(warning)}")
    for note in plan.notes:
        out.print(f"[dim]note[/dim]: {escape(note)}")

