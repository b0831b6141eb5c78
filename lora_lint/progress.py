"""A progress bar for large datasets on an interactive terminal."""
from __future__ import annotations

SHOW_AFTER = 500  # captions; smaller datasets finish before a bar is worth drawing


class Progress:
    """Counts items; draws a rich spinner (on stderr) once the count is large."""

    def __init__(self) -> None:
        self._bar = None
        self._task = None

    def __enter__(self) -> "Progress":
        return self

    def update(self, count: int) -> None:
        if count < SHOW_AFTER:
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import Progress as Bar, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = Bar(SpinnerColumn(), TextColumn("checked {task.completed} items"), TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("check", total=None)
        self._bar.update(self._task, completed=count)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()
