"""The WD14 tagger as a lora-lint plugin (`pip install lora-lint[wd14]`).

It runs a WD14 ONNX model (SmilingWolf's wd-*-tagger releases: `model.onnx`
and `selected_tags.csv` in one folder) on the CPU with onnxruntime. The model
is never downloaded: give its folder with `--model`, set
`LORA_LINT_WD14_MODEL`, or put it in `<cache>/wd14/`. As WD14 expects, the
image is padded to a white square, resized to the model's input size and
fed as BGR floats 0-255; the outputs are tag probabilities.
"""
from __future__ import annotations

import csv
import os
from functools import lru_cache
from pathlib import Path

from . import hookimpl
from .errors import LoraLintError
from .tagging import Tag

_CATEGORIES = {"0": "general", "4": "character", "9": "rating"}


def model_folder(given: Path | None = None) -> Path:
    """Where the model is: the given folder, $LORA_LINT_WD14_MODEL, or the cache."""
    from .resources import cache_dir

    candidates = [given] if given else []
    if os.environ.get("LORA_LINT_WD14_MODEL"):
        candidates.append(Path(os.environ["LORA_LINT_WD14_MODEL"]))
    cache = cache_dir()
    if cache:
        candidates.append(cache / "wd14")
    for folder in candidates:
        if folder and (folder / "model.onnx").is_file() and (folder / "selected_tags.csv").is_file():
            return folder
    raise LoraLintError(
        "no WD14 model: give a folder with model.onnx and selected_tags.csv (--model, LORA_LINT_WD14_MODEL or the cache's wd14/)"
    )


class WD14Tagger:
    """Tags images with a WD14 ONNX model."""

    name = "wd14"

    def __init__(self, folder: Path) -> None:
        try:
            import numpy  # noqa: F401  (onnxruntime needs it)
            import onnxruntime
        except ImportError:
            raise LoraLintError("the WD14 tagger needs onnxruntime: pip install 'lora-lint[wd14]'") from None
        self.session = onnxruntime.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0]
        self.size = int(self.input.shape[1])
        with (folder / "selected_tags.csv").open(encoding="utf-8") as handle:
            self.tags = [(row["name"], _CATEGORIES.get(row.get("category", "0"), "general")) for row in csv.DictReader(handle)]

    def prepare(self, path: Path):
        """The image as the model's input: white-padded square, BGR, float32."""
        import numpy as np
        from PIL import Image

        with Image.open(path) as image:
            image = image.convert("RGBA")
            canvas = Image.new("RGBA", image.size, (255, 255, 255, 255))
            canvas.alpha_composite(image)
            rgb = canvas.convert("RGB")
        side = max(rgb.size)
        square = Image.new("RGB", (side, side), (255, 255, 255))
        square.paste(rgb, ((side - rgb.width) // 2, (side - rgb.height) // 2))
        square = square.resize((self.size, self.size), Image.Resampling.BICUBIC)
        array = np.asarray(square, dtype=np.float32)[:, :, ::-1]  # RGB -> BGR
        return np.ascontiguousarray(array[np.newaxis])

    def tag(self, path: Path) -> list[Tag]:
        """Every tag of the model with its probability for this image."""
        scores = self.session.run(None, {self.input.name: self.prepare(path)})[0][0]
        if len(scores) != len(self.tags):
            raise LoraLintError(f"the model gives {len(scores)} scores for {len(self.tags)} tags in selected_tags.csv", str(path))
        return [Tag(name, float(score), category) for (name, category), score in zip(self.tags, scores)]


@lru_cache(maxsize=2)
def _tagger(folder: Path) -> WD14Tagger:
    return WD14Tagger(folder)


@hookimpl
def lora_lint_taggers() -> dict:
    return {"wd14": lambda model=None: _tagger(model_folder(model))}
