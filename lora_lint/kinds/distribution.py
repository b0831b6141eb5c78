"""Kind `distribution`: the dataset's mix matches the LoRA type's targets.

The LoRA type's `distribution` tables (character shots: closeups, three
quarter, side, upper body, full body; backgrounds 60-70% simple; a style's
subjects) say what a balanced dataset holds. Each caption is counted in the
first row of each table whose category it names (or, for the tables named in
`earliest`, the row it names first); rows given as image counts
are read as the shares they allow. With several kohya concept folders, the
images times repeats of each are compared too: an unequal mix makes one
concept dominate training.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from .. import schema as s
from ..active import ActiveRule
from ..findings import Finding

NAME = "distribution"
SCOPE = "dataset"
CASES = ("share", "balance")
PARAMS = {
    "earliest": s.Words(),  # tables whose captions count in the row they name first (the subject)
    "tolerance": s.Span(unit="%"),  # allowed distance from a target range, in points
    "min_images": s.Number(integer=True),  # judge shares only from this many classified images
    "balance": s.Span(unit="x"),  # most / least images x repeats across concept folders
    "messages": s.Messages(CASES),
}
PLACEHOLDERS = ("table", "row", "share", "low", "high", "count", "folders")
FIXES: dict[str, bool] = {}


def _tables(rule: ActiveRule) -> list[tuple[str, list[tuple[str, frozenset[int]]], dict]]:
    """(table, [(row, sense ids)], target shares) for the LoRA type's tables."""
    if "tables" not in rule.memo:
        knowledge, tables = rule.knowledge, []
        for name, shares in (rule.lora.get("distribution", {}) if rule.lora else {}).items():
            rows = [(row, knowledge.sense_ids(knowledge.select((row,)))) for row in shares.rows]
            tables.append((name, rows, shares.as_percent()))
        rule.memo["tables"] = tables
    return rule.memo["tables"]


def start() -> dict:
    return {"rows": Counter(), "classified": Counter(), "folders": {}}


def fold(summary: dict, item, caption, rule: ActiveRule) -> None:
    if not item.images:
        return
    folder = item.folder
    if folder.repeats is not None and folder.subset == "train":
        count, repeats = summary["folders"].get(folder.path, (0, folder.repeats))
        summary["folders"][folder.path] = (count + 1, repeats)
    if caption is None:
        return
    tables = _tables(rule)
    rows_of = rule.per_senses("rows", lambda senses: _rows(senses, tables))
    found = [rows_of[hit.senses] for hit in caption.hits]  # per hit, per table: the first row it names
    earliest = rule.params.get("earliest", ())
    for index, (table, rows, _) in enumerate(tables):
        named = [row[index] for row in found if row[index] is not None]
        if not named:
            continue
        # "a dog in a park" is a picture of a dog (the earliest hit); else rows in order: framing before angle
        row = rows[named[0] if table in earliest else min(named)][0]
        summary["rows"][(table, row)] += 1
        summary["classified"][table] += 1


def _rows(senses: tuple[int, ...], tables: list) -> tuple[int | None, ...]:
    """Per table, the index of the first row a hit with these senses belongs to."""
    return tuple(next((n for n, (_, ids) in enumerate(rows) if not ids.isdisjoint(senses)), None) for _, rows, _ in tables)


def merge(first: dict, second: dict) -> dict:
    folders = dict(first["folders"])
    for path, (count, repeats) in second["folders"].items():
        folders[path] = (folders.get(path, (0, repeats))[0] + count, repeats)
    return {"rows": first["rows"] + second["rows"], "classified": first["classified"] + second["classified"], "folders": folders}


def measure(summary: dict, rule: ActiveRule) -> dict:
    """Each table's rows: images counted, their share and the target range
    (in %), with what `judge` compares; and each concept folder's images x repeats."""
    tables = {}
    for table, rows, targets in _tables(rule):
        total = summary["classified"][table]
        tables[table] = {
            "classified": total,
            "judged": total >= rule.params.get("min_images", 10),
            "rows": [
                {"row": row, "count": (n := summary["rows"][(table, row)]), "share": round(n * 100 / total, 1) if total else 0.0,
                 "low": round(targets[row][0], 1), "high": round(targets[row][1], 1),
                 "outside": total >= rule.params.get("min_images", 10) and _outside(n * 100 / total, targets[row], rule)}
                for row, _ in rows
            ],
        }
    folders = [{"folder": path, "images": count, "repeats": repeats} for path, (count, repeats) in sorted(summary["folders"].items())]
    return {"tolerance": _tolerance(rule), "tables": tables, "folders": folders}


def _tolerance(rule: ActiveRule) -> float:
    return (rule.params.get("tolerance") or (0, 0))[0]


def _outside(share: float, target: tuple[float, float], rule: ActiveRule) -> bool:
    """Whether a row's share (in %) is further from its target range than the tolerance."""
    low, high = target
    return share < low - _tolerance(rule) or share > high + _tolerance(rule)


def judge(summary: dict, rule: ActiveRule, where: str) -> Iterator[Finding]:
    for table, rows, targets in _tables(rule):
        total = summary["classified"][table]
        if total < rule.params.get("min_images", 10):
            continue
        for row, _ in rows:
            share = summary["rows"][(table, row)] * 100 / total
            low, high = targets[row]
            if _outside(share, targets[row], rule):
                label = row.rsplit(".", 1)[-1].replace("_", " ")
                yield rule.at(where, rule.case_message("share", table=table, row=label, share=f"{share:.0f}%", low=f"{low:.0f}%", high=f"{high:.0f}%", count=total))
    folders = summary["folders"]
    limit = rule.params.get("balance")
    if limit and len(folders) > 1:
        weights = {path: count * repeats for path, (count, repeats) in folders.items()}
        most, least = max(weights.values()), min(weights.values())
        if least and most / least > limit[0]:
            shown = ", ".join(f"{path}: {count} x {repeats}" for path, (count, repeats) in sorted(folders.items()))
            yield rule.at(where, rule.case_message("balance", folders=shown))
