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
        """(plugin name, result) of every implementation of a hook, built-in first."""
        results = []
        for impl in getattr(self.manager.hook, hook).get_hookimpls():
            try:
                value = impl.function()
            except Exception as error:
                raise LoraLintError(f"plugin '{impl.plugin_name}' failed in {hook}: {error}") from error
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
        kinds: dict[str, Any] = {}
        for plugin, provided in self.collect("lora_lint_rule_kinds"):
            for kind in provided:
                missing = [a for a in ("NAME", "SCOPE", "PARAMS", "PLACEHOLDERS", "FIXES") if not hasattr(kind, a)]
                if missing:
                    raise LoraLintError(f"plugin '{plugin}' gives a rule kind without {', '.join(missing)}")
                if kind.NAME in kinds and kinds[kind.NAME] is not kind:
                    raise LoraLintError(f"plugin '{plugin}' gives rule kind '{kind.NAME}', which another plugin gives too")
                kinds[kind.NAME] = kind
        return kinds

    @cached_property
    def reporters(self) -> dict[str, Any]:
        """`--format` name -> reporter."""
        return {name: r for _, given in self.collect("lora_lint_reporters") for name, r in given.items()}

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
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as error:
        raise LoraLintError(f"plugin '{error.plugin_name if hasattr(error, 'plugin_name') else error.plugin}' has a misspelt hook: {error}") from error
    return Plugins(manager, names)
