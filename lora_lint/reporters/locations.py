"""Where a finding is, as CI tools want it: a path from the working folder."""
from __future__ import annotations

import os


def file_and_line(result, finding, cwd: str) -> tuple[str, int | None, int | None, int | None]:
    """(file, line, column, end column) of a finding. The file is relative to
    `cwd` when below it (absolute otherwise), with '/'; a record of a dataset
    file (`set.jsonl:42`) is that file's line."""
    path, record_line = result.file_of(finding.path)
    absolute = os.path.abspath(path)
    shown = os.path.relpath(absolute, cwd) if absolute == cwd or absolute.startswith(cwd.rstrip(os.sep) + os.sep) else absolute
    shown = shown.replace(os.sep, "/")
    if record_line is not None:
        return shown, record_line, None, None
    return shown, finding.line, finding.column, finding.end_column
