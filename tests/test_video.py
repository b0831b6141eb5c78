"""Video datasets: clip folders of frames with a caption beside each."""
from __future__ import annotations

from pathlib import Path

from PIL import Image


def clip(root: Path, name: str, frames: int, size=(854, 480), caption: str | None = "ohwx woman walking through a park, smiling, wind blowing her hair, sunny day, handheld camera") -> None:
    folder = root / "clips" / name
    folder.mkdir(parents=True)
    for index in range(frames):
        Image.new("RGB", size if index < frames - 1 else (size[0], size[1] + (name == "mixed") * 16), (index * 3 % 256, 90, 120)).save(folder / f"{index:04d}.png")
    if caption is not None:
        (root / "clips" / f"{name}.txt").write_text(caption + "\n")


def findings(run, root: Path, rule: str) -> dict[str, str]:
    found = run("check", root, "--format", "json", "--select", rule).json["findings"]
    return {f["path"]: f["message"] for f in found}


def test_clip_folders_are_items_not_uncaptioned_images(run, tmp_path):
    (tmp_path / ".lora-lint.yaml").write_text("lora: video\nmodel: wan\ntrigger: ohwx\nfps: 24\n")
    clip(tmp_path, "good", 72)
    clip(tmp_path, "short", 8)
    clip(tmp_path, "mixed", 60)
    result = run("check", tmp_path, "--format", "json", "--select", "caption-pairing,video-clip,duplicate-image,image-quality")
    messages = {f["path"]: f["message"] for f in result.json["findings"]}
    assert messages == {
        "clips/short.txt": "8 frames: wan trains on clips of 16-81 frames",
        "clips/mixed.txt": "frames of different sizes (854x480, 854x496): every frame of a clip must match",
    }
    assert result.json["summary"]["datasets"][0]["captions"] == 3


def test_clip_length_needs_the_frame_rate(run, tmp_path):
    (tmp_path / ".lora-lint.yaml").write_text("lora: video\nmodel: wan\nfps: 30\n")
    clip(tmp_path, "long", 80)
    assert findings(run, tmp_path, "video-clip") == {}  # 2.7 s at 30 fps
    (tmp_path / ".lora-lint.yaml").write_text("lora: video\nmodel: wan\nfps: 10\n")
    assert findings(run, tmp_path, "video-clip") == {"clips/long.txt": "80 frames is 8.0 s at the dataset's fps: clips of 2-5 s teach one motion"}


def test_clips_for_an_image_model(run, tmp_path):
    (tmp_path / ".lora-lint.yaml").write_text("lora: video\nmodel: sdxl\nfps: 24\n")
    clip(tmp_path, "good", 72)
    assert findings(run, tmp_path, "video-clip") == {".": "1 clips, but sdxl is an image model: set a video model (wan, hunyuan, cogvideox)"}
