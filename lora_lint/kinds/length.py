"""Kind `length`: captions neither too brief, too verbose, nor past the text encoder.

"ohwx woman, smiling" tells the LoRA nothing about what varies, so the rest
is bound to the subject; a paragraph of detail is noise; and a text encoder
reads only so many tokens (CLIP: 75 per chunk), so whatever comes after is
never seen. Tokens are estimated, since the real tokenizer would need the
model's vocabulary: a word of up to 7 letters or digits counts 1, a longer one
1 per 6 characters, each punctuation mark 1 and each CJK character 2 (CLIP's
byte-level BPE splits them). The estimate errs towards more tokens.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from itertools import islice

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding
from ..tokens import WORD, words

NAME = "length"
SCOPE = "caption"
CASES = ("brief", "verbose", "long_tag", "tokens")
PARAMS = {
    "min_words": s.Number(integer=True),
    "max_words": s.Number(integer=True),
    "max_tag_words": s.Number(integer=True),
    "function_words": s.Selectors(),  # a clause with these is prose, left to caption-style
    "token_limit": s.Number(integer=True),
    "messages": s.Messages(CASES),
}
PLACEHOLDERS = ("words", "tokens", "limit", "match")
FIXES: dict[str, bool] = {}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MARK = re.compile(r"[^\w\s]")


def estimate_tokens(text: str) -> int:
    """A CLIP token count estimate for one line of caption text."""
    count = len(_MARK.findall(text))
    for word in WORD.findall(text):
        if _CJK.match(word):
            count += 2
        else:
            count += 1 if len(word) <= 7 else math.ceil(len(word) / 6)
    return count


def check(caption, rule: ActiveRule) -> Iterator[Finding]:
    line_end = caption.line_end(1)
    first = [(span, words) for span, words in zip(caption.segments, caption.segment_words) if span[1] <= line_end]
    words_count = sum(len(words) for _, words in first)
    trigger = _words_of(rule)
    if trigger and list(islice((w for _, words in first for w, _, _ in words), len(trigger))) == trigger:
        words_count -= len(trigger)  # the trigger (and class word) leading the caption is not a description
    start, end = caption.segments[0][0], line_end
    params = rule.params
    if "min_words" in params and words_count < params["min_words"]:
        yield rule.on(caption, start, end, rule.case_message("brief", words=words_count, limit=params["min_words"]))
    if "max_words" in params and words_count > params["max_words"]:
        yield rule.on(caption, start, end, rule.case_message("verbose", words=words_count, limit=params["max_words"]))
    if "max_tag_words" in params:
        function = _function_ids(rule)
        for (seg_start, seg_end), words in first:
            if len(words) > params["max_tag_words"] and not any(
                seg_start <= h.start < seg_end and not function.isdisjoint(h.senses) for h in caption.hits
            ):
                tag = caption.text[seg_start:seg_end]
                yield rule.on(caption, seg_start, seg_end, rule.case_message("long_tag", words=len(words), limit=params["max_tag_words"], match=tag))
    limit = params.get("token_limit") or (rule.model.get("token_limit") if rule.model else None)
    if limit:
        known, text = _known_tokens(rule), caption.text
        tokens = len(first) - 1  # separators count 1
        for (a, b), _ in first:
            segment = text[a:b]
            count = known.get(segment)
            if count is None:
                count = known[segment] = estimate_tokens(segment)
            tokens += count
        if tokens > limit:
            yield rule.on(caption, start, end, rule.case_message("tokens", tokens=tokens, limit=limit))


def _function_ids(rule: ActiveRule) -> frozenset[int]:
    if "function" not in rule.memo:
        knowledge = rule.knowledge
        rule.memo["function"] = knowledge.sense_ids(knowledge.select(rule.params.get("function_words", ())))
    return rule.memo["function"]


def _words_of(rule: ActiveRule) -> list[str]:
    if "trigger" not in rule.memo:
        rule.memo["trigger"] = words(" ".join(filter(None, (rule.context.get("trigger"), rule.context.get("class")))).lower())
    return rule.memo["trigger"]


def _known_tokens(rule: ActiveRule) -> dict[str, int]:
    """Token estimates of segments seen, remembered: tags repeat across a dataset."""
    known = rule.memo.setdefault("tokens", {})
    if len(known) > 100_000:
        known.clear()
    return known
