"""The baseline: today's findings of a dataset, recorded so that later runs
report only new ones.

`lora-lint check --write-baseline` writes `.lora-lint-baseline.json` at each
dataset root: every finding as (path, rule, message) with a count. Later
checks drop the findings the baseline holds, so an old dataset can adopt
lora-lint and still block new problems, and name the entries that no longer
match (fixed, or changed), which `--write-baseline` drops again. Paths are
relative to the dataset root, so a baseline holds however the dataset is
checked (alone, or with others).
"""
from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import LoraLintError
from .findings import Finding

FILE = ".lora-lint-baseline.json"
_VERSION = 1

Entry = tuple[str, str, str]  # path (from the dataset root), rule, message


class Baseline:
    """A dataset's baseline: what to drop, and what was dropped."""

    def __init__(self, file: Path, entries: Counter) -> None:
        self.file = file
        self.left = entries  # entries not yet matched in this run
        self.matched = 0

    @classmethod
    def load(cls, root: Path) -> Baseline | None:
        """The dataset's baseline, or None when it has none."""
        file = root / FILE
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise LoraLintError(f"cannot read the baseline: {getattr(error, 'strerror', None) or error}", str(file)) from None
        except json.JSONDecodeError as error:
            raise LoraLintError(f"not a baseline (broken JSON: {error.msg})", f"{file}:{error.lineno}:{error.colno}") from None
        if not isinstance(data, dict) or data.get("version") != _VERSION or not isinstance(data.get("entries"), list):
            raise LoraLintError(f"not a lora-lint baseline (version {_VERSION} with 'entries'): write it again with --write-baseline", str(file))
        entries: Counter = Counter()
        for number, entry in enumerate(data["entries"], 1):
            try:
                entries[(str(entry["path"]), str(entry["rule"]), str(entry["message"]))] += int(entry.get("count", 1))
            except (TypeError, KeyError, ValueError):
                raise LoraLintError(f"baseline entry {number} needs path, rule and message", str(file)) from None
        return cls(file, entries)

    def drop(self, findings: Iterable[Finding], prefix: str) -> Iterator[Finding]:
        """The findings the baseline does not hold (each entry holds `count` of them)."""
        left = self.left
        for finding in findings:
            key = (finding.path[len(prefix):], finding.rule, finding.message)
            if left.get(key, 0) > 0:
                left[key] -= 1
                self.matched += 1
            else:
                yield finding

    def stale(self) -> list[Entry]:
        """Entries no finding of this run matched."""
        return sorted(key for key, count in self.left.items() if count > 0)


def write(root: Path, entries: Counter) -> Path:
    """Write the dataset's baseline (replacing it whole, atomically)."""
    file = root / FILE
    rows = [{"path": p, "rule": r, "message": m, **({"count": n} if n > 1 else {})} for (p, r, m), n in sorted(entries.items())]
    body = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in rows)
    text = f'{{"version": {_VERSION}, "tool": "lora-lint",\n "entries": [\n{body}\n]}}\n' if rows else f'{{"version": {_VERSION}, "tool": "lora-lint", "entries": []}}\n'
    handle, temporary = tempfile.mkstemp(dir=root, prefix=".lora-lint-baseline-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, file)
    except OSError as error:
        os.unlink(temporary) if os.path.exists(temporary) else None
        raise LoraLintError(f"cannot write the baseline: {error.strerror or error}", str(file)) from None
    return file
