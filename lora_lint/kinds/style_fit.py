"""Kind `style-fit`: the caption is written the way the model reads prompts.

SD1.5 and Pony learned booru tags; Flux, SD3 and the video models learned
sentences. A tag list trains a natural-language model on text unlike any
prompt it will get, and prose is mostly noise to a tag model. A caption is
prose when its clauses run long and hold function words (`a`, `the`, `with`:
the pack's `grammar.function` terms), and tags when it has several short
clauses without them. Models whose `caption_style` allows both (hybrid) are
never flagged. Fix `rewrite` writes a tag caption as the pack's sentence
template, or a sentence as the tags the packs know in it (unsafe: review it).
"""
from __future__ import annotations

from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding
from ..templates import filled_pieces
from ..tokens import WORD

NAME = "style-fit"
SCOPE = "caption"
CASES = ("tags", "prose")
PARAMS = {
    "function_words": s.required(s.Selectors()),
    "prose_words": s.Number(),  # mean words per clause at or above which a caption reads as prose
    "min_tags": s.Number(integer=True),  # fewer clauses than this are too few to call tags
    "parts": s.Groups(),  # part of a sentence -> the categories whose tags fill it
    "sentence": s.Template(),  # pieces separated by "|", each kept only if its part has tags
    "messages": s.Messages(CASES),
}
PLACEHOLDERS = ("styles", "subject", "other")
FIXES = {"rewrite": False}  # a tag caption rewritten as a sentence: review it


def _function_ids(rule: ActiveRule) -> frozenset[int]:
    if "ids" not in rule.memo:
        knowledge = rule.knowledge
        rule.memo["ids"] = knowledge.sense_ids(knowledge.select(rule.params["function_words"]))
    return rule.memo["ids"]


def written_as(caption, rule: ActiveRule) -> str | None:
    """'tags', 'prose', or None when the caption is too short to tell."""
    line_end = caption.line_end(1)
    first_line = caption.text[:line_end].strip()
    if len(first_line) > 1 and first_line[0].isupper() and first_line[-1] in ".!?":
        return "prose"  # a capitalised sentence with its full stop: no tagger writes that
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
        rewritten = as_sentence(caption, rule) if found == "tags" else as_tags(caption, rule)
        edits = [(start, end, rewritten)] if rewritten else None
        how = "write the tags as a sentence" if found == "tags" else "keep the terms of the sentence as tags"
        yield rule.on(caption, start, end, rule.case_message(found, styles=", ".join(styles)), edits, how)


def as_tags(caption, rule: ActiveRule) -> str | None:
    """A sentence as tags: the trigger (and class), then every term the packs
    know in it, in order, once (unsafe: the words they do not know go)."""
    function = _function_ids(rule)
    line_end = caption.line_end(1)
    tags = [caption.text[a:b] for a, b in caption.trigger_phrases[:1]]
    seen = {t.lower() for t in tags}
    little = {rule.knowledge.lexicon.senses[i].canonical for i in function}
    for hit in caption.hits:
        text = caption.text[hit.start : hit.end]
        if set(hit.key.split(" ")) <= little:  # "on a": a pattern's catch of nothing but little words
            continue
        if hit.end <= line_end and function.isdisjoint(hit.senses) and text.lower() not in seen:
            seen.add(text.lower())
            tags.append(text)
    return ", ".join(tags) if len(tags) > 2 else None


def as_sentence(caption, rule: ActiveRule) -> str | None:
    """A tag caption as the pack's sentence template: tags gathered by part
    (the first part whose categories a tag names), the trigger as subject."""
    parts, template = rule.params.get("parts"), rule.params.get("sentence")
    if not parts or not template:
        return None
    knowledge = rule.knowledge
    if "parts" not in rule.memo:
        rule.memo["parts"] = [(name, knowledge.sense_ids(knowledge.select(selectors))) for name, selectors in parts.items()]
    filled: dict[str, list[str]] = {name: [] for name in parts}
    filled.update(subject=[], other=[])
    line_end = caption.line_end(1)
    phrase = caption.trigger_phrases[0] if caption.trigger_phrases else None
    for start, end in caption.segments:
        if end > line_end:
            break
        tag = caption.text[start:end]
        if phrase and start <= phrase[0] < end:
            filled["subject"].append(tag)
            continue
        present = {i for hit in caption.hits if start <= hit.start < end for i in hit.senses}
        part = next((name for name, ids in rule.memo["parts"] if not ids.isdisjoint(present)), "other")
        filled[part].append(tag)
    if not filled["subject"]:
        filled["subject"].append(" ".join(filter(None, (rule.context.get("trigger"), rule.context.get("class")))) or "a person")
    text = "".join(filled_pieces(template, {n: _listed(v) for n, v in filled.items() if v})).strip()
    return text[:1].upper() + text[1:] if text else None


def _listed(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
