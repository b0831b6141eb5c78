"""The progress bar appears only for large datasets."""
from __future__ import annotations

from lora_lint import progress


def test_no_bar_for_a_small_dataset():
    with progress.Progress() as bar:
        for count in range(1, progress.SHOW_AFTER):
            bar.update(count)
        assert bar._bar is None


def test_a_bar_once_the_dataset_is_large():
    with progress.Progress() as bar:
        bar.update(progress.SHOW_AFTER)
        assert bar._bar is not None
        assert bar._bar.tasks[0].completed == progress.SHOW_AFTER
