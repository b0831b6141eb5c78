"""Matching terms in captions: one pass, leftmost-longest, any spelling."""
from __future__ import annotations

import pytest

from lora_lint.caption import analyse
from lora_lint.lexicon import Lexicon, Sense, compile_pattern
from lora_lint.tokens import phrase_key, segments


def lexicon(*terms: str, patterns: tuple[str, ...] = ()) -> Lexicon:
    built = Lexicon()
    for term in terms:
        built.add(phrase_key(term), Sense("cat", term, False))
    for pattern in patterns:
        built.add_pattern(pattern, Sense("cat", pattern, False))
    built.freeze()
    return built


def matched(text: str, lex: Lexicon, trigger: str = "", klass: str = "") -> list[str]:
    caption = analyse("c.txt", text.encode(), lex, trigger, klass)
    return [text[h.start : h.end] for h in caption.hits]


def test_case_underscores_and_hyphens_do_not_matter():
    lex = lexicon("black hair", "t-shirt")
    assert matched("Black_Hair, T-Shirt, black-hair, t shirt", lex) == ["Black_Hair", "T-Shirt", "black-hair", "t shirt"]


def test_longest_term_wins_and_words_inside_other_words_do_not_match():
    lex = lexicon("smile", "gentle smile", "sian")
    assert matched("gentle smile, smile, asian", lex) == ["gentle smile", "smile"]


def test_terms_do_not_cross_tag_boundaries():
    assert matched("black, hair", lexicon("black hair")) == []


def test_prose_matches_inside_sentences():
    lex = lexicon("korean", "almond-shaped eyes")
    assert matched("a young Korean woman with almond-shaped eyes.", lex) == ["Korean", "almond-shaped eyes"]


def test_cjk_terms_match_without_spaces():
    lex = lexicon("黑色長髮", "微笑")
    assert matched("ohwx，黑色長髮的女孩在微笑", lex) == ["黑色長髮", "微笑"]


def test_patterns_match_digits_and_word_parts():
    lex = lexicon(patterns=("# year old", "*-skinned"))
    assert matched("25-year-old, 30 year old, dark-skinned, skinned", lex) == ["25-year-old", "30 year old", "dark-skinned"]


def test_ambiguous_patterns_are_refused():
    # Adjacent wildcards could match the same characters in many ways; every
    # accepted pattern alternates literals and disjoint classes, so it runs in
    # linear time whatever the caption.
    for bad in ("#*", "a**b", "*#"):
        with pytest.raises(ValueError):
            compile_pattern(bad)


def test_the_trigger_and_its_class_word_are_not_matched_as_terms():
    lex = lexicon("woman", "ohwx")
    assert matched("ohwx woman, a woman", lex, trigger="ohwx", klass="woman") == ["woman"]


def test_segments_split_tags_and_sentences_and_trim():
    text = "a, b; c. d\nÉtude 3.5 ok"
    assert [text[s:e] for s, e in segments(text)] == ["a", "b", "c", "d", "Étude 3.5 ok"]


def test_segments_trim_unicode_spaces_and_stray_byte_order_marks_but_keep_offsets():
    text = "\ufeff a\u3000,\xa0\ufeff\u2028b \ufeff,\ufeff ,, c\u3002"
    spans = segments(text)
    assert [text[s:e] for s, e in spans] == ["a", "b \ufeff", "c"]  # a mark ends no segment: only leading ones are blank
    assert spans[0] == (2, 3)


def test_a_term_reaching_further_wins_over_one_it_overlaps():
    lex = lexicon("black hair", "hair ribbon", "in profile", "profile view")
    assert matched("black hair ribbon, in profile view, black hair", lex) == ["hair ribbon", "profile view", "black hair"]
