"""No way to break it: any pack text loads or is a located pack error; any
folder of random files is checked or refused in one line; patterns cannot
hang a run; links are reported, not followed."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FOLDER, with_pack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lora_lint.cli import main
from lora_lint.errors import LoraLintError, PackError
from lora_lint.packs import load_knowledge
from lora_lint.plugins import load_plugins

KINDS = load_plugins().kinds
# pieces of the language, so random texts reach past the first token often
WORDS = [
    "rule", "kind", "forbid", "message", "messages", "{", "}", "when", "lora", "character", "not", "subset", "reg",
    "terms", "vocabulary", "pattern", '"*a"', '"x"', '"""', "=", ",", "\n", "override", "extend", "pool", "use", "core",
    "pack", "severity", "error", "1..2", "30%", "2x", "1024x1024", "model", "sdxl", "message.zh-TW", "#", "\t", "  ",
]
BASE = open(Path(__file__).parent / "fuzz-base.lora", encoding="utf-8").read()  # a pack that loads: mutated below


def _mutated(edits: list[tuple[int, int, str]]) -> str:
    """The base pack with spans replaced: most mutants parse and fail later, in the semantic pass."""
    text = BASE
    for at, length, insert in edits:
        at %= len(text) + 1
        text = text[:at] + insert + text[at + length % 12 :]
    return text


EDITS = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 11), st.sampled_from([*WORDS, ""])), min_size=1, max_size=4)
TEXTS = st.one_of(st.text(max_size=300), st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join), EDITS.map(_mutated))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=TEXTS)
def test_any_pack_text_loads_or_is_a_pack_error_with_a_location(tmp_path, text):
    pack = tmp_path / "fuzz.lora"
    pack.write_text(text, encoding="utf-8")
    try:
        load_knowledge([], [pack], KINDS)
    except PackError as error:
        assert error.path == str(pack) and error.line >= 1 and error.column >= 1
        assert f"{pack}:{error.line}:{error.column}" in error.render() and "\n" not in error.render().split(": ", 1)[0]
    except LoraLintError as error:  # a pack-level problem (a missing `use`): still named
        assert error.path is not None and str(pack) in error.render() or "pack" in error.message


NAMES = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1, max_size=20)
CONTENTS = st.one_of(st.binary(max_size=600), st.just(b""), st.text(max_size=200).map(str.encode), st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"lora: [", b"\xef\xbb\xbf"]))
SUFFIXES = st.sampled_from(["", ".txt", ".png", ".jpg", ".caption", ".webp", ".jsonl", ".tar", ".lora", ".toml", ".mp4"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=st.lists(st.tuples(NAMES, SUFFIXES, CONTENTS), max_size=12), settings_file=st.one_of(st.none(), st.binary(max_size=80), st.sampled_from([b"lora: character\n", b"lora: style\nmodel: flux\n"])))
def test_check_on_random_files_reports_or_refuses_in_one_line(tmp_path_factory, capsys, files, settings_file):
    folder = tmp_path_factory.mktemp("random")
    for name, suffix, data in files:
        try:
            (folder / (name + suffix)).write_bytes(data)
        except OSError:  # a name this filesystem refuses (too long, '.' or '..')
            continue
    if settings_file is not None:
        (folder / ".lora-lint.yaml").write_bytes(settings_file)
    for format_ in ("json", "sarif"):
        code = main(["check", str(folder), "--format", format_, "--jobs", "1"])
        out, err = capsys.readouterr()
        assert code in (0, 1, 2), err
        if code == 2:
            assert len(err.strip().splitlines()) == 1 and err.startswith("lora-lint: error: ") and "Traceback" not in err
        else:
            assert out.startswith("{") and err == ""


def _check_within(args: list[str], seconds: float) -> subprocess.CompletedProcess:
    """A check in its own process, which must finish (a hang fails, not blocks the suite)."""
    script = Path(sys.executable).with_name("lora-lint")
    try:
        return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=seconds)
    except subprocess.TimeoutExpired:
        pytest.fail(f"lora-lint {' '.join(args)} did not finish in {seconds} s")


