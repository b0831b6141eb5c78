"""`lora-lint tags`: tagger output as users have it -> captions."""
from __future__ import annotations

import json
from pathlib import Path

from lora_lint.tagging import Tag, caption_from, read_tags

PNG = b"\x89PNG\r\n\x1a\n"


def dataset(tmp_path: Path, lora: str = "character") -> Path:
    folder = tmp_path / "img" / "10_ohwx woman"
    folder.mkdir(parents=True)
    (tmp_path / ".lora-lint.yaml").write_text(f"lora: {lora}\nmodel: sdxl\n")
    return folder


def test_json_with_confidences_by_category(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"general": {"long_hair": 0.9, "smile": 0.6, "outdoors": 0.2}, "character": {"hatsune_miku": 0.95}, "rating": {"general": 0.9}}))
    tags = read_tags(path)
    assert Tag("hatsune_miku", 0.95, "character") in tags and Tag("general", 0.9, "rating") in tags
    assert caption_from(tags, 0.35, 0.5, set(), True) == "hatsune miku, long hair, smile"
    assert caption_from(tags, 0.35, 0.5, {"long hair"}, False) == "smile"
    assert caption_from(tags, 0.35, 0.5, set(), True, ("smile", "absent_tag")) == "smile, hatsune miku, long hair"


def test_list_json_csv_and_kohya_txt(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps([{"name": "smile", "confidence": 0.8}, {"name": "1girl", "confidence": 0.99}]))
    (tmp_path / "b.csv").write_text("tag,score,category\nsmile,0.8,general\nblue_eyes,0.3,general\nsaber_(fate),0.9,character\n")
    (tmp_path / "c.txt").write_text("1girl, solo, ^_^, long_hair\n")
    assert caption_from(read_tags(tmp_path / "a.json"), 0.35, 0.5, set(), True) == "1girl, smile"
    assert caption_from(read_tags(tmp_path / "b.csv"), 0.35, 0.5, set(), True) == "saber (fate), smile"
    assert caption_from(read_tags(tmp_path / "c.txt"), 0.35, 0.5, set(), True) == "1girl, solo, ^_^, long hair"


def test_tags_command_writes_captions_then_fixes_them(run, tmp_path):
    folder = dataset(tmp_path)
    (folder / "001.png").write_bytes(PNG)
    (folder / "001.json").write_text(json.dumps({"general": {"1girl": 0.99, "smile": 0.8, "looking_at_viewer": 0.7, "black_hair": 0.9, "hoodie": 0.6, "simple_background": 0.8, "blurry": 0.1}, "rating": {"sensitive": 0.7}}))
    (folder / "002.png").write_bytes(PNG)
    (folder / "002.txt").write_text("1girl, smile, highres, rating:general\n")  # kohya WD14 output, cleaned in place
    result = run("tags", tmp_path, "--unsafe-fixes", "--txt")
    assert result.code == 0
    assert "wrote 2 caption(s)" in result.out
    first = (folder / "001.txt").read_text()
    assert first.startswith("ohwx woman, ")  # the trigger first
    assert "black hair" not in first and "1girl" not in first  # identity removed
    assert "smile" in first and "looking at viewer" in first and "blurry" not in first
    assert (folder / "002.txt").read_text() == "ohwx woman, smile\n"


def test_tags_leaves_existing_captions_alone_unless_told(run, tmp_path):
    folder = dataset(tmp_path)
    (folder / "001.png").write_bytes(PNG)
    (folder / "001.json").write_text(json.dumps({"smile": 0.9}))
    (folder / "001.txt").write_text("ohwx woman, my own careful caption\n")
    assert "left 1 existing one(s) alone" in run("tags", tmp_path).out
    assert (folder / "001.txt").read_text() == "ohwx woman, my own careful caption\n"
    run("tags", tmp_path, "--overwrite")
    assert (folder / "001.txt").read_text() == "ohwx woman, smile\n"


def test_a_broken_tagger_file_is_named(run, tmp_path):
    folder = dataset(tmp_path)
    (folder / "001.png").write_bytes(PNG)
    (folder / "001.json").write_text("{broken")
    result = run("tags", tmp_path)
    assert result.code == 2 and "001.json: not tagger output this reads" in result.err


def test_tags_never_writes_through_a_link_nor_an_empty_caption(run, tmp_path):
    folder = dataset(tmp_path)
    outside = tmp_path / "outside.txt"
    (folder / "001.png").write_bytes(PNG)
    (folder / "001.json").write_text(json.dumps({"smile": 0.9}))
    (folder / "001.txt").symlink_to(outside)  # dangling, pointing out of the dataset
    (folder / "002.png").write_bytes(PNG)
    (folder / "002.json").write_text(json.dumps({"smile": 0.1}))
    result = run("tags", tmp_path)
    assert not outside.exists() and "a link: not written" in result.err
    assert not (folder / "002.txt").exists() and "no tag above the thresholds" in result.err


def test_hand_written_txt_is_not_tagger_output_unless_told(run, tmp_path):
    folder = dataset(tmp_path)
    (folder / "001.png").write_bytes(PNG)
    (folder / "001.txt").write_text("A woman smiling at the camera\nsecond line\n")
    run("tags", tmp_path)
    assert (folder / "001.txt").read_text() == "A woman smiling at the camera\nsecond line\n"


def test_malformed_tagger_output_is_named(run, tmp_path):
    folder = dataset(tmp_path)
    (folder / "001.png").write_bytes(PNG)
    for content in ('[{"tags": "smile", "score": 0.9}]', '[{"name": 5, "score": 0.9}]'):
        (folder / "001.json").write_text(content)
        result = run("tags", tmp_path)
        assert result.code == 2 and "001.json: not tagger output this reads" in result.err
    (folder / "001.json").unlink()
    (folder / "001.csv").write_text("word,prob\nsmile,0.9\n")
    result = run("tags", tmp_path)
    assert result.code == 2 and "001.csv: not tagger output this reads" in result.err
