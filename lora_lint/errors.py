"""Errors that end a run with exit status 2, each rendered for a person.

A `LoraLintError` names the file it is about; a `PackError` also names the
line and column, shows the line and puts a caret under the offending text.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, or "" if none is close."""
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class LoraLintError(Exception):
    """A usage, settings, pack or input error: one line, naming the file."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __reduce__(self):  # raised in a worker process, shown by the parent: keep the path
        return (type(self), (self.message, self.path))

    def render(self) -> str:
        """The message as printed: `path: message`, on one line whatever the
        file's name holds (control characters are shown escaped)."""
        return one_line(f"{self.path}: {self.message}" if self.path else self.message)


def one_line(text: str) -> str:
    """The text with line breaks and other control characters escaped (`\\x1e`)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def read_utf8(path, what: str) -> str:
    """A UTF-8 text file's contents; a `LoraLintError` naming the file (`what`
    it is: "rule pack", "spec file") when it cannot be read or decoded."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as error:
        raise LoraLintError(f"cannot read {what}: {error.strerror or error}", str(path)) from None
    except UnicodeDecodeError as error:
        raise LoraLintError(f"{what} is not UTF-8 (byte {error.start})", str(path)) from None


class PackError(LoraLintError):
    """An error in a rule pack, at `path:line:column`."""

    def __init__(
        self,
        message: str,
        path: str,
        line: int,
        column: int,
        end_column: int | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message, path)
        self.line = line
        self.column = column
        self.end_column = end_column if end_column and end_column > column else column + 1
        self.source = source

    def __reduce__(self):
        return (type(self), (self.message, self.path, self.line, self.column, self.end_column, self.source))

    @classmethod
    def at(cls, message: str, loc, source: str | None = None) -> "PackError":
        """An error at an AST `Location` (its first line only)."""
        end = loc.end_column if loc.end_line == loc.line else None
        return cls(message, loc.path, loc.line, loc.column, end, source)

    def render(self) -> str:
        """`path:line:column: message`, then the line with a caret under the text."""
        head = one_line(f"{self.path}:{self.line}:{self.column}: {self.message}")
        text = _line_of(self.source, self.line)
        if text is None:
            return head
        width = max(1, min(self.end_column, len(text) + 2) - self.column)
        caret = " " * (self.column - 1) + "^" * width
        return f"{head}\n    {text}\n    {caret}"


def _line_of(source: str | None, line: int) -> str | None:
    if source is None:
        return None
    lines = source.splitlines()
    if 1 <= line <= len(lines):
        return lines[line - 1].replace("\t", " ")
    return None
