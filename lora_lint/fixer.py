"""`lora-lint fix`: apply the edits that findings carry, safely.

Safe fixes are applied by default, unsafe ones (content goes) only when
asked. A caption is fixed in memory until no applicable fix is left (fixes
whose edits overlap wait for the next round), so fixing twice changes
nothing. Each file is written once, atomically (a temporary file beside
it, then a rename), with its permissions, line endings and encoding kept;
only the caption-format fix changes the encoding (to UTF-8, without a BOM).
A fix that would leave a caption empty is not applied; a linked caption is
never written.
"""
from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

from .caption import Caption, analyse
from .findings import Finding

ROUNDS = 10  # a caption that still changes after this many rounds is left as it is


@dataclass
class FixReport:
    """What fixing did: counts, diffs (with --diff) and captions left alone."""

    fixed: int = 0  # findings fixed
    files: int = 0  # files changed (or that would change, with --diff)
    diffs: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (path, why)


def offset(caption: Caption, line: int, column: int) -> int:
    """A (line, column) of a finding or edit as a character offset."""
    return caption.line_starts[line - 1] + column - 1


def apply(caption: Caption, fixes: list[Finding]) -> tuple[str, list[Finding], bool]:
    """The caption text with every fix whose edits overlap no earlier one applied.

    Returns the text, the findings fixed, and whether the file must be written
    as UTF-8 without a BOM (the caption-format fix).
    """
    taken: list[tuple[int, int]] = []
    edits: list[tuple[int, int, str]] = []
    applied, normalize = [], False
    for finding in sorted(fixes, key=Finding.sort_key):
        spans = [(offset(caption, e.line, e.column), offset(caption, e.end_line, e.end_column), e.content) for e in finding.fix.edits]
        if any(a < y and x < b or (a == b == x) for a, b, _ in spans for x, y in taken):
            continue
        taken += [(a, b) for a, b, _ in spans]
        edits += spans
        applied.append(finding)
        normalize = normalize or finding.rule == "caption-format"
    text = caption.text
    for start, end, content in sorted(edits, reverse=True):
        text = text[:start] + content + text[end:]
    return text, applied, normalize


class Fixer:
    """Fixes captions as the check reads them; see the module docstring."""

    def __init__(self, unsafe: bool = False, diff: bool = False) -> None:
        self.unsafe, self.diff = unsafe, diff
        self.report = FixReport()

    def wanted(self, finding: Finding) -> bool:
        return finding.fix is not None and (finding.fix.safe or self.unsafe)

    def fix(self, path: str, caption: Caption, findings: list[Finding], relint: Callable[[bytes], tuple[Caption, list[Finding]]]) -> None:
        """Fix one caption file (at `path`) whose findings are known."""
        if not any(self.wanted(f) for f in findings):
            return
        if os.path.islink(path):
            self.report.refused.append((caption.path, "a link: fix the file it points to"))
            return
        original, fixed, normalize = caption, 0, False
        for _ in range(ROUNDS):
            fixes = [f for f in findings if self.wanted(f)]
            if not fixes:
                break
            text, applied, normalized = apply(caption, fixes)
            if not text.strip():
                self.report.refused.append((caption.path, "the fixes would leave it empty"))
                break
            fixed, normalize = fixed + len(applied), normalize or normalized
            if text == caption.text:
                break
            caption, findings = relint(text.encode("utf-8"))
        if not fixed:
            return
        self.report.fixed += fixed
        data = _encode(original, caption.text, normalize)
        with open(path, "rb") as handle:
            if handle.read() == data:
                return
        self.report.files += 1
        if self.diff:
            self.report.diffs.append(_diff(original, caption.text))
        else:
            _write(path, data)


def _encode(original: Caption, text: str, normalize: bool) -> bytes:
    """The fixed text in the file's encoding, or in UTF-8 when normalizing."""
    if normalize or original.encoding in ("utf-8", "binary"):
        bom = b"" if normalize or "bom" not in original.problems else b"\xef\xbb\xbf"
        return bom + text.encode("utf-8")
    return text.encode(original.encoding, errors="strict")


def _diff(original: Caption, text: str) -> str:
    return "".join(
        difflib.unified_diff(
            original.text.splitlines(keepends=True) or [""],
            text.splitlines(keepends=True) or [""],
            f"a/{original.path}",
            f"b/{original.path}",
        )
    )


def _write(path: str, data: bytes) -> None:
    """Write atomically: a temporary file in the same folder, then a rename."""
    mode = os.stat(path).st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".lora-lint-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
