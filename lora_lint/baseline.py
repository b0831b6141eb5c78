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
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .errors import LoraLintError
from .files import write_texts
from .findings import Finding

FILE = ".lora-lint-baseline.json"
_VERSION = 1

Entry = tuple[str, str, str]  # path (from the dataset root), rule, message


class Baseline:
    """A dataset's baseline: what to drop, and what was dropped.

    Entries are matched by (path, rule, message) when the run speaks the
    baseline's language, and by (path, rule) when it does not (a developer's
    Chinese locale and a CI runner's English one share one baseline).
    """

    def __init__(self, file: Path, entries: Counter, lang: str = "en") -> None:
        self.file = file
        self.lang = lang
        self.entries = entries
        self.left = Counter(entries)  # entries not yet matched in this run
        self.matched = 0
        self._loose: Counter | None = None  # (path, rule) -> entries left, when the languages differ

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
        return cls(file, entries, str(data.get("lang", "en")))

    def drop(self, findings: Iterable[Finding], key: Callable[[Finding], Entry], lang: str) -> Iterator[Finding]:
        """The findings the baseline does not hold (each entry holds `count` of them)."""
        if lang != self.lang and self._loose is None:
            self._loose = Counter()
            for (path, rule, _), count in self.left.items():
                self._loose[(path, rule)] += count
        for finding in findings:
            entry = key(finding)
            if self._take(entry, lang):
                self.matched += 1
            else:
                yield finding

    def _take(self, entry: Entry, lang: str) -> bool:
        if lang == self.lang:
            if self.left.get(entry, 0) > 0:
                self.left[entry] -= 1
                return True
            return False
        loose = entry[:2]
        if self._loose.get(loose, 0) > 0:
            self._loose[loose] -= 1
            return True
        return False

    def stale(self, covered: Callable[[Entry], bool]) -> list[Entry]:
        """Entries no finding of this run matched, of those it looked for (its folder, its rules)."""
        if self._loose is not None:
            left = Counter({key: count for key, count in self._loose.items() if count > 0})
            return sorted(entry for entry in self.entries if left.get(entry[:2], 0) > 0 and covered(entry))
        return sorted(key for key, count in self.left.items() if count > 0 and covered(key))


def stale_note(stale: list) -> str:
    """What to say of baseline entries that no longer match (a note and a warning)."""
    path, rule, *_ = stale[0]
    count = len(stale)
    return f"{count} baseline entr{'y' if count == 1 else 'ies'} no longer match (fixed or changed; e.g. {rule} on {path}): --write-baseline drops them"


def write(root: Path, entries: Counter, covered: Callable[[Entry], bool], lang: str) -> Path:
    """Write the dataset's baseline: this run's entries, and the last
    baseline's entries this run did not cover (other folders, other rules),
    so a partial check never drops what it did not look at."""
    file = root / FILE
    try:
        old = Baseline.load(root)
    except LoraLintError:  # a broken baseline is replaced
        old = None
    merged = Counter(entries)
    if old is not None and old.lang == lang:
        for entry, count in old.entries.items():
            if not covered(entry):
                merged[entry] += count
    rows = [{"path": p, "rule": r, "message": m, **({"count": n} if n > 1 else {})} for (p, r, m), n in sorted(merged.items())]
    body = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in rows)
    head = f'{{"version": {_VERSION}, "tool": "lora-lint", "lang": {json.dumps(lang)},\n "entries": ['
    text = f"{head}\n{body}\n]}}\n" if rows else f"{head}]}}\n"
    try:
        write_texts({file: text})
    except OSError as error:
        raise LoraLintError(f"cannot write the baseline: {error.strerror or error}", str(file)) from None
    return file
