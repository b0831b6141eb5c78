"""Rules resolved for one context, as rule kinds receive them, and the guarded
calls into kinds (a kind that raises is named, with its plugin and file)."""
from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .edits import edit
from .errors import LoraLintError
from .findings import Finding, Fix

if TYPE_CHECKING:
    from .caption import Caption
    from .knowledge import Declared, Knowledge, Rule
    from .settings import Settings


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


class PerSenses(dict):
    """What a rule makes of a hit's senses, worked out once per distinct senses
    tuple (a lexicon has a few thousand; a dataset has millions of hits)."""

    def __init__(self, work: Callable[[tuple[int, ...]], Any]) -> None:
        super().__init__()
        self.work = work

    def __missing__(self, senses: tuple[int, ...]) -> Any:
        value = self[senses] = self.work(senses)
        return value


@dataclass
class ActiveRule:
    """A rule resolved for one context: severity, message, fix and parameters."""

    name: str
    kind: Any
    plugin: str
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

    def per_senses(self, name: str, work: Callable[[tuple[int, ...]], Any]) -> PerSenses:
        """This rule's memo `name` of `work(hit.senses)`: index it with a hit's senses."""
        memo = self.memo.get(name)
        if memo is None:
            memo = self.memo[name] = PerSenses(work)
        return memo

    def text(self, template: str, **values: Any) -> str:
        """Fill a message template with these values and the context's."""
        base = self.memo.get("_placeholders")
        if base is None:  # the context's values, once per rule: messages are many on a large dataset
            base = self.memo["_placeholders"] = {**{k: v for k, v in self.context.items() if v is not None}, "rule": self.name}
        known = _Blank(base)
        known.update({k: v for k, v in values.items() if v is not None})
        return template.format_map(known)

    def case_message(self, case: str, **values: Any) -> str:
        """The pack's message for a named case (or the rule's message), filled in."""
        return self.text(self.params.get("messages", {}).get(case) or self.message, **values)

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
        safe: bool | None = None,
    ) -> Finding:
        """A finding on a span of a caption (shown on its first line), with an
        optional fix made of (start, end, replacement) edits; `safe` overrides
        the safety the kind declares for its fix."""
        line, column = caption.position(start)
        end_line, end_column = caption.position(end)
        if end_line != line:
            end_column = caption.line_end(line) - caption.line_starts[line - 1] + 1
        fix = None
        if edits is not None and self.fix:
            safe = self.kind.FIXES[self.fix] if safe is None else safe
            fix = Fix(fix_message or self.fix, safe, tuple(edit(caption, *e) for e in edits))
        return Finding(self.name, severity or self.severity, caption.path, line, column, end_column, message, fix)


def resolve(rule: Rule, context: dict[str, Any], settings: Settings, kinds: dict, owners: dict, knowledge: Knowledge) -> ActiveRule | None:
    """The rule as it applies in a context, or None if it does not (or is off)."""
    if not rule.applies(context):
        return None
    severity = settings.severity.get(rule.name) or rule.value("severity", context, "warning")
    if severity == "off":
        return None
    kind = kinds[rule.kind]
    params = {name: value for name in kind.PARAMS if (value := rule.value(name, context)) is not None}
    fix = rule.value("fix", context)
    message = rule.value("message", context, "")
    lang = context.get("lang")
    if lang and lang != "en":  # a translation's texts win, case by case; what it lacks stays English
        message = rule.value(f"message.{lang}", context) or message
        if translated := rule.value(f"messages.{lang}", context):
            params["messages"] = {**params.get("messages", {}), **translated}
    return ActiveRule(rule.name, kind, owners.get(rule.kind, "?"), severity, message, None if fix == "none" else fix, params, context, knowledge)


def failure(rule: ActiveRule, step: str, where: str, error: Exception) -> LoraLintError:
    """The error for a rule kind that raised: which rule, kind, plugin and file."""
    return kind_failure(rule.name, rule.kind.NAME, rule.plugin, step, where, error)


def kind_failure(rule: str, kind: str, plugin: str, step: str, where: str, error: Exception) -> LoraLintError:
    """`failure`, for a step with no resolved rule at hand (a merge)."""
    return LoraLintError(f"rule '{rule}' (kind '{kind}' from plugin '{plugin}') failed in {step}: {type(error).__name__}: {error}", where)


def caption_findings(caption: Caption, rules: list[ActiveRule], ignored: set[str] = frozenset(), failed: dict[str, str] | None = None) -> list[Finding]:
    """Every caption rule's findings on one caption (empty captions: format rules only).

    A kind that raises is an error naming it: raised, or, given `failed`,
    recorded there (rule name -> error) while the other rules go on; a rule
    in `failed` is not called again."""
    return findings_by_caption([caption], rules, [ignored], failed)[0]


def findings_by_caption(
    captions: list[Caption], rules: list[ActiveRule], ignored: list[set[str]] | None = None, failed: dict[str, str] | None = None,
) -> list[list[Finding]]:
    """`caption_findings` of each caption (`ignored`: the rules each leaves
    out), rule by rule: each rule runs over every caption before the next
    starts, which keeps its loop hot in the interpreter's caches (it halves
    what the rules cost on a large dataset); per caption, findings come in
    rule order."""
    found: list[list[Finding]] = [[] for _ in captions]
    for rule in rules:
        empty_ok, check = getattr(rule.kind, "EMPTY_OK", False), rule.kind.check
        for index, caption in enumerate(captions):
            if failed is not None and rule.name in failed:
                break
            if (ignored is not None and rule.name in ignored[index]) or (not caption.segments and not empty_ok):
                continue
            try:
                found[index].extend(check(caption, rule))
            except LoraLintError:
                raise
            except Exception as error:
                if failed is None:
                    raise failure(rule, "check", caption.path, error) from error
                failed[rule.name] = failure(rule, "check", caption.path, error).render()
    return found
