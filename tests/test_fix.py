"""`lora-lint fix`: safe by default, unsafe when asked, atomic, idempotent,
and nothing outside the fixed spans changes."""
from __future__ import annotations

import os
import stat

from conftest import FOLDER


def caption(dataset, stem: str):
    return dataset / FOLDER / f"{stem}.txt"


def test_diff_shows_the_safe_fixes_and_writes_nothing(run, dataset):
    before = {p: p.read_bytes() for p in (dataset / FOLDER).glob("*.txt")}
    result = run("fix", dataset, "--diff")
    assert result.code == 1
    assert "+ohwx woman, close-up, front view, surprised expression" in result.out
    assert "-ohwx woman, full body, dancing, laugh, eyes closed" in result.out
    assert "2 finding(s) would be fixed in 2 file(s)" in result.err
    assert {p: p.read_bytes() for p in (dataset / FOLDER).glob("*.txt")} == before


def test_safe_fixes_are_applied_and_unsafe_ones_wait_for_the_flag(run, dataset):
    result = run("fix", dataset, "--format", "json")
    # left: two leaks (unsafe), the caption with no lighting, the image with no caption
    assert "fixed 2 finding(s) in 2 file(s); 4 remain (2 fixable with --unsafe-fixes)" in result.err
    assert caption(dataset, "007").read_text().startswith("ohwx woman, close-up, front view")
    assert ", laughing, " in caption(dataset, "024").read_text()
    assert "asian" in caption(dataset, "003").read_text()
    run("fix", dataset, "--unsafe-fixes")
    assert caption(dataset, "003").read_text() == "ohwx woman, three quarter view, winking, peace sign, graphic tee, park background, golden hour\n"


def test_fixing_twice_changes_nothing_the_second_time(run, dataset):
    run("fix", dataset, "--unsafe-fixes")
    after = {p: p.read_bytes() for p in (dataset / FOLDER).glob("*.txt")}
    again = run("fix", dataset, "--unsafe-fixes")
    assert "fixed 0 finding(s) in 0 file(s)" in again.err
    assert {p: p.read_bytes() for p in (dataset / FOLDER).glob("*.txt")} == after


def test_line_endings_permissions_and_the_rest_of_the_file_are_kept(run, dataset):
    path = caption(dataset, "003")
    path.write_bytes(b"ohwx woman, asian, smiling, looking at viewer, hoodie, white background, soft lighting\r\nsecond variant, asian\r\n")
    os.chmod(path, 0o640)
    run("fix", dataset, "--unsafe-fixes", "--select", "identity-leak")
    assert path.read_bytes() == b"ohwx woman, smiling, looking at viewer, hoodie, white background, soft lighting\r\nsecond variant\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert not list((dataset / FOLDER).glob(".lora-lint-*"))  # no temporary file left behind


def test_format_fix_drops_the_bom_and_writes_legacy_bytes_as_utf8(run, dataset):
    caption(dataset, "001").write_bytes(b"\xef\xbb\xbf" + caption(dataset, "001").read_bytes())
    caption(dataset, "002").write_bytes("ohwx woman, café, close-up, front view, laughing, eyes closed, hoodie, blurred background, warm lighting".encode("cp1252"))
    run("fix", dataset, "--select", "caption-format")
    assert caption(dataset, "001").read_bytes().startswith(b"ohwx woman")
    assert caption(dataset, "002").read_bytes().decode("utf-8").startswith("ohwx woman, café,")


def test_other_fixes_keep_a_legacy_encoding(run, dataset):
    caption(dataset, "002").write_bytes("close-up, café, front view, laughing, eyes closed, hoodie, blurred background, warm lighting".encode("cp1252"))
    run("fix", dataset, "--select", "trigger-word")
    assert caption(dataset, "002").read_bytes() == "ohwx woman, close-up, café, front view, laughing, eyes closed, hoodie, blurred background, warm lighting".encode("cp1252")


def test_a_fix_that_would_empty_a_caption_is_refused(run, dataset):
    caption(dataset, "003").write_text("ohwx woman\n")
    caption(dataset, "003").write_text("asian\n")
    result = run("fix", dataset, "--unsafe-fixes", "--select", "identity-leak")
    assert f"not fixed: {FOLDER}/003.txt: the fixes would leave it empty" in result.err
    assert caption(dataset, "003").read_text() == "asian\n"


def test_select_limits_which_fixes_run(run, dataset):
    run("fix", dataset, "--select", "vocab-variant")
    assert not caption(dataset, "007").read_text().startswith("ohwx")
    assert ", laughing, " in caption(dataset, "024").read_text()


