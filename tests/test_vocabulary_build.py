"""tools/build_vocabulary.py: the committed vocabulary and identity packs are
exactly what the seed and the tag data make, and the script takes from the data
what the seed asks for, and no more."""
from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from conftest import REPO

DATA = REPO.parent / "shared" / "data"
SCRIPT = REPO / "tools" / "build_vocabulary.py"
PACKS = ("vocabulary.lora", "identity.lora")

needs_data = pytest.mark.skipif(
    not (DATA / "danbooru-tags.csv").is_file(),
    reason=f"the tag data is not beside the repository ({DATA}): the packs cannot be rebuilt here",
)


def build(*args: str):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("packs")
    done = build("--data", str(DATA), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def senses():
    """term -> [(category, canonical, is_variant)] in the built-in packs, compiled without a cache."""
    from lora_lint.knowledge import compile_packs
    from lora_lint.packs import load_packs
    from lora_lint.plugins import load_plugins
    from lora_lint.tokens import phrase_key

    plugins = load_plugins()
    lexicon = compile_packs(load_packs(plugins.packs), plugins.kinds).lexicon

    def of(term: str) -> list[tuple[str, str, bool]]:
        found = [lexicon.senses[i] for i in lexicon.phrases.get(phrase_key(term), ())]
        return [(s.category, s.canonical, s.variant) for s in found]

    return of


@needs_data
@pytest.mark.parametrize("name", PACKS)
def test_the_committed_packs_are_what_the_script_writes(built, name):
    assert (built / name).read_bytes() == (REPO / "rules" / name).read_bytes(), (
        f"rules/{name} is not what tools/build_vocabulary.py writes: change the seed and run the script"
    )


@needs_data
def test_a_mistake_in_the_seed_is_named(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "packs:\n  p:\n    file: p.lora\n    name: p\n    title: t\n    categories:\n"
        "      identity.hair.color:\n        danbooru: [blakc_hair]\n"
    )
    done = build("--data", str(DATA), "--out", str(tmp_path), "--seed", str(seed))
    assert done.returncode == 2
    assert "identity.hair.color: no Danbooru tag 'blakc_hair'" in done.stderr
    assert not (tmp_path / "p.lora").exists()


def test_the_packs_say_they_are_generated_and_from_what():
    for name in PACKS:
        head = (REPO / "rules" / name).read_text(encoding="utf-8")[:600]
        assert "do not edit by hand" in head and "tools/vocabulary-seed.yaml" in head
        assert "Dominik Reh, MIT" in head and "Physton, MIT" in head


def test_the_script_cuts_terms_into_words_as_lora_lint_does():
    from lora_lint.language.parser import parse_pack
    from lora_lint.tokens import phrase_key

    spec = importlib.util.spec_from_file_location("build_vocabulary", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    for name in PACKS:
        pack = parse_pack((REPO / "rules" / name).read_text(encoding="utf-8"), name)
        for declaration in pack.declarations:
            for entry in declaration.entries:
                for term in (entry.canonical, *entry.variants):
                    if not term.is_pattern:
                        assert module.key(term.text) == phrase_key(term.text), term.text


def test_aliases_that_spell_a_tag_another_way_are_variants(senses):
    assert ("expression", "embarrassed", True) in senses("embarassed")  # a typo
    assert ("clothing.casual", "tank top", True) in senses("tanktop")  # joined words
    assert ("clothing.seasonal", "earmuffs", True) in senses("earmuff")  # the singular of a plural tag
    assert ("clothing.legwear", "thighhighs", True) in senses("thigh highs")
    assert ("clothing.special", "armor", True) in senses("armour")  # British


def test_aliases_that_are_words_of_their_own_are_canonical(senses):
    for word in ("smiling", "flushed", "startled", "shirts", "earrings", "thighhigh", "shoe"):
        assert senses(word), word
        assert not any(variant for _, _, variant in senses(word)), word


def test_tags_groups_and_translations_are_pulled_in(senses):
    assert ("identity.hair.color", "blackhair", False) in senses("blackhair")  # a Danbooru alias
    assert ("expression", "jitome", False) in senses("jitome")  # a Danbooru tag
    assert ("background.contextual", "planetarium", False) in senses("planetarium")  # a prompt-tag group
    assert ("identity.eyes", "绿色眼睛", False) in senses("绿色眼睛")  # Simplified Chinese
    assert ("identity.eyes", "綠色眼睛", False) in senses("綠色眼睛")  # Traditional Chinese
    assert ("identity.hair.color", "long black hair", False) in senses("long black hair")  # a composition


def test_identity_holds_no_everyday_words(senses):
    everyday = ["old", "tan", "tall", "thin", "female", "male", "bun", "mole", "light", "dark", "pale", "mature",
                "black", "white", "red", "brown", "blue", "gold", "highlights", "muscle", "child", "金黃色"]
    for word in everyday:
        assert not [c for c, _, _ in senses(word) if c.startswith("identity")], word


def test_places_food_and_dress_named_after_a_people_are_not_identity(senses):
    for phrase, category in [("japanese garden", "background.contextual"), ("mexican food", "food"),
                             ("turkish coffee", "food"), ("korean clothes", "clothing.special"),
                             ("european city street", "background.contextual"), ("german shepherd", "content.animal")]:
        found = {c for c, _, _ in senses(phrase)}
        assert category in found and not any(c.startswith("identity") for c in found), phrase


def test_every_hand_written_term_of_the_seed_is_in_the_packs(senses):
    import yaml

    seed = yaml.safe_load((REPO / "tools" / "vocabulary-seed.yaml").read_text(encoding="utf-8"))
    for pack in seed["packs"].values():
        for name, spec in pack["categories"].items():
            for line in spec.get("terms") or ():
                if str(line).startswith("pattern "):
                    continue
                canonical, _, rest = str(line).partition(" = ")
                assert (name, canonical, False) in senses(canonical), (name, canonical)
                for variant in filter(None, rest.split(", ")):
                    assert (name, canonical, True) in senses(variant), (name, variant)
