"""The rule-pack language: parsing into the AST, and syntax errors."""
from __future__ import annotations

import pytest

from lora_lint.errors import PackError
from lora_lint.language import ast
from lora_lint.language.parser import parse_pack

PACK = '''\
# a comment
pack demo "A demo pack"
use core
use "other.lora"

vocabulary angle {
    "three quarter view" = "3/4 view",
        "3/4 angle"                # a list continues after a comma
    "front view"
}
terms identity.hair.color { "black hair", pattern "*-haired" }

model sdxl {
    resolution 1024x1024
    learning_rate 5e-5..1e-4
    steps character 1500..4000
    quality_tags "masterpiece", "best quality"
}
lora character {
    regularization 1x..5x
    distribution background { simple 60%..70%, contextual 30%..40% }
}
rule identity-leak {
    kind forbid
    when lora character and not subset reg
    allow identity.hair when hairstyles multiple
    message """
        '{match}' is part
        of who she is
        """
}
override rule identity-leak { severity warning }
extend terms identity.hair.color { "pink hair" }
'''


def test_a_pack_parses_into_typed_declarations():
    pack = parse_pack(PACK, "demo.lora")
    assert (pack.name, pack.title) == ("demo", "A demo pack")
    assert [(u.target, u.is_path) for u in pack.uses] == [("core", False), ("other.lora", True)]
    blocks = [(d.change, d.block, d.name.text) for d in pack.declarations]
    assert blocks == [
        ("", "vocabulary", "angle"),
        ("", "terms", "identity.hair.color"),
        ("", "model", "sdxl"),
        ("", "lora", "character"),
        ("", "rule", "identity-leak"),
        ("override", "rule", "identity-leak"),
        ("extend", "terms", "identity.hair.color"),
    ]


def test_vocabulary_entries_keep_variants_and_patterns():
    angle, hair = parse_pack(PACK, "demo.lora").declarations[:2]
    first = angle.entries[0]
    assert first.canonical.text == "three quarter view"
    assert [v.text for v in first.variants] == ["3/4 view", "3/4 angle"]
    assert (hair.entries[1].canonical.text, hair.entries[1].canonical.is_pattern) == ("*-haired", True)


def test_values_ranges_units_and_conditions():
    pack = parse_pack(PACK, "demo.lora")
    model, lora, rule = pack.declarations[2:5]
    resolution, rate, steps, _ = model.properties
    assert (resolution.groups[0][0].width, resolution.groups[0][0].height) == (1024, 1024)
    assert (rate.groups[0][0].low.value, rate.groups[0][0].high.value) == (5e-5, 1e-4)
    assert steps.groups[0][0].text == "character"
    regularization, distribution = lora.properties
    assert regularization.groups[0][0].low.unit == "x"
    assert [(p.key.text, p.values[0].low.value) for p in distribution.table] == [("simple", 60), ("contextual", 30)]
    (when,) = rule.when
    assert [(t.key.text, t.negated) for t in when.tests] == [("lora", False), ("subset", True)]
    allow = rule.properties[1]
    assert allow.condition.tests[0].key.text == "hairstyles"
    assert rule.properties[2].groups[0][0].text == "'{match}' is part\nof who she is"


def test_locations_point_at_the_text():
    rule = parse_pack(PACK, "demo.lora").declarations[4]
    kind = rule.properties[0].groups[0][0]
    assert isinstance(kind, ast.Name)
    assert (kind.loc.line, kind.loc.column, kind.loc.end_column) == (24, 10, 16)


@pytest.mark.parametrize(
    "source, where, message",
    [
        ("modle sdxl {\n}\n", (1, 1), "unexpected 'modle'"),
        ("model sdxl {\n  rank 8..\n}\n", (2, 11), "unexpected end of line: expected a multiple like 2x, a number"),
        ('terms x {\n  "abc\n}\n', (2, 3), "unexpected character '\"'"),
        ("rule x {\n  kind forbid\n", (3, 1), "unexpected end of file: expected 'when', '}' or a name"),
        ("model sdxl rank 8\n", (1, 12), "unexpected 'rank': expected '{'"),
    ],
)
def test_syntax_errors_name_line_and_column_and_what_was_expected(source, where, message):
    with pytest.raises(PackError) as caught:
        parse_pack(source, "bad.lora")
    error = caught.value
    assert (error.line, error.column) == where
    assert message in error.message
    rendered = error.render().splitlines()
    assert rendered[0].startswith(f"bad.lora:{where[0]}:{where[1]}: ")
    if len(rendered) == 3:
        assert rendered[2].index("^") == 4 + where[1] - 1


def test_a_misspelt_keyword_gets_a_suggestion():
    with pytest.raises(PackError) as caught:
        parse_pack("vocabulray angle {\n}\n", "bad.lora")
    assert "(did you mean 'vocabulary'?)" in caught.value.message
