"""Caption sets in files: JSONL, Parquet and WebDataset shards read like folders."""
from __future__ import annotations

import io
import json
import tarfile

import pytest
from PIL import Image

from lora_lint import engine

CAPTIONS = [
    "ohwx woman, smiling, looking at viewer, black hair, red dress, simple background, soft lighting",
    "ohwx woman, laughing, looking away, blue jeans, park background, golden hour",
    "woman, winking, looking up, white t-shirt, city street, natural lighting",
]
SETTINGS = "lora: character\nmodel: sdxl\ntrigger: ohwx\nclass: woman\n"


def _jpeg(size=(1024, 1024), shade=0) -> bytes:
    buffer = io.BytesIO()
    picture = Image.new("RGB", size, (shade, 90, 60))
    picture.paste((255 - shade, 10, 10), (0, 0, size[0] // 2, size[1] // 3))  # a shape, so shades differ in hash
    picture.save(buffer, "JPEG", quality=96)
    return buffer.getvalue()


def _messages(done) -> list[tuple[str, str, int | None]]:
    return sorted((f["rule"], f["message"], f["column"]) for f in done.json["findings"])


@pytest.fixture
def jsonl(tmp_path):
    (tmp_path / ".lora-lint.yaml").write_text(SETTINGS)
    lines = [{"caption": text, "width": 1024, "height": 1024} for text in CAPTIONS]
    (tmp_path / "set.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return tmp_path / "set.jsonl"


def test_a_jsonl_set_is_linted_line_by_line(run, jsonl):
    done = run("check", jsonl, "--format", "json")
    assert done.code == 1
    by_path = {(f["path"], f["rule"]) for f in done.json["findings"]}
    assert ("set.jsonl:1", "identity-leak") in by_path and ("set.jsonl:3", "trigger-word") in by_path
    assert not any(f["rule"] in ("image-quality", "duplicate-image") for f in done.json["findings"])  # only sizes are known
    assert any(f["rule"] == "dataset-size" and f["path"] == "." for f in done.json["findings"])  # a whole dataset


def test_a_jsonl_line_can_name_an_image_file_beside_it(run, jsonl):
    (jsonl.parent / "small.jpg").write_bytes(_jpeg((256, 256)))
    jsonl.write_text(json.dumps({"caption": CAPTIONS[1], "image": "small.jpg"}) + "\n")
    findings = run("check", jsonl, "--format", "json").json["findings"]
    assert any(f["rule"] == "image-quality" and "256x256" in f["message"] for f in findings)


def test_the_same_captions_give_the_same_caption_findings_as_a_folder(run, jsonl, tmp_path):
    folder = tmp_path / "folder"
    (folder / "img").mkdir(parents=True)
    (folder / ".lora-lint.yaml").write_text(SETTINGS)
    for number, text in enumerate(CAPTIONS, 1):
        (folder / "img" / f"{number}.txt").write_text(text)
        (folder / "img" / f"{number}.jpg").write_bytes(_jpeg(shade=number * 60))
    caption_rules = "identity-leak,trigger-word,missing-field,caption-length,vocab-variant"
    from_file = run("check", jsonl, "--format", "json", "--select", caption_rules)
    from_folder = run("check", folder, "--format", "json", "--select", caption_rules)
    assert _messages(from_file) == _messages(from_folder)


def test_parquet_reads_like_jsonl(run, jsonl, tmp_path):
    pyarrow = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = [{"caption": text, "width": 1024, "height": 1024} for text in CAPTIONS]
    pq.write_table(pyarrow.Table.from_pylist(rows), tmp_path / "set.parquet")
    from_parquet = run("check", tmp_path / "set.parquet", "--format", "json")
    from_jsonl = run("check", jsonl, "--format", "json")
    assert _messages(from_parquet) == _messages(from_jsonl)
    assert {f["path"] for f in from_parquet.json["findings"]} >= {"set.parquet:1", "set.parquet:3"}


def _shard(path, members):
    with tarfile.open(path, "w") as shard:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            shard.addfile(info, io.BytesIO(data))


def test_webdataset_shards_pair_members_by_key_and_read_the_images(run, tmp_path):
    (tmp_path / "shards").mkdir()
    (tmp_path / ".lora-lint.yaml").write_text(SETTINGS)
    _shard(tmp_path / "shards" / "000000.tar", [("a.txt", CAPTIONS[0].encode()), ("a.jpg", _jpeg(shade=10)), ("b.txt", CAPTIONS[1].encode()), ("b.jpg", _jpeg((512, 512), shade=200))])
    _shard(tmp_path / "shards" / "000001.tar", [("c.txt", CAPTIONS[2].encode()), ("c.jpg", _jpeg(shade=70)), ("d.jpg", _jpeg(shade=120))])
    findings = run("check", tmp_path / "shards", "--format", "json").json["findings"]
    paths = {(f["path"], f["rule"]) for f in findings}
    assert ("shards/000000.tar/a.txt", "identity-leak") in paths
    assert ("shards/000000.tar/b.jpg", "image-quality") in paths  # 512x512 read from the member's bytes
    assert ("shards/000001.tar/c.txt", "trigger-word") in paths
    assert ("shards/000001.tar/d.jpg", "caption-pairing") in paths  # an image without a caption


def test_broken_dataset_files_are_one_line_errors(run, tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"caption": "ohwx woman"}\n{not json\n')
    done = run("check", tmp_path / "bad.jsonl")
    assert done.code == 2 and "bad.jsonl: line 2 is not JSON" in done.err and done.err.count("\n") == 1
    (tmp_path / "bad.tar").write_bytes(b"\x00garbage" * 100)
    done = run("check", tmp_path / "bad.tar")
    assert done.code == 2 and "not a readable tar shard" in done.err
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    done = run("check", tmp_path / "bad.parquet")
    assert done.code == 2 and "bad.parquet" in done.err and done.err.count("\n") == 1


def test_fix_refuses_captions_inside_a_dataset_file(run, jsonl):
    before = jsonl.read_text()
    done = run("fix", jsonl)
    assert "inside a dataset file" in done.err and jsonl.read_text() == before


def test_jobs_give_the_same_findings_on_a_dataset_file(run, tmp_path, monkeypatch):
    (tmp_path / ".lora-lint.yaml").write_text(SETTINGS)
    lines = [{"caption": CAPTIONS[n % 3] + f", pose {n}", "width": 1024, "height": 1024} for n in range(120)]
    (tmp_path / "big.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    monkeypatch.setattr(engine, "CHUNK", 9)
    one = run("check", tmp_path / "big.jsonl", "--format", "json", "--jobs", "1", "--no-cache").out
    assert one == run("check", tmp_path / "big.jsonl", "--format", "json", "--jobs", "2", "--no-cache").out
    assert one == run("check", tmp_path / "big.jsonl", "--format", "json").out == run("check", tmp_path / "big.jsonl", "--format", "json").out


def test_an_empty_caption_is_not_a_missing_one_to_the_cache(run, tmp_path):
    (tmp_path / ".lora-lint.yaml").write_text(SETTINGS)
    (tmp_path / "a.jpg").write_bytes(_jpeg())
    data = tmp_path / "set.jsonl"
    data.write_text(json.dumps({"image": "a.jpg"}) + "\n")
    run("check", data, "--format", "json")
    data.write_text(json.dumps({"image": "a.jpg", "caption": ""}) + "\n")
    assert run("check", data, "--format", "json").out == run("check", data, "--format", "json", "--no-cache").out


def test_a_kohya_folder_with_a_tar_beside_it_is_still_a_folder(run, tmp_path):
    (tmp_path / ".lora-lint.yaml").write_text(SETTINGS)
    (tmp_path / "img" / "10_ohwx woman").mkdir(parents=True)
    (tmp_path / "img" / "10_ohwx woman" / "1.txt").write_text(CAPTIONS[0])
    (tmp_path / "img" / "10_ohwx woman" / "1.jpg").write_bytes(_jpeg())
    _shard(tmp_path / "backup.tar", [("x.txt", b"ohwx woman")])
    findings = run("check", tmp_path, "--format", "json").json["findings"]
    assert any(f["path"] == "img/10_ohwx woman/1.txt" for f in findings)
    assert not any("backup.tar" in f["path"] for f in findings)


def test_parquet_reads_hugging_face_image_structs(run, tmp_path):
    pyarrow = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    (tmp_path / ".lora-lint.yaml").write_text(SETTINGS)
    rows = [{"caption": CAPTIONS[1], "image": {"bytes": _jpeg((256, 256)), "path": None}}]
    pq.write_table(pyarrow.Table.from_pylist(rows), tmp_path / "hf.parquet")
    findings = run("check", tmp_path / "hf.parquet", "--format", "json").json["findings"]
    assert any(f["rule"] == "image-quality" and "256x256" in f["message"] for f in findings)
    assert not any(f["rule"] == "caption-pairing" for f in findings)


def test_records_sort_by_line_and_name_their_images_by_line(run, tmp_path):
    (tmp_path / ".lora-lint.yaml").write_text(SETTINGS)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.jpg").write_bytes(_jpeg((256, 256)))
    lines = [{"caption": f"{CAPTIONS[0]}, pose {n}", "image": "a/x.jpg"} for n in range(12)]
    (tmp_path / "set.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    findings = run("check", tmp_path / "set.jsonl", "--format", "json").json["findings"]
    numbers = [int(f["path"].split(":")[1].split("#")[0]) for f in findings if f["path"].startswith("set.jsonl:")]
    assert numbers == sorted(numbers) and 12 in numbers
    assert any(f["path"] == "set.jsonl:2#image" and f["rule"] == "duplicate-image" and "set.jsonl:1#image" in f["message"] for f in findings)


def test_a_folder_of_jsonl_files_is_read_and_named_per_file(run, tmp_path):
    (tmp_path / ".lora-lint.yaml").write_text(SETTINGS)
    for name in ("a.jsonl", "b.jsonl"):
        (tmp_path / name).write_text(json.dumps({"caption": CAPTIONS[2], "width": 1024, "height": 1024}) + "\n")
    done = run("check", tmp_path, "--format", "json")
    assert {("a.jsonl:1", "trigger-word"), ("b.jsonl:1", "trigger-word")} <= {(f["path"], f["rule"]) for f in done.json["findings"]}
    both = run("check", tmp_path / "a.jsonl", tmp_path / "b.jsonl", "--format", "json").json["findings"]
    assert any(f["path"] == f"{tmp_path.as_posix()}/a.jsonl:1" for f in both)  # the PATH once, not twice


def test_a_cut_off_shard_and_a_parquet_file_without_captions_are_errors(run, tmp_path):
    _shard(tmp_path / "whole.tar", [("a.txt", CAPTIONS[0].encode()), ("a.jpg", _jpeg()), ("b.txt", CAPTIONS[1].encode()), ("b.jpg", _jpeg())])
    data = (tmp_path / "whole.tar").read_bytes()
    with tarfile.open(tmp_path / "whole.tar") as whole:
        second = whole.getmembers()[2].offset  # where b.txt's header starts: a and its image are whole
    (tmp_path / "cut.tar").write_bytes(data[:second])
    done = run("check", tmp_path / "cut.tar")
    assert done.code == 2 and "cut off after its last whole member" in done.err
    (tmp_path / "mid.tar").write_bytes(data[: second + 700])
    done = run("check", tmp_path / "mid.tar")
    assert done.code == 2 and "not a readable tar shard" in done.err
    pyarrow = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pyarrow.Table.from_pylist([{"txt": "x", "img": "y.png"}]), tmp_path / "wrong.parquet")
    done = run("check", tmp_path / "wrong.parquet")
    assert done.code == 2 and "no caption column (it has txt, img" in done.err