def test_huge_captions_and_junk_images_are_checked_not_hung_on(dataset):
    folder = dataset / FOLDER
    (folder / "001.txt").write_bytes(b"ohwx woman, " + b"a" * 3_000_000 + b" smile\n")  # one 3 MB word
    (folder / "002.txt").write_bytes(b"ohwx woman, " + b"black hair, " * 50_000 + b"\n")  # 600 kB of tags: 100k findings
    (folder / "003.png").write_bytes(os.urandom(5_000_000))  # 5 MB of noise named .png
    done = _check_within(["check", str(dataset), "--format", "json", "--no-cache"], 120)
    assert done.returncode == 1 and '"003.png"' not in done.stderr
    assert "img/10_ohwx woman/003.png" in done.stdout and "img/10_ohwx woman/002.txt" in done.stdout


def test_an_evil_pattern_is_refused_where_it_is_written(run, dataset):
    with_pack(dataset, "evil.lora", 'pack evil\nuse core\nterms evil.terms { pattern "*a*a*a*a*a*a*a*a*b" }\n')
    done = run("check", dataset)
    assert done.code == 2 and "evil.lora:3:" in done.err and "one wildcard at most" in done.err


def test_the_worst_allowed_patterns_stay_linear_on_a_long_word(dataset):
    with_pack(
        dataset, "slow.lora",
        'pack slow\nuse core\nextend terms expression.phrasing { pattern "a*b", pattern "*a", pattern "a* a* a* a*", pattern "#a" }\n'
    )
    (dataset / FOLDER / "001.txt").write_bytes(b"ohwx woman, " + b"a" * 200_000 + b", " + b"a " * 50_000 + b"\n")
    done = _check_within(["check", str(dataset), "--format", "json", "--no-cache"], 60)
    assert done.returncode == 1, done.stderr


def test_links_out_of_the_dataset_and_loops_are_reported_not_followed(run, dataset, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("ohwx woman, blonde hair\n")
    folder = dataset / FOLDER
    os.symlink("..", folder / "loop")
    os.symlink(outside, dataset / "img" / "elsewhere")
    os.symlink(outside / "secret.txt", folder / "050.txt")
    done = run("check", dataset, "--format", "json")
    assert "secret" not in done.out and "blonde hair" not in done.out
    (notes,) = [d["notes"] for d in done.json["summary"]["datasets"]]
    (note,) = [n for n in notes if n.startswith("skipped 3 link(s), not followed")]
    assert f"{FOLDER}/loop (a loop: it leads back to a folder above it)" in note
    assert "img/elsewhere (leads outside the dataset)" in note and f"{FOLDER}/050.txt (leads outside the dataset)" in note


def test_the_fuzzed_pack_loads_as_it_is(tmp_path):
    pack = tmp_path / "base.lora"
    pack.write_text(BASE, encoding="utf-8")
    assert list(load_knowledge([], [pack], KINDS).rules) == ["fuzz-rule"]


def test_a_cache_folder_or_file_that_is_a_link_is_never_written_through(run, dataset, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    cache = dataset / ".lora-lint-cache"
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir()
    os.symlink(victim, cache / "CACHEDIR.TAG")
    os.symlink(tmp_path / "made.txt", cache / ".gitignore")  # dangling: would create a file outside
    assert run("check", dataset).code == 1
    assert victim.read_text() == "keep me\n" and not (tmp_path / "made.txt").exists()
    shutil.rmtree(cache)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, cache)
    assert run("check", dataset).code == 1 and list(elsewhere.iterdir()) == []


def test_many_images_with_one_pixel_hash_are_judged_in_linear_time(tmp_path):
    """30,000 blank frames (other bytes, one difference hash): each is reported against the
    first, without pairing them all (which would not finish in the time given)."""
    script = tmp_path / "judge.py"
    script.write_text(
        "from array import array\n"
        "from lora_lint.kinds import duplicate_images as kind\n"
        "n = 30_000\n"
        "summary = {'ordinal': array('q', range(n)), 'index': array('H', [0] * n), 'digest': array('Q', range(1, n + 1)),\n"
        "           'dhash': array('Q', [7] * n), 'hashed': array('B', [1] * n)}\n"
        "class Paths:\n"
        "    def image(self, ordinal, index=0):\n"
        "        return f'img/{ordinal:05d}.png'\n"
        "class Rule:\n"
        "    params, context = {}, {'paths': Paths()}\n"
        "    def case_message(self, case, **values):\n"
        "        return f\"{case} {values['first']} {values['bits']}\"\n"
        "    def at(self, path, message):\n"
        "        return (path, message)\n"
        "found = list(kind.judge(summary, Rule(), '.'))\n"
        "assert len(found) == n - 1 and found[0] == ('img/00001.png', 'similar img/00000.png 0'), found[:2]\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
