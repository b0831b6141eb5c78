"""Built-in rule kinds on single captions: spans, messages and fix edits.

`apply` applies one finding's edits, as `lora-lint fix` will, so each test
can say what the fixed caption reads.
"""
from __future__ import annotations

import pytest

from lora_lint.engine import lint_caption
from lora_lint.packs import load_knowledge
from lora_lint.plugins import load_plugins
from lora_lint.settings import Settings


@pytest.fixture(scope="module")
def lint():
    plugins = load_plugins()
    knowledge = load_knowledge(plugins.packs, [], plugins.kinds)

    def run(text: str, rule: str, **settings):
        values = {"lora": "character", "model": "sdxl", "trigger": "ohwx", "klass": "woman", **settings}
        found = lint_caption(text, Settings(**values), knowledge, plugins)
        return [f for f in found if f.rule == rule]

    return run


def apply(text: str, finding) -> str:
    """The caption after one finding's edits (single-line captions)."""
    for edit in sorted(finding.fix.edits, key=lambda e: e.column, reverse=True):
        text = text[: edit.column - 1] + edit.content + text[edit.end_column - 1 :]
    return text


def span(text: str, finding) -> str:
    return text[finding.column - 1 : finding.end_column - 1]


def test_identity_leak_removes_a_tag_with_its_separator(lint):
    text = "ohwx woman, asian, smiling"
    (leak,) = lint(text, "identity-leak")
    assert span(text, leak) == "asian" and not leak.fix.safe
    assert apply(text, leak) == "ohwx woman, smiling"


def test_identity_leak_removes_the_last_tag_with_the_separator_before_it(lint):
    text = "ohwx woman, smiling, asian"
    (leak,) = lint(text, "identity-leak")
    assert apply(text, leak) == "ohwx woman, smiling"


def test_identity_leak_in_prose_removes_the_word_and_one_space(lint):
    text = "a photo of ohwx woman, a young woman smiling"
    (leak,) = lint(text, "identity-leak")
    assert apply(text, leak) == "a photo of ohwx woman, a woman smiling"


def test_a_removed_sentence_takes_its_full_stop(lint):
    text = "Ohwx woman. Asian. Smiling."
    (leak,) = lint(text, "identity-leak")
    assert apply(text, leak) == "Ohwx woman. Smiling."


def test_missing_trigger_is_inserted_with_its_class(lint):
    text = "front view, smiling"
    (missing,) = lint(text, "trigger-word")
    assert missing.fix.safe and apply(text, missing) == "ohwx woman, front view, smiling"
    (no_class,) = lint(text, "trigger-word", klass=None)
    assert apply(text, no_class) == "ohwx, front view, smiling"


def test_a_trigger_tag_elsewhere_is_moved_first(lint):
    text = "front view, ohwx woman, smiling"
    (late,) = lint(text, "trigger-word")
    assert span(text, late) == "ohwx"
    assert apply(text, late) == "ohwx woman, front view, smiling"


def test_a_trigger_inside_the_first_tag_is_first(lint):
    assert lint("photo of ohwx woman, smiling", "trigger-word") == []
    assert lint("(ohwx woman:1.2), smiling", "trigger-word") == []


def test_a_repeated_trigger_is_reported_but_not_across_lines(lint):
    text = "ohwx woman, smiling, ohwx"
    (repeat,) = lint(text, "trigger-word")
    assert apply(text, repeat) == "ohwx woman, smiling"
    assert lint("ohwx woman, smiling\nohwx woman, laughing", "trigger-word") == []


def test_a_trigger_inside_a_longer_word_is_not_the_trigger(lint):
    assert [f.message for f in lint("ohwxy woman, smiling", "trigger-word")][0].startswith("caption lacks")


def test_every_empty_tag_is_in_one_fix(lint):
    text = "ohwx woman, , smiling, , laughing,"
    (separators,) = [f for f in lint(text, "caption-format") if "separator" in f.message]
    assert separators.severity == "info"
    assert apply(text, separators) == "ohwx woman, smiling, laughing"


def test_outer_whitespace_is_reported_where_it_is(lint):
    text = "   ohwx woman, smiling  "
    (space,) = lint(text, "caption-format")
    assert (space.column, space.end_column) == (1, 4)
    assert apply(text, space) == "ohwx woman, smiling"


def test_columns_after_a_bom_count_as_an_editor_shows_them(lint):
    plugins = load_plugins()
    knowledge = load_knowledge(plugins.packs, [], plugins.kinds)
    from lora_lint.active import caption_findings, resolve
    from lora_lint.caption import analyse
    from lora_lint.knowledge import context_of

    settings = Settings(lora="character", trigger="ohwx", klass="woman")
    context = context_of(settings, knowledge)
    caption = analyse("c.txt", "\ufeffohwx woman, asian".encode(), knowledge.lexicon, "ohwx", "woman")
    rules = [r for rule in knowledge.rules.values() if (r := resolve(rule, context, settings, plugins.kinds, plugins.kind_plugins, knowledge)) and r.kind.SCOPE == "caption"]
    found = {f.rule: f for f in caption_findings(caption, rules)}
    assert found["identity-leak"].column == 13
    assert found["caption-format"].message.startswith("starts with a byte-order mark")


def test_a_span_clamped_to_its_line_stops_before_crlf(lint):
    text = "ohwx woman\r\nsmiling\r\n"
    (lines,) = [f for f in lint(text, "caption-format") if "lines" in f.message]
    assert (lines.line, lines.column, lines.end_column) == (2, 1, 8)


def test_vocab_variant_fix_writes_the_canonical_term(lint):
    text = "ohwx woman, 3/4 view, smiling"
    (variant,) = lint(text, "vocab-variant")
    assert variant.fix.safe and apply(text, variant) == "ohwx woman, three quarter view, smiling"


def test_missing_field_names_each_missing_field(lint):
    messages = [f.message for f in lint("ohwx woman, smiling", "missing-field")]
    assert sorted(m.split(":")[0] for m in messages) == [
        "caption names no background",
        "caption names no clothing",
        "caption names no eye direction",
        "caption names no lighting",
    ]
