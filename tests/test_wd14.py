"""The WD14 tagger plugin, on a tiny ONNX model the test builds with WD14's
input and output shapes: a [1, 448, 448, 3] BGR image in, a score per tag out."""
from __future__ import annotations

from pathlib import Path

import pytest

onnx = pytest.importorskip("onnx", reason="the WD14 tests need onnx and onnxruntime (the test extra)")
pytest.importorskip("onnxruntime", reason="the WD14 tests need onnxruntime (pip install 'lora-lint[wd14]')")

import numpy as np  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from PIL import Image  # noqa: E402

from lora_lint.wd14 import WD14Tagger  # noqa: E402

TAGS = [("general", "9"), ("red_theme", "0"), ("blue_theme", "0"), ("looking_at_viewer", "0"), ("hatsune_miku", "4")]


def build_model(folder: Path) -> Path:
    """Mean of each BGR channel -> a linear layer -> sigmoid: red images score red_theme."""
    weights = np.zeros((3, len(TAGS)), dtype=np.float32)
    bias = np.array([3.0, -5.0, -5.0, 2.0, -3.0], dtype=np.float32)
    weights[2, 1] = 1 / 25  # R channel (BGR order: index 2) -> red_theme
    weights[0, 2] = 1 / 25  # B channel -> blue_theme
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["input_1"], ["mean"], axes=[1, 2], keepdims=0),
            helper.make_node("MatMul", ["mean", "weights"], ["logits"]),
            helper.make_node("Add", ["logits", "bias"], ["raw"]),
            helper.make_node("Sigmoid", ["raw"], ["predictions_sigmoid"]),
        ],
        "tiny-wd14",
        [helper.make_tensor_value_info("input_1", TensorProto.FLOAT, [1, 448, 448, 3])],
        [helper.make_tensor_value_info("predictions_sigmoid", TensorProto.FLOAT, [1, len(TAGS)])],
        [numpy_helper.from_array(weights, "weights"), numpy_helper.from_array(bias, "bias")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(model, folder / "model.onnx")
    rows = ["tag_id,name,category,count"] + [f"{i},{name},{category},100" for i, (name, category) in enumerate(TAGS)]
    (folder / "selected_tags.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_the_tagger_reads_the_image_as_wd14_does(tmp_path):
    tagger = WD14Tagger(build_model(tmp_path / "model"))
    Image.new("RGB", (640, 480), (255, 0, 0)).save(tmp_path / "red.png")
    array = tagger.prepare(tmp_path / "red.png")
    assert array.shape == (1, 448, 448, 3) and array.dtype == np.float32
    assert tuple(array[0, 224, 224]) == (0.0, 0.0, 255.0)  # BGR
    assert tuple(array[0, 5, 224]) == (255.0, 255.0, 255.0)  # padded to a white square
    scores = {tag.name: (tag.score, tag.category) for tag in tagger.tag(tmp_path / "red.png")}
    assert scores["red_theme"][0] > 0.5 > scores["blue_theme"][0]
    assert scores["general"][1] == "rating" and scores["hatsune_miku"][1] == "character"


def test_tags_command_tags_untagged_images_with_the_plugin(run, tmp_path):
    model = build_model(tmp_path / "model")
    folder = tmp_path / "ds" / "img" / "10_ohwx woman"
    folder.mkdir(parents=True)
    (tmp_path / "ds" / ".lora-lint.yaml").write_text("lora: character\nmodel: sdxl\n")
    Image.new("RGB", (1024, 1024), (0, 0, 255)).save(folder / "001.png")
    result = run("tags", tmp_path / "ds", "--tagger", "wd14", "--model", model)
    assert result.code == 0, result.err
    assert (folder / "001.txt").read_text() == "ohwx woman, blue theme, looking at viewer\n"  # a blue image


def test_a_missing_model_is_a_clear_error(run, tmp_path, monkeypatch):
    monkeypatch.setenv("LORA_LINT_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.delenv("LORA_LINT_WD14_MODEL", raising=False)
    (tmp_path / "ds").mkdir()
    result = run("tags", tmp_path / "ds", "--tagger", "wd14")
    assert result.code == 2 and "no WD14 model" in result.err
