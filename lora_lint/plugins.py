"""The plugin manager: specs, entry points, and what the plugins provide.

`LORA_LINT_PLUGINS=a,b` loads only the named entry points (the built-in one
is `builtin`); a plugin that fails to load or raises in a hook is named in
the error.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pluggy

from . import hookspecs
from .errors import LoraLintError

GROUP = "lora_lint"


def _entry_points():
    from importlib.metadata import entry_points

    return entry_points(group=GROUP)


@dataclass
class Plugins:
    """Loaded plugins and what their hooks return."""

    manager: pluggy.PluginManager
    names: list[str] = field(default_factory=list)

    def collect(self, hook: str) -> list[tuple[str, Any]]:
        """(plugin name, result) of every implementation of a hook, built-in first.

        Each implementation is called on its own, so one that raises is named.
        """
        results = []
        for impl in getattr(self.manager.hook, hook).get_hookimpls():
            try:
                value = impl.function()
            except Exception as error:
                raise LoraLintError(f"plugin '{impl.plugin_name}' failed in {hook}: {type(error).__name__}: {error}") from error
            if value is not None:
                results.append((impl.plugin_name, value))
        return results

    @cached_property
    def packs(self) -> list[Path]:
        """Every registered pack file."""
        return [Path(p) for _, paths in self.collect("lora_lint_packs") for p in paths]

    @cached_property
    def kinds(self) -> dict[str, Any]:
        """Rule kind name -> kind."""
        return {name: kind for name, (kind, _) in self._kinds.items()}

    @cached_property
    def kind_plugins(self) -> dict[str, str]:
        """Rule kind name -> the plugin that gives it (for error messages)."""
        return {name: plugin for name, (_, plugin) in self._kinds.items()}

    @cached_property
    def _kinds(self) -> dict[str, tuple[Any, str]]:
        from .kinds import problems

        kinds: dict[str, tuple[Any, str]] = {}
        for plugin, provided in self.collect("lora_lint_rule_kinds"):
            for kind in provided:
                wrong = problems(kind)
                if wrong:
                    label = getattr(kind, "NAME", None) or getattr(kind, "__name__", repr(kind))
                    raise LoraLintError(f"plugin '{plugin}' gives rule kind '{label}' with {'; '.join(wrong)}")
                if kind.NAME in kinds and kinds[kind.NAME][0] is not kind:
                    raise LoraLintError(f"plugins '{kinds[kind.NAME][1]}' and '{plugin}' both give rule kind '{kind.NAME}'")
                kinds[kind.NAME] = (kind, plugin)
        return kinds

    @cached_property
    def reporters(self) -> dict[str, Any]:
        """`--format` name -> reporter."""
        reporters: dict[str, tuple[Any, str]] = {}
        for plugin, given in self.collect("lora_lint_reporters"):
            for name, reporter in given.items():
                if name in reporters:
                    raise LoraLintError(f"plugins '{reporters[name][1]}' and '{plugin}' both give format '{name}'")
                reporters[name] = (reporter, plugin)
        return {name: reporter for name, (reporter, _) in reporters.items()}

    @cached_property
    def taggers(self) -> dict[str, Any]:
        """Tagger name -> factory (model folder or None -> tagger)."""
        return {name: factory for _, given in self.collect("lora_lint_taggers") for name, factory in given.items()}

    @cached_property
    def prompt_styles(self) -> dict[str, Any]:
        """Phrasing name (tags, hybrid, natural...) -> prompt style; a plugin's wins."""
        return {style.name: style for _, given in self.collect("lora_lint_prompt_styles") for style in given}

    @cached_property
    def trainer_configs(self) -> dict[str, Any]:
        """`--write` name -> trainer config writer; a plugin's wins."""
        return {writer.name: writer for _, given in self.collect("lora_lint_trainer_configs") for writer in given}

    @cached_property
    def readers(self) -> list[Any]:
        """Dataset readers, plugins' before the built-in folder reader."""
        return [r for _, given in reversed(self.collect("lora_lint_dataset_readers")) for r in given]


def load_plugins() -> Plugins:
    """Build the plugin manager and load the `lora_lint` entry points."""
    manager = pluggy.PluginManager(GROUP)
    manager.add_hookspecs(hookspecs)
    wanted = os.environ.get("LORA_LINT_PLUGINS")
    allowed = {name.strip() for name in wanted.split(",")} if wanted else None
    names = []
    for point in sorted(_entry_points(), key=lambda p: (p.name != "builtin", p.name)):
        if (allowed is not None and point.name not in allowed) or manager.get_plugin(point.name):
            continue
        try:
            plugin = point.load()
        except Exception as error:
            raise LoraLintError(f"plugin '{point.name}' ({point.value}) failed to load: {error}") from error
        manager.register(plugin, name=point.name)
        names.append(point.name)
    if manager.get_plugin("builtin") is None and (allowed is None or "builtin" in allowed):
        from . import builtin  # running from a source tree that was never installed

        manager.register(builtin, name="builtin")
        names.insert(0, "builtin")
    unknown = sorted((allowed or set()) - set(names))
    if unknown:
        raise LoraLintError(f"LORA_LINT_PLUGINS names plugins that are not installed: {', '.join(unknown)}")
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as error:
        raise LoraLintError(f"a plugin has a misspelt hook: {error}") from error
    return Plugins(manager, names)
