"""Messages in English, Traditional and Simplified Chinese, from the packs;
Chinese and mixed-language captions matched without word boundaries."""
from __future__ import annotations

import re

import pytest
from conftest import FOLDER, with_pack

from lora_lint.active import resolve
from lora_lint.caption import analyse
from lora_lint.i18n import from_environment
from lora_lint.knowledge import context_of
from lora_lint.packs import load_knowledge
from lora_lint.plugins import load_plugins
from lora_lint.settings import Settings

CJK = re.compile("[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def loaded():
    plugins = load_plugins()
    return plugins, load_knowledge(plugins.packs, [], plugins.kinds)


@pytest.mark.parametrize("lang", ["zh-TW", "zh-CN"])
def test_every_built_in_rule_has_chinese_messages_for_every_case(loaded, lang):
    plugins, knowledge = loaded
    settings = Settings(lora="character", model="sdxl")
    for rule in knowledge.rules.values():
        context = context_of(settings, knowledge, "train", lang=lang)
        active = resolve(rule, {**context, "lora": None}, settings, plugins.kinds, plugins.kind_plugins, knowledge) or resolve(
            rule, context, settings, plugins.kinds, plugins.kind_plugins, knowledge
        )
        if active is None:  # a rule for another type: resolve it unconditionally
            rule = type(rule)(rule.name, rule.kind, rule.pack, rule.path, rule.line, (), rule.props)
            active = resolve(rule, context, settings, plugins.kinds, plugins.kind_plugins, knowledge)
        for case in getattr(plugins.kinds[rule.kind], "CASES", ("",)):
            text = active.case_message(case) if case else active.message
            assert CJK.search(text), f"{rule.name} {case}: {text}"
        assert CJK.search(rule.doc("summary", "", lang)), rule.name


def test_check_speaks_the_language_asked_for(run, dataset):
    english = run("check", dataset, "--format", "json", "--lang", "en").json["findings"]
    taiwan = run("check", dataset, "--format", "json", "--lang", "zh-TW").json["findings"]
    mainland = run("check", dataset, "--format", "json", "--lang", "zh-CN").json["findings"]
    assert [f["rule"] for f in english] == [f["rule"] for f in taiwan] == [f["rule"] for f in mainland]
    assert all(CJK.search(f["message"]) for f in taiwan + mainland)
    leak = next(f for f in taiwan if f["rule"] == "identity-leak")["message"]
    assert leak.startswith("'asian' 描述的是角色本身") and "綁定" in leak
    assert "绑定" in next(f for f in mainland if f["rule"] == "identity-leak")["message"]
    assert not any(CJK.search(f["message"]) for f in english)


def test_explain_and_sarif_carry_the_translation(run, dataset, capsys):
    assert "角色 LoRA 的標註不寫角色固定的特徵" in run("explain", "identity-leak", "--lang", "zh-TW").out
    import json

    rules = json.loads(run("check", dataset, "--format", "sarif", "--lang", "zh-CN").out)["runs"][0]["tool"]["driver"]["rules"]
    assert CJK.search(next(r for r in rules if r["id"] == "trigger-word")["shortDescription"]["text"])


def test_the_language_defaults_from_the_environment():
    assert from_environment({"LANG": "zh_TW.UTF-8"}) == "zh-TW"
    assert from_environment({"LC_ALL": "zh_HK.UTF-8", "LANG": "en_US.UTF-8"}) == "zh-TW"
    assert from_environment({"LANGUAGE": "zh_Hant:en"}) == "zh-TW"
    assert from_environment({"LANG": "zh_CN.UTF-8"}) == "zh-CN"
    assert from_environment({"LC_MESSAGES": "zh_SG"}) == "zh-CN"
    assert from_environment({"LANG": "de_DE.UTF-8"}) == from_environment({}) == from_environment({"LANG": "C"}) == "en"


def test_a_pack_author_translates_a_rule_and_is_told_of_mistakes(run, dataset):
    with_pack(dataset, "mine.lora", 'pack mine\nuse core\noverride rule identity-leak {\n    message.zh-TW "不要寫 {match}"\n}\n')
    found = run("check", dataset, "--format", "json", "--lang", "zh-TW").json["findings"]
    assert [f["message"] for f in found if f["rule"] == "identity-leak"][0] == "不要寫 asian"
    (dataset / "mine.lora").write_text('pack mine\nuse core\noverride rule identity-leak {\n    message.ja "x"\n}\n')
    done = run("check", dataset)
    assert done.code == 2 and "mine.lora:4:5" in done.err and "unknown language 'ja'" in done.err
    (dataset / "mine.lora").write_text('pack mine\nuse core\noverride rule identity-leak {\n    message.zh-CN "不要写 {nothing}"\n}\n')
    done = run("check", dataset)
    assert done.code == 2 and "mine.lora:4:" in done.err and "unknown placeholder '{nothing}'" in done.err


def test_chinese_and_mixed_captions_are_matched_without_word_boundaries(loaded):
    _, knowledge = loaded

    def matched(text: str) -> list[tuple[str, str]]:
        caption = analyse("x.txt", text.encode(), knowledge.lexicon, "ohwx", "woman")
        return [(text[h.start : h.end], knowledge.lexicon.senses[h.senses[0]].category) for h in caption.hits]

    assert ("黑髮", "identity.hair.color") in matched("ohwx woman, 一個女孩黑髮微笑")  # no separator between the terms
    assert ("黑髮", "identity.hair.color") in matched("ohwx woman, 黑髮大笑, blonde hair")
    assert ("blonde hair", "identity.hair.color") in matched("ohwx woman，黑髮大笑，blonde hair")  # full-width commas


def test_chinese_leak_in_a_caption_is_reported_in_chinese(run, dataset):
    (dataset / FOLDER / "001.txt").write_text("ohwx woman, 一個女孩黑髮微笑, upper body, looking at viewer, sundress, beach, sunlight\n")
    found = [f for f in run("check", dataset, "--format", "json", "--lang", "zh-TW").json["findings"] if f["path"].endswith("001.txt")]
    assert any(f["rule"] == "identity-leak" and f["message"].startswith("'黑髮'") for f in found)


def test_an_override_of_the_english_text_drops_its_old_translations(run, dataset):
    with_pack(
        dataset, "mine.lora",
        "pack mine\nuse core\noverride rule trigger-word {\n"
        "    messages { missing \"CUSTOM {trigger}\", position \"P\", repeated \"R\" }\n}\n",
    )
    for lang in ("en", "zh-TW"):
        found = run("check", dataset, "--format", "json", "--lang", lang).json["findings"]
        assert [f["message"] for f in found if f["rule"] == "trigger-word"] == ["CUSTOM ohwx"]


def test_english_is_the_property_itself_not_a_translation(run, dataset):
    with_pack(dataset, "mine.lora", 'pack mine\nuse core\noverride rule trigger-word {\n    message.en "x"\n}\n')
    done = run("check", dataset)
    assert done.code == 2 and "unknown language 'en'" in done.err and "English is the property itself" in done.err
