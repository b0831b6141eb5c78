"""`lora-lint prompts`: training prompt sets and their paired captions.

A LoRA type's recipe (a `prompts` block in the packs) lists slots; each slot
draws from a pool. `generate` gives every prompt a row of each split slot in
the LoRA type's target proportions, draws choices without repeating them
until a pool is used up, and phrases the prompt (anchor + what varies +
quality tags) and its caption (trigger + what varies) with a prompt style.
"""
from .generate import PromptSet, Request, generate

__all__ = ["PromptSet", "Request", "generate"]
