"""Kind `style-fit`: the caption is written the way the model reads prompts.

SD1.5 and Pony learned booru tags; Flux, SD3 and the video models learned
sentences. A tag list trains a natural-language model on text unlike any
prompt it will get, and prose is mostly noise to a tag model. A caption is
prose when its clauses run long and hold function words (`a`, `the`, `with`:
the pack's `grammar.function` terms), and tags when it has several short
clauses without them. Models whose `caption_style` allows both (hybrid) are
never flagged.
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding
from ..tokens import WORD

NAME = "style-fit"
SCOPE = "caption"
CASES = ("tags", "prose")
PARAMS = {
    "function_words": s.required(s.Selectors()),
    "prose_words": s.Number(),  # mean words per clause at or above which a caption reads as prose
    "min_tags": s.Number(integer=True),  # fewer clauses than this are too few to call tags
    "messages": s.Messages(CASES),
}
PLACEHOLDERS = ("styles",)
FIXES: dict[str, bool] = {}


def _function_ids(rule: ActiveRule) -> frozenset[int]:
    if "ids" not in rule.memo:
        knowledge = rule.knowledge
        rule.memo["ids"] = knowledge.sense_ids(knowledge.select(rule.params["function_words"]))
    return rule.memo["ids"]


def written_as(caption, rule: ActiveRule) -> str | None:
    """'tags', 'prose', or None when the caption is too short to tell."""
    line_end = caption.line_end(1)
    clauses = [(a, b) for a, b in caption.segments if b <= line_end]
    counts = [len(WORD.findall(caption.norm[a:b])) for a, b in clauses]
    total = sum(counts)
    if not total:
        return None
    ids = _function_ids(rule)
    function = sum(1 for hit in caption.hits if hit.end <= line_end and not ids.isdisjoint(hit.senses))
    mean = total / len(counts)
    prose_words = rule.params.get("prose_words", 4)
    if function * 10 >= total and mean >= prose_words:
        return "prose"
    if len(counts) >= rule.params.get("min_tags", 4) and mean < prose_words - 1:
        return "tags"
    return None


def check(caption, rule: ActiveRule) -> Iterator[Finding]:
    styles = rule.context.get("caption_style") or ()
    if not styles or "hybrid" in styles or ("tags" in styles and "natural" in styles):
        return
    found = written_as(caption, rule)
    wanted = "prose" if "natural" in styles else "tags"
    if found and found != wanted:
        start, end = caption.segments[0][0], caption.line_end(1)
        yield rule.on(caption, start, end, rule.case_message(found, styles=", ".join(styles)))
