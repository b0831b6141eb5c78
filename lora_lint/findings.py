"""Findings and their fixes, as reporters and `fix` see them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}


RECORD = re.compile(r"^(.*):(\d+)(#image)?$")  # a record of a dataset file: set.jsonl:42, set.jsonl:42#image


def path_key(path: str) -> tuple:
    """A display path's sort key: `set.jsonl:9` before `set.jsonl:10` (a file's records in line order)."""
    match = RECORD.match(path) if ":" in path else None  # most paths name a file of their own
    return (match.group(1), int(match.group(2)), match.group(3) or "") if match else (path, 0, "")


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, column) to (end_line, end_column) by `content`."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "content": self.content,
        }


@dataclass(frozen=True)
class Fix:
    """Edits that resolve a finding; `safe` when no meaning is lost."""

    message: str
    safe: bool
    edits: tuple[Edit, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "applicability": "safe" if self.safe else "unsafe",
            "message": self.message,
            "edits": [edit.to_json() for edit in self.edits],
        }


@dataclass(frozen=True)
class Finding:
    """One problem: which rule, how bad, where (lines/columns from 1, end exclusive)."""

    rule: str
    severity: str
    path: str
    line: int | None
    column: int | None
    end_column: int | None
    message: str
    fix: Fix | None = None

    def sort_key(self) -> tuple:
        return (path_key(self.path), self.line or 0, self.column or 0, self.rule, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_column": self.end_column,
            "message": self.message,
            "fix": self.fix.to_json() if self.fix else None,
        }
