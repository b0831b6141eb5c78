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

from .caption import Caption
from .findings import Finding

ROUNDS = 10  # fixing stops after this many rounds (a caption reaches its fixed point in two or three)


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


def _rewrites(caption: Caption, finding: Finding) -> bool:
    """Whether a fix replaces the whole first line (a caption rewritten)."""
    if not caption.segments or len(finding.fix.edits) != 1:
        return False
    edit = finding.fix.edits[0]
    start, end = offset(caption, edit.line, edit.column), offset(caption, edit.end_line, edit.end_column)
    return start <= caption.segments[0][0] and end >= caption.line_end(1) and bool(edit.content)


def apply(caption: Caption, fixes: list[Finding]) -> tuple[str, list[Finding], bool]:
    """The caption text with every fix whose edits overlap no earlier one applied.

    A rewrite of the whole caption waits until no other fix applies, and then
    goes alone. Returns the text, the findings fixed, and whether the file
    must be written as UTF-8 without a BOM (the caption-format fix).
    """
    others = [f for f in fixes if not _rewrites(caption, f)]
    fixes = others or fixes[:1]
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

    def __init__(self, unsafe: bool = False, diff: bool = False, only: set[str] | None = None) -> None:
        self.unsafe, self.diff = unsafe, diff
        self.only = only  # fix only these caption files (what `tags` just wrote)
        self.report = FixReport()

    def wanted(self, finding: Finding) -> bool:
        return finding.fix is not None and (finding.fix.safe or self.unsafe)

    def fix(self, path: str, caption: Caption, findings: list[Finding], relint: Callable[[bytes], tuple[Caption, list[Finding]]]) -> None:
        """Fix one caption file (at `path`) whose findings are known."""
        if (self.only is not None and os.path.abspath(path) not in self.only) or not any(self.wanted(f) for f in findings):
            return
        if os.path.islink(path):
            self.report.refused.append((caption.path, "a link: fix the file it points to"))
            return
        original, fixed, normalize, emptying = caption, 0, False, set()
        for _ in range(ROUNDS):
            fixes = [f for f in findings if self.wanted(f) and (f.rule, f.line, f.column) not in emptying]
            if not fixes:
                break
            text, applied, normalized = apply(caption, fixes)
            if not text.strip():  # hold back what empties it; the rest may still apply
                unsafe = {(f.rule, f.line, f.column) for f in applied if not f.fix.safe}
                if not unsafe:
                    self.report.refused.append((caption.path, "the fixes would leave it empty"))
                    break
                emptying |= unsafe
                continue
            fixed, normalize = fixed + len(applied), normalize or normalized
            if text == caption.text:
                break
            caption, findings = relint(text.encode("utf-8"))
        if emptying and any(self.wanted(f) for f in findings):  # what was held back is still there
            self.report.refused.append((caption.path, "the fixes would leave it empty"))
        if not fixed:
            return
        self.report.fixed += fixed
        data, normalize = _encode(original, caption.text, normalize)
        with open(path, "rb") as handle:
            if handle.read() == data:
                return
        self.report.files += 1
        if self.diff:
            self.report.diffs.append(_diff(original, caption.text, normalize))
            return
        try:
            _write(path, data)
        except OSError as error:
            self.report.files -= 1
            self.report.refused.append((caption.path, f"cannot write: {error.strerror or error}"))


_BOM = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}


def _encode(original: Caption, text: str, normalize: bool) -> tuple[bytes, bool]:
    """The fixed text in the file's encoding (its BOM too), or in UTF-8 when
    normalizing or when the old encoding cannot hold the new text."""
    if not normalize and original.encoding not in ("utf-8", "binary"):
        try:
            return _BOM.get(original.encoding, b"") + text.encode(original.encoding), False
        except UnicodeEncodeError:
            normalize = True
    bom = b"" if normalize or "bom" not in original.problems else b"\xef\xbb\xbf"
    return bom + text.encode("utf-8"), normalize


def _diff(original: Caption, text: str, normalize: bool) -> str:
    diff = "".join(
        difflib.unified_diff(
            original.text.splitlines(keepends=True) or [""],
            text.splitlines(keepends=True) or [""],
            f"a/{original.path}",
            f"b/{original.path}",
        )
    )
    if normalize and (original.encoding != "utf-8" or "bom" in original.problems):
        diff = diff or f"--- a/{original.path}\n+++ b/{original.path}\n"
        diff += f"# {original.path}: rewritten as UTF-8 without a byte-order mark\n"
    return diff


def _write(path: str, data: bytes) -> None:
    """Write atomically: a temporary file in the same folder, then a rename."""
    mode = os.stat(path).st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".lora-lint-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())  # the new bytes are on disk before the rename makes them the file
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
