"""The semantic pass: what packs may say, and the errors when they say it wrong."""
from __future__ import annotations

from pathlib import Path

import pytest

from lora_lint.errors import LoraLintError, PackError
from lora_lint.packs import load_knowledge
from lora_lint.plugins import load_plugins


@pytest.fixture(scope="module")
def plugins():
    return load_plugins()


def compile_extra(plugins, tmp_path: Path, text: str, name: str = "mine.lora"):
    pack = tmp_path / name
    pack.write_text(text)
    return load_knowledge(plugins.packs, [pack], plugins.kinds)


def error_of(plugins, tmp_path, text) -> PackError:
    with pytest.raises(PackError) as caught:
        compile_extra(plugins, tmp_path, text)
    return caught.value


def test_builtin_packs_declare_every_model_and_lora_type(plugins):
    knowledge = load_knowledge(plugins.packs, [], plugins.kinds)
    assert set(knowledge.models) == {"sd15", "sdxl", "pony", "flux", "sd3", "kolors", "wan", "hunyuan", "cogvideox"}
    assert set(knowledge.loras) == {"character", "style", "object", "concept", "scene", "video"}
    assert knowledge.loras["character"].get("images") == (15, 50)
    background = knowledge.loras["character"].get("distribution")["background"]
    assert background.rows["background.simple"] == (60, 70) and background.percent
    assert knowledge.models["sdxl"].get("steps")["character"] == (1500, 4000)
    assert {"trigger-word", "identity-leak", "missing-field", "vocab-variant", "caption-format", "caption-pairing", "dataset-size"} <= set(knowledge.rules)


@pytest.mark.parametrize(
    "text, message",
    [
        ("use core\nrule r {\n kind forbid\n terms identty\n}\n", "unknown category 'identty' (did you mean 'identity'?)"),
        ("use core\nrule r {\n kind junk\n message \"m\"\n}\n", "rule 'r' needs 'terms'"),
        ("use core\nrule identity-leak {\n kind forbid\n terms identity\n}\n", "duplicate rule 'identity-leak', first declared at"),
        ("use core\noverride rule identity-lek { severity info }\n", "override of unknown rule 'identity-lek' (did you mean 'identity-leak'?)"),
        ("use core\nlora tiny {\n images 50..15\n}\n", "bad range for 'images': 50 is above 15"),
        ("use core\nlora tiny {\n images 10%..20%\n}\n", "'images' takes a plain number, not '10%'"),
        ("use core\nrule r {\n kind forbid\n terms identity\n message \"{mach} leaks\"\n}\n", "unknown placeholder '{mach}'"),
        ("use core\nrule r {\n kind forbid\n terms identity\n severty error\n}\n", "unknown property 'severty' for a rule of kind 'forbid' (did you mean 'severity'?)"),
        ("use core\nrule r {\n kind forbid\n terms identity\n fix delete\n}\n", "kind 'forbid' offers no fix 'delete'"),
        ("use core\nrule r {\n kind forbid\n terms identity\n message \"m\"\n when lora charactr\n}\n", "unknown LoRA type 'charactr' (did you mean 'character'?)"),
        ("use core\nrule r {\n kind forbid\n terms identity\n when modle sdxl\n}\n", "unknown condition 'modle'"),
        ("use core\nrule r {\n kind forbid\n terms identity\n severity fatal\n}\n", "'severity' takes one of error, warning, info, not 'fatal'"),
        ("terms junk { \"a\" = \"b\" }\n", "a terms list has no variants"),
        ("terms junk { \"a\", \"A\" }\n", "term 'A' is already in terms 'junk'"),
        ("terms junk { \"!!\" }\n", "term '!!' has no letters or digits"),
        ("use cor\n", "no pack named 'cor' is installed (did you mean 'core'?)"),
        ("model sdxl {\n}\n", "duplicate model 'sdxl'"),
        ('terms junk { pattern "#*x" }\n', "pattern '#*x': two wildcards side by side"),
        ("use core\nrule r {\n kind forbid\n terms identity\n message \"a\"\n severity error\n severity info\n}\n", "'severity' is set twice"),
        ("use core\nrule r {\n kind forbid\n terms identity\n}\n", "rule 'r' needs a 'message'"),
        ("use core\nrule r {\n kind trigger\n messages { missing \"m\" }\n}\n", "needs a 'message' (or messages for position, repeated)"),
        ("use core\nrule r {\n kind trigger\n message \"m\"\n insert \"{trigr}, \"\n}\n", "unknown placeholder '{trigr}'"),
        ('use core\nvocabulary identity.ethnicity { "x" = "y" }\n', "duplicate category 'identity.ethnicity'"),
        ("use core\nrule identity-leak {\n kind forbid\n terms identity\n}\n", "write 'override rule identity-leak' to change it"),
    ],
)
def test_semantic_errors_point_at_the_offending_text(plugins, tmp_path, text, message):
    error = error_of(plugins, tmp_path, text)
    assert message in error.message
    assert error.path == str(tmp_path / "mine.lora")
    assert error.line >= 1 and error.source is not None
    assert "^" in error.render()


