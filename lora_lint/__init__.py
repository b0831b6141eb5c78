"""lora-lint: lint LoRA training datasets before the GPU hours are spent."""
import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("lora_lint")
"""Marker for plugin hook implementations: `@lora_lint.hookimpl`."""
