"""Checking at scale: the map over worker processes gives what one process gives."""
from __future__ import annotations

import os
import shutil
import struct
import sys
import time
import zlib

import pytest
from conftest import EXAMPLE

from lora_lint import engine

sys.path.insert(0, str(EXAMPLE.parent.parent / "benchmarks"))
from bench_check import make_dataset  # noqa: E402  (the benchmark's own generator: planted problems included)


@pytest.fixture
def many(tmp_path):
    """A generated dataset of 240 captions in three kohya folders, plus the
    example's folders (regularization, pairing and image problems)."""
    root = make_dataset(tmp_path / "many", 240, per_folder=100)
    shutil.copytree(EXAMPLE / "img" / "10_ohwx woman", root / "img" / "5_ohwx woman")
    shutil.copytree(EXAMPLE / "reg", root / "reg")
    first = root / "img" / "10_ohwx woman" / "0000000.txt"
    shutil.copy(first, root / "img" / "11_ohwx woman" / "copy.txt")  # a duplicate caption, in another chunk
    shutil.copy(first.with_suffix(".png"), root / "img" / "11_ohwx woman" / "copy.png")
    return root


def test_jobs_give_byte_for_byte_the_same_output(run, many, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK", 7)  # many chunks, so every dataset rule merges summaries
    one = run("check", many, "--format", "json", "--jobs", "1")
    two = run("check", many, "--format", "json", "--jobs", "2")
    three = run("check", many, "--format", "json", "--jobs", "3")
    assert one.code == two.code == three.code == 1
    assert one.out == two.out == three.out
    rules = {f["rule"] for f in one.json["findings"]}
    assert {"identity-leak", "trigger-word", "duplicate-caption", "regularization", "clothing-repeat"} <= rules


def test_chunks_give_the_same_output_as_one_chunk(run, many, monkeypatch):
    whole = run("check", many, "--format", "json", "--jobs", "1").out
    monkeypatch.setattr(engine, "CHUNK", 5)
    assert run("check", many, "--format", "json", "--jobs", "1").out == whole


def test_a_bad_jobs_count_is_a_usage_error(run_process, many):
    done = run_process("check", many, "--jobs", "0")
    assert done.code == 2 and "--jobs: takes a whole number of at least 1" in done.err


def _fresh(run, root, *args):
    return run("check", root, "--format", "json", "--no-cache", *args).out


def test_a_second_check_reads_the_cache_and_says_the_same(run, many, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK", 50)
    first = run("check", many, "--format", "json").out
    assert list((many / ".lora-lint-cache").glob("check-*.pickle"))
    mapped = []
    original = engine._DatasetRun.map
    monkeypatch.setattr(engine._DatasetRun, "map", lambda self, items: mapped.append(len(items)) or original(self, items))
    again = run("check", many, "--format", "json", "--jobs", "1").out
    assert mapped == []  # nothing was mapped again
    assert again == first == _fresh(run, many)


def test_an_unchanged_run_leaves_the_cache_file_alone_and_a_change_rewrites_it(run, many, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK", 50)
    first = run("check", many, "--format", "json").out
    (cache,) = (many / ".lora-lint-cache").glob("check-*.pickle")
    before = (cache.stat().st_ino, cache.read_bytes())
    assert run("check", many, "--format", "json").out == first
    assert (cache.stat().st_ino, cache.read_bytes()) == before  # not written again
    caption = many / "img" / "12_ohwx woman" / "0000230.txt"  # in a chunk past the first ones
    caption.write_text("ohwx woman, blue eyes, smiling, red dress, park background, soft lighting\n")
    changed = run("check", many, "--format", "json").out
    assert cache.stat().st_ino != before[0]  # a new file, holding the chunks before the change too
    mapped = []
    original = engine._DatasetRun.map
    monkeypatch.setattr(engine._DatasetRun, "map", lambda self, items: mapped.append(len(items)) or original(self, items))
    again = run("check", many, "--format", "json", "--jobs", "1").out
    assert mapped == []  # every chunk, those before the change too, came from the rewritten file
    assert again == changed == _fresh(run, many)


def test_the_cache_never_goes_stale(run, many, monkeypatch, tmp_path):
    monkeypatch.setattr(engine, "CHUNK", 50)
    run("check", many, "--format", "json")
    caption = many / "img" / "11_ohwx woman" / "0000150.txt"
    caption.write_text("ohwx woman, blue eyes, smiling, red dress, park background, soft lighting\n")  # same size or not, new bytes
    changed = run("check", many, "--format", "json").out
    assert changed == _fresh(run, many) and "0000150.txt" in changed
    pack = tmp_path / "mine.lora"
    pack.write_text("pack mine\nuse core\noverride rule identity-leak {\n    severity info\n}\n")
    settings = many / ".lora-lint.yaml"
    settings.write_text(settings.read_text() + f"packs: [{pack}]\n")
    with_pack = run("check", many, "--format", "json").out
    assert with_pack == _fresh(run, many) and with_pack != changed
    pack.write_text("pack mine\nuse core\noverride rule identity-leak {\n    severity error\n}\n")
    assert run("check", many, "--format", "json").out == _fresh(run, many)
    settings.write_text(settings.read_text().replace("model: sdxl", "model: flux"))
    assert run("check", many, "--format", "json").out == _fresh(run, many)
    assert run("check", many, "--format", "json", "--select", "trigger-word").out == _fresh(run, many, "--select", "trigger-word")


def test_a_corrupt_or_deleted_cache_is_rebuilt(run, many):
    first = run("check", many, "--format", "json").out
    for entry in (many / ".lora-lint-cache").glob("check-*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert run("check", many, "--format", "json").out == first
    shutil.rmtree(many / ".lora-lint-cache")
    assert run("check", many, "--format", "json").out == first


def test_the_cache_notices_a_changed_trainer_config(run, many):
    config = many / "dataset.toml"
    config.write_text('[general]\ncaption_extension = ".txt"\n\n[[datasets]]\n[[datasets.subsets]]\nimage_dir = "img/10_ohwx woman"\n')
    before = run("check", many, "--format", "json").out
    config.write_text('[general]\ncaption_extension = ".caption"\n\n[[datasets]]\n[[datasets.subsets]]\nimage_dir = "img/10_ohwx woman"\n')
    after = run("check", many, "--format", "json").out
    assert after == _fresh(run, many) and after != before


def test_the_cache_sees_a_same_size_rewrite_that_keeps_the_old_mtime(run, many):
    caption = many / "img" / "10_ohwx woman" / "0000003.txt"
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(caption, ns=(hour_ago, hour_ago))  # an old file: its remembered hash is trusted
    old = caption.stat()
    run("check", many, "--format", "json")
    text = caption.read_text()
    caption.write_text("X" * (len(text) - 1) + "\n")  # the same size, other words
    os.utime(caption, ns=(old.st_atime_ns, old.st_mtime_ns))  # and the same mtime: only ctime tells
    assert run("check", many, "--format", "json").out == _fresh(run, many)


def _age(root, seconds: int = 3600) -> None:
    """Make every file of the dataset `seconds` old: old enough for its stamp to be trusted."""
    then = time.time_ns() - seconds * 10**9
    for folder, _, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(folder, name), ns=(then, then))


def test_an_unchanged_chunk_of_old_files_is_known_by_its_stamps_alone(run, many, monkeypatch):
    """Files whose size, times and inode are as they were are not read again
    (not even hashed); a rewrite that keeps size and mtime is still seen
    (by its ctime), and so is an image swapped for another."""
    from lora_lint import cache

    monkeypatch.setattr(engine, "CHUNK", 50)
    monkeypatch.setattr(cache, "_RACY_NS", 0)  # aging a file gives it a new ctime: trust it at once
    _age(many)
    first = run("check", many, "--format", "json").out
    read = []
    original = cache.read_bytes
    monkeypatch.setattr(cache, "read_bytes", lambda path: read.append(path) or original(path))
    assert run("check", many, "--format", "json").out == first
    assert read == []  # no caption was hashed again
    caption = many / "img" / "11_ohwx woman" / "0000150.txt"
    old, text = caption.stat(), caption.read_text()
    caption.write_text("X" * (len(text) - 1) + "\n")  # the same size, other words
    os.utime(caption, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert caption.stat().st_size == old.st_size
    assert run("check", many, "--format", "json").out == _fresh(run, many)
    assert read == [str(caption)]  # only the caption whose ctime moved was read
    image = many / "img" / "10_ohwx woman" / "0000003.png"
    stat = image.stat()
    shutil.copy(EXAMPLE / "img" / "10_ohwx woman" / "008.png", image)
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert run("check", many, "--format", "json").out == _fresh(run, many)


def test_a_changed_line_of_a_jsonl_dataset_is_seen_by_the_stamps_path(run, tmp_path, monkeypatch):
    """A caption inside a dataset file has no stamp of its own: its bytes are part of the quick key."""
    from lora_lint import cache

    monkeypatch.setattr(cache, "_RACY_NS", 0)
    root = tmp_path / "set"
    root.mkdir()
    (root / ".lora-lint.yaml").write_text("lora: style\nmodel: sdxl\n")
    data = root / "captions.jsonl"
    data.write_text('{"caption": "a photo of a woman, smiling", "width": 1024, "height": 1024}\n')
    _age(root)
    run("check", root, "--format", "json")
    data.write_text('{"caption": "masterpiece, best quality, masterpiece, 8k", "width": 1024, "height": 1024}\n')
    _age(root)
    again = run("check", root, "--format", "json").out
    assert again == _fresh(run, root) and "masterpiece" in again


def test_a_caption_that_could_not_be_read_is_read_again_next_time(run, many, monkeypatch):
    """A read that failed (a lock, a full file table) says nothing of the next run, whatever the stamps."""
    from lora_lint import cache

    monkeypatch.setattr(engine, "CHUNK", 50)
    monkeypatch.setattr(cache, "_RACY_NS", 0)
    _age(many)
    caption = str(many / "img" / "11_ohwx woman" / "0000150.txt")
    real_open = os.open

    def refusing_open(path, *args, **kwargs):
        if str(path) == caption:
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr("os.open", refusing_open)
        assert "cannot read the caption file" in run("check", many, "--format", "json", "--jobs", "1").out
    again = run("check", many, "--format", "json").out
    assert "cannot read the caption file" not in again and again == _fresh(run, many)


def test_a_dataset_folder_name_with_a_hash_gets_its_cache(run, tmp_path):
    root = make_dataset(tmp_path / "set #2", 40, per_folder=20)
    first = run("check", root, "--format", "json").out
    assert run("check", root, "--format", "json").out == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set #2"]  # no stray file from a cut URI
    assert (root / ".lora-lint-cache" / "images-v3.sqlite").is_file()


def test_an_image_too_big_to_open_is_a_finding_not_a_crash(run, many):
    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)  # 400 megapixels: past Pillow's bomb limit
    chunk = struct.pack(">I", 13) + b"IHDR" + header + struct.pack(">I", zlib.crc32(b"IHDR" + header))
    (many / "img" / "10_ohwx woman" / "0000004.png").write_bytes(b"\x89PNG\r\n\x1a\n" + chunk)
    done = run("check", many, "--format", "json", "--no-cache")
    assert done.code == 1 and any(f["path"].endswith("0000004.png") and f["rule"] == "image-quality" for f in done.json["findings"])