def test_use_cycle_is_an_error(plugins, tmp_path):
    (tmp_path / "b.lora").write_text('use "mine.lora"\n')
    with pytest.raises(LoraLintError, match="cycle: mine.lora -> b.lora -> mine.lora"):
        compile_extra(plugins, tmp_path, 'use "b.lora"\n')


def test_override_changes_severity_and_parameters(plugins, tmp_path):
    knowledge = compile_extra(plugins, tmp_path, "use core\noverride rule identity-leak {\n severity info\n terms identity.ethnicity\n}\n")
    rule = knowledge.rules["identity-leak"]
    context = {"lora": "character", "subset": "train"}
    assert rule.value("severity", context) == "info"
    assert rule.value("terms", context) == ("identity.ethnicity",)
    assert rule.value("message", context).startswith("'{match}'")  # untouched


def test_conditional_property_applies_only_when_it_holds(plugins):
    knowledge = load_knowledge(plugins.packs, [], plugins.kinds)
    rule = knowledge.rules["identity-leak"]
    assert rule.value("allow", {"hairstyles": "multiple"}) == ("identity.hair",)
    assert rule.value("allow", {"hairstyles": "single"}) is None


def test_extend_adds_terms_that_then_match(plugins, tmp_path):
    knowledge = compile_extra(plugins, tmp_path, 'use core\nextend terms identity.ethnicity { "klingon" }\n')
    assert "klingon" in knowledge.lexicon.phrases


def test_compiled_packs_are_cached_and_rebuilt_when_a_pack_changes(plugins, tmp_path, monkeypatch):
    monkeypatch.setenv("LORA_LINT_CACHE_DIR", str(tmp_path / "cache"))
    compile_extra(plugins, tmp_path, 'use core\nterms junk { "aaa" }\n')
    assert len(list((tmp_path / "cache").glob("knowledge-*.pickle"))) == 1
    again = compile_extra(plugins, tmp_path, 'use core\nterms junk { "aaa" }\n')
    assert "aaa" in again.lexicon.phrases
    changed = compile_extra(plugins, tmp_path, 'use core\nterms junk { "bbb" }\n')
    assert "bbb" in changed.lexicon.phrases and "aaa" not in changed.lexicon.phrases


def test_a_used_file_that_changes_invalidates_the_cache(plugins, tmp_path, monkeypatch):
    monkeypatch.setenv("LORA_LINT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "words.lora").write_text('terms junk { "aaa" }\n')
    compile_extra(plugins, tmp_path, 'use "words.lora"\n')
    (tmp_path / "words.lora").write_text('terms junk { "ccc" }\n')
    assert "ccc" in compile_extra(plugins, tmp_path, 'use "words.lora"\n').lexicon.phrases


def test_the_cache_keeps_only_recent_entries(plugins, tmp_path, monkeypatch):
    from lora_lint import packs

    monkeypatch.setenv("LORA_LINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(packs, "KEEP", 2)
    for word in ("aaa", "bbb", "ccc"):
        compile_extra(plugins, tmp_path, f'use core\nterms junk {{ "{word}" }}\n')
    assert len(list((tmp_path / "cache").glob("knowledge-*.pickle"))) == 2


def test_a_cached_entry_is_used_when_nothing_changed(plugins, tmp_path, monkeypatch):
    from lora_lint import packs

    monkeypatch.setenv("LORA_LINT_CACHE_DIR", str(tmp_path / "cache"))
    compile_extra(plugins, tmp_path, 'use core\nterms junk { "aaa" }\n')
    monkeypatch.setattr(packs, "load_packs", lambda *a: pytest.fail("packs were parsed again"))
    assert "aaa" in compile_extra(plugins, tmp_path, 'use core\nterms junk { "aaa" }\n').lexicon.phrases
