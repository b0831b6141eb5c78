"""Rule kinds: how to check. Which terms, numbers and messages: the packs.

A rule kind is a small module (or any object) with:

- `NAME`: the name packs write after `kind`;
- `SCOPE`: "caption" (judges one caption) or "dataset" (folds, then judges);
- `PARAMS`: parameter name -> `lora_lint.schema.Spec`, checked when packs load;
- `PLACEHOLDERS`: names its messages may use, besides `{rule}`, `{trigger}`,
  `{class}`, `{lora}` and `{model}`;
- `FIXES`: fix name -> whether it is safe;
- optionally `CASES`: the named cases of a `messages` table, each of which
  needs a message (or the rule's `message` serves them all);
- caption kinds: `check(caption, rule) -> Iterator[Finding]`;
- dataset kinds: `start() -> summary`, `fold(summary, item, caption, rule)`,
  `merge(a, b) -> summary` and `judge(summary, rule, where) -> Iterator[Finding]`.
  Summaries are small and mergeable, so folding can run anywhere; `where`
  is the display path of the folder judged.

`rule` is a `lora_lint.active.ActiveRule`: the rule resolved for one context.
"""

REQUIRED = {
    "caption": ("check",),
    "dataset": ("start", "fold", "merge", "judge"),
}


def problems(kind) -> list[str]:
    """What is missing or wrong in a rule kind, as short phrases (empty when fine)."""
    from ..schema import Spec

    missing = [a for a in ("NAME", "SCOPE", "PARAMS", "PLACEHOLDERS", "FIXES") if not hasattr(kind, a)]
    if missing:
        return [f"no {', '.join(missing)}"]
    if kind.SCOPE not in REQUIRED:
        return [f"SCOPE {kind.SCOPE!r} (not 'caption' or 'dataset')"]
    found = [f"no {name}()" for name in REQUIRED[kind.SCOPE] if not callable(getattr(kind, name, None))]
    found += [f"parameter '{p}' is not a lora_lint.schema spec" for p, spec in kind.PARAMS.items() if not isinstance(spec, Spec)]
    return found
