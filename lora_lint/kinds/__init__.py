"""Rule kinds: how to check. Which terms, numbers and messages: the packs.

A rule kind is a small module (or any object) with:

- `NAME`: the name packs write after `kind`;
- `SCOPE`: "caption" (judges one caption) or "dataset" (folds, then judges);
- `PARAMS`: parameter name -> `lora_lint.schema.Spec`;
- `PLACEHOLDERS`: names its messages may use, besides `{rule}`, `{trigger}`,
  `{class}`, `{lora}` and `{model}`;
- `FIXES`: fix name -> whether it is safe;
- caption kinds: `check(caption, rule) -> Iterator[Finding]`;
- dataset kinds: `start() -> summary`, `fold(summary, item, caption, rule)`,
  `merge(a, b) -> summary` and `judge(summary, rule, where) -> Iterator[Finding]`.
  Summaries are small and mergeable, so folding can run anywhere.

`rule` is an `ActiveRule`: the rule resolved for one context.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..findings import Edit, Finding, Fix

if TYPE_CHECKING:
    from ..caption import Caption
    from ..knowledge import Declared, Knowledge


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass
class ActiveRule:
    """A rule resolved for one context: severity, message, fix and parameters."""

    name: str
    kind: Any
    severity: str
    message: str
    fix: str | None
    params: dict[str, Any]
    context: dict[str, Any]
    knowledge: Knowledge
    memo: dict[str, Any] = field(default_factory=dict)  # a kind's per-rule precomputation

    @property
    def lora(self) -> Declared | None:
        """The dataset's LoRA type declaration, if any."""
        return self.knowledge.loras.get(self.context.get("lora") or "")

    @property
    def model(self) -> Declared | None:
        """The dataset's model declaration, if any."""
        return self.knowledge.models.get(self.context.get("model") or "")

    def text(self, template: str, **values: Any) -> str:
        """Fill a message template with these values and the context's."""
        known = _Blank({k: v for k, v in self.context.items() if v is not None})
        known["rule"] = self.name
        known.update({k: v for k, v in values.items() if v is not None})
        return template.format_map(known)

    def case_message(self, case: str, default: str) -> str:
        """The pack's message for a named case, else the rule's, else `default`."""
        return self.params.get("messages", {}).get(case) or self.message or default

    def at(self, path: str, message: str, severity: str | None = None) -> Finding:
        """A finding about a whole file or folder (no line)."""
        return Finding(self.name, severity or self.severity, path, None, None, None, message)

    def on(
        self,
        caption: Caption,
        start: int,
        end: int,
        message: str,
        edits: list[tuple[int, int, str]] | None = None,
        fix_message: str = "",
        severity: str | None = None,
    ) -> Finding:
        """A finding on a span of a caption, with an optional fix made of edits."""
        line, column = caption.position(start)
        end_line, end_column = caption.position(end)
        if end_line != line:  # a finding is shown on its first line
            stop = caption.line_starts[line] - 1 if line < len(caption.line_starts) else len(caption.text)
            end_column = stop - caption.line_starts[line - 1] + 1
        fix = None
        if edits is not None and self.fix:
            fix = Fix(fix_message or self.fix, self.kind.FIXES[self.fix], tuple(_edit(caption, *e) for e in edits))
        return Finding(self.name, severity or self.severity, caption.path, line, column, end_column, message, fix)


def _edit(caption: Caption, start: int, end: int, content: str) -> Edit:
    line, column = caption.position(start)
    end_line, end_column = caption.position(end)
    return Edit(line, column, end_line, end_column, content)


def removal(caption: Caption, start: int, end: int) -> tuple[int, int]:
    """The span to delete to remove `text[start:end]` and leave a well-formed caption.

    A whole segment (a tag) goes with one separator; words inside a segment
    (prose) go with one neighbouring space.
    """
    text = caption.text
    seg_start, seg_end = caption.segment_of(start)
    if start <= seg_start and end >= seg_end:
        after = end
        while after < len(text) and text[after] in " \t":
            after += 1
        if after < len(text) and text[after] in ",;|\uff0c\u3001":
            after += 1
            while after < len(text) and text[after] in " \t":
                after += 1
            return start, after
        before = start
        while before > 0 and text[before - 1] in " \t":
            before -= 1
        if before > 0 and text[before - 1] in ",;|\uff0c\u3001":
            return before - 1, end
        return start, end
    if end < len(text) and text[end] == " ":
        return start, end + 1
    if start > 0 and text[start - 1] == " ":
        return start - 1, end
    return start, end