def test_a_linked_caption_is_never_written(run, dataset):
    target = dataset / "notes" / "shared.txt"  # inside the dataset, so it may be read
    target.parent.mkdir()
    target.write_text("close-up, front view, smiling, looking at viewer, hoodie, white background, soft lighting\n")
    link = caption(dataset, "099")
    os.symlink(target, link)
    (dataset / FOLDER / "099.png").write_bytes((dataset / FOLDER / "007.png").read_bytes())
    result = run("fix", dataset, "--select", "trigger-word")
    assert f"not fixed: {FOLDER}/099.txt: a link: fix the file it points to" in result.err
    assert link.is_symlink()
    assert target.read_text().startswith("close-up")


def test_unsafe_format_fix_joins_a_multi_line_caption(run, dataset):
    path = caption(dataset, "001")
    path.write_bytes(b"ohwx woman, close-up, front view, gentle smile\r\nlooking at viewer, white blouse\r\n\r\nsimple background, soft lighting\r\n")
    run("fix", dataset, "--select", "caption-format")
    assert path.read_bytes().count(b"\n") == 4  # safe fixes leave the lines alone
    run("fix", dataset, "--select", "caption-format", "--unsafe-fixes")
    assert path.read_bytes() == b"ohwx woman, close-up, front view, gentle smile, looking at viewer, white blouse, simple background, soft lighting\r\n"


def test_tags_become_a_sentence_for_a_natural_language_model(run, tmp_path):
    folder = tmp_path / "img" / "10_ohwx woman"
    folder.mkdir(parents=True)
    (tmp_path / ".lora-lint.yaml").write_text("lora: character\nmodel: flux\n")
    (folder / "001.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = folder / "001.txt"
    path.write_text("ohwx woman, three quarter view, laughing, eyes closed, peace sign, white t-shirt, park background, golden hour lighting\n")
    run("fix", tmp_path, "--select", "caption-style")
    assert path.read_text().startswith("ohwx woman, three")  # rewriting is unsafe: it waits for the flag
    run("fix", tmp_path, "--select", "caption-style", "--unsafe-fixes")
    sentence = "A photo of ohwx woman, three quarter view, laughing, eyes closed, peace sign, wearing white t-shirt, park background, golden hour lighting.\n"
    assert path.read_text() == sentence
    run("fix", tmp_path, "--select", "caption-style", "--unsafe-fixes")
    assert path.read_text() == sentence


def test_an_emptying_fix_does_not_hold_back_the_others(run, dataset):
    path = caption(dataset, "003")
    path.write_bytes(b"\xef\xbb\xbfblue_eyes\n")
    result = run("fix", dataset, "--unsafe-fixes", "--select", "identity-leak,trigger-word,junk-tags,caption-format")
    assert path.read_bytes() == b"ohwx woman\n"  # BOM, trigger, underscore fixed; then the leak removed
    assert "not fixed" not in result.err


def test_a_rewrite_waits_for_the_other_fixes(run, tmp_path):
    folder = tmp_path / "img" / "10_ohwx woman"
    folder.mkdir(parents=True)
    (tmp_path / ".lora-lint.yaml").write_text("lora: character\nmodel: flux\n")
    (folder / "001.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = folder / "001.txt"
    path.write_text("ohwx woman, 1girl, laughing, white t-shirt, park\nat dusk\n")
    run("fix", tmp_path, "--unsafe-fixes")
    text = path.read_text()
    assert text.count("A photo of") == 1 and text.count("wearing") == 1 and "1girl" not in text and ", with," not in text


def test_an_insertion_the_old_encoding_cannot_hold_is_written_as_utf8(run, dataset):
    (dataset / ".lora-lint.yaml").write_text("lora: character\nmodel: sdxl\ntrigger: ŋwx\n")
    path = caption(dataset, "002")
    path.write_bytes("café, close-up, front view, laughing, eyes closed, hoodie, blurred background, warm lighting".encode("cp1252"))
    result = run("fix", dataset, "--select", "trigger-word")
    assert result.code in (0, 1)
    assert path.read_bytes().decode("utf-8").startswith("ŋwx woman, café")


def test_utf16_keeps_its_byte_order(run, dataset):
    path = caption(dataset, "002")
    path.write_bytes(b"\xfe\xff" + "close-up, front view, laughing, eyes closed, hoodie, blurred background, warm lighting".encode("utf-16-be"))
    run("fix", dataset, "--select", "trigger-word")
    data = path.read_bytes()
    assert data.startswith(b"\xfe\xff") and data[2:].decode("utf-16-be").startswith("ohwx woman, close-up")
