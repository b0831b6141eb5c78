"""Properties of fixing, on random captions: nothing outside the fixed spans
changes, and fixing reaches a point where fixing again changes nothing."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lora_lint.active import caption_findings, resolve
from lora_lint.caption import analyse
from lora_lint.fixer import apply, offset
from lora_lint.knowledge import context_of
from lora_lint.packs import load_knowledge
from lora_lint.plugins import load_plugins
from lora_lint.settings import Settings

PIECES = [
    "ohwx woman", "ohwx", "asian", "black hair", "long_hair", "3/4 view", "laugh", "smiling", "white t-shirt",
    "rating:general", "highres", "score_9", "park background", "golden hour", "looking at viewer", "1girl",
    "a young korean woman with almond-shaped eyes", "黑色長髮", "微笑", "eyes closed", "", " ", "smiling",
    "watercolor painting", "hoodie", "simple background", "soft lighting", "^_^", "front view",
]
SEPARATORS = [", ", ",", " , ", "; ", ". ", ",  ", ", , "]


@pytest.fixture(scope="module")
def rules():
    plugins = load_plugins()
    knowledge = load_knowledge(plugins.packs, [], plugins.kinds)
    settings = Settings(lora="character", model="sdxl", trigger="ohwx", klass="woman")
    context = context_of(settings, knowledge)
    active = [r for rule in knowledge.rules.values() if (r := resolve(rule, context, settings, plugins.kinds, plugins.kind_plugins, knowledge))]
    return knowledge, [r for r in active if r.kind.SCOPE == "caption"]


def lint(text: str, rules):
    knowledge, active = rules
    caption = analyse("c.txt", text.encode("utf-8"), knowledge.lexicon, "ohwx", "woman")
    return caption, [f for f in caption_findings(caption, active) if f.fix is not None]


captions = st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).flatmap(
    lambda pieces: st.lists(st.sampled_from(SEPARATORS), min_size=len(pieces) - 1, max_size=len(pieces) - 1).map(
        lambda seps: pieces[0] + "".join(s + p for s, p in zip(seps, pieces[1:]))
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=captions)
def test_one_round_changes_only_the_edited_spans(rules, text):
    caption, fixes = lint(text, rules)
    fixed, applied, _ = apply(caption, fixes)
    spans = sorted((offset(caption, e.line, e.column), offset(caption, e.end_line, e.end_column), e.content) for f in applied for e in f.fix.edits)
    rebuilt, position = [], 0
    for start, end, content in spans:  # the text between the edits is the original's, in order
        rebuilt.append(caption.text[position:start])
        rebuilt.append(content)
        position = end
    rebuilt.append(caption.text[position:])
    assert "".join(rebuilt) == fixed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=captions)
def test_fixing_reaches_a_fixed_point(rules, text):
    for _ in range(10):
        caption, fixes = lint(text, rules)
        fixed, _, _ = apply(caption, fixes)
        if fixed == text or not fixed.strip():
            break
        text = fixed
    else:
        pytest.fail(f"still changing after 10 rounds: {text!r}")
    caption, fixes = lint(text, rules)
    again, _, _ = apply(caption, fixes)
    assert again == text or not again.strip()
