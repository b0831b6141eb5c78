"""`--format github`: GitHub Actions workflow commands, one a finding, so
findings show as annotations on the pull request's files."""
from __future__ import annotations

import os
from typing import IO, Any

from .locations import file_and_line

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def report(result, stream: IO[str], options: dict[str, Any]) -> None:
    """Write `::error file=…,line=…,col=…,endColumn=…,title=…::message` lines."""
    cwd = os.getcwd()
    for finding in result.findings:
        file, line, column, end = file_and_line(result, finding, cwd)
        properties = [f"file={_property(file)}"]
        if line:
            properties.append(f"line={line}")
            if column:
                properties.append(f"col={column}")
                if end:
                    properties.append(f"endColumn={end}")
        properties.append(f"title={_property('lora-lint ' + finding.rule)}")
        stream.write(f"::{_LEVEL[finding.severity]} {','.join(properties)}::{_data(finding.message)}\n")
    counts = result.counts()
    stream.write(f"lora-lint: {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info\n")
