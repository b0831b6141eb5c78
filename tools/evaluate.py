"""Measure lora-lint's precision and recall, per rule, on the evaluation datasets.

Each dataset under `tests/eval/datasets/` is materialized (its `images.yaml`
becomes real image files) into a temporary folder, checked with
`lora-lint check --format json` (the `lora-lint` next to this Python), and
its findings compared with the dataset's `expected.yaml` (see
`tests/eval/README.md` for the format and how findings are matched).

    python tools/evaluate.py                     # every dataset, every rule
    python tools/evaluate.py --rule identity-leak --dataset character-prose
    python tools/evaluate.py --details           # also list misses and false positives
    python tools/evaluate.py --json              # machine-readable

Needs Pillow (to write the images). Exit status 0, or 2 when a dataset could
not be checked at all.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "eval"
DATASETS = EVAL / "datasets"

sys.path.insert(0, str(EVAL))
from materialize import GROUND_TRUTH, materialize  # noqa: E402

# The rule names of DESIGN.md, in its order.
RULES = [
    "trigger-word", "identity-leak", "style-leak", "object-leak", "concept-leak", "scene-leak",
    "missing-field", "vocab-variant", "caption-length", "caption-style", "junk-tags", "caption-format",
    "dataset-size", "caption-pairing", "image-quality", "duplicate-image", "duplicate-caption",
    "clothing-repeat", "vocab-mixing", "distribution", "variety", "hair-policy", "concept-overlap",
    "regularization", "trainer-compat", "video-clip",
]


@dataclass
class Expected:
    """One planted problem: which rule(s) may report it, where, and on what text."""

    rule: str
    rules: tuple[str, ...]  # the rule and the rules also accepted
    paths: tuple[str, ...]
    matches: tuple[str, ...]  # lower-cased; empty: any span
    note: str = ""

    def accepts(self, finding: dict) -> bool:
        if finding["rule"] not in self.rules:
            return False
        if finding["path"] not in self.paths and not any(
            any(c in p for c in "*?") and fnmatch.fnmatchcase(finding["path"], p) for p in self.paths
        ):
            return False
        if not self.matches:
            return True
        text = finding.get("_text")
        return text is not None and text.strip().lower() in self.matches


@dataclass
class Result:
    """One dataset's comparison."""

    name: str
    clean: bool
    expected: list[Expected]
    findings: list[dict]
    error: str | None = None
    detected: list[bool] = field(default_factory=list)  # per expected entry
    verdicts: list[str] = field(default_factory=list)  # per finding: tp, fp, tolerated


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def load_ground_truth(dataset: Path) -> tuple[bool, list[Expected], list[Expected]]:
    data = yaml.safe_load((dataset / GROUND_TRUTH).read_text(encoding="utf-8")) or {}

    def entries(items) -> list[Expected]:
        out = []
        for item in items or []:
            rule = item["rule"]
            out.append(Expected(
                rule=rule,
                rules=(rule, *_as_tuple(item.get("also"))),
                paths=_as_tuple(item.get("path", ".")),
                matches=tuple(m.strip().lower() for m in _as_tuple(item.get("match"))),
                note=str(item.get("note", "")),
            ))
        return out

    return bool(data.get("clean", False)), entries(data.get("findings")), entries(data.get("tolerated"))


def span_text(root: Path, finding: dict, cache: dict) -> str | None:
    """The text a finding's span covers (columns count code points from 1; a BOM is not counted)."""
    line, column, end = finding.get("line"), finding.get("column"), finding.get("end_column")
    if not line or not column or not end:
        return None
    path = root / finding["path"]
    if path not in cache:
        try:
            data = path.read_bytes()
        except OSError:
            cache[path] = None
        else:
            text = data.decode("utf-8-sig", errors="replace")
            cache[path] = [part.rstrip("\r") for part in text.split("\n")]
    lines = cache[path]
    if lines is None or line > len(lines):
        return None
    return lines[line - 1][column - 1 : end - 1]


def run_linter(path: Path) -> tuple[list[dict], str | None]:
    exe = Path(sys.executable).parent / "lora-lint"
    command = [str(exe), "check", str(path), "--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=path.parent)
    if done.returncode not in (0, 1):
        return [], f"lora-lint exited {done.returncode}: {done.stderr.strip()[:500]}"
    try:
        return json.loads(done.stdout)["findings"], None
    except (ValueError, KeyError) as error:
        return [], f"unreadable JSON output ({error}): {done.stdout[:200]!r}"


def _assign(expected: list[Expected], findings: list[dict]) -> list[bool]:
    """Maximum one-to-one matching of planted problems to accepting findings."""
    owner: dict[int, int] = {}  # finding index -> expected index
    options = [[j for j, f in enumerate(findings) if e.accepts(f)] for e in expected]

    def augment(i: int, seen: set[int]) -> bool:
        for j in options[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(expected)):
        augment(i, set())
    found = [False] * len(expected)
    for i in owner.values():
        found[i] = True
    return found


def evaluate(dataset: Path, workdir: Path) -> Result:
    clean, expected, tolerated = load_ground_truth(dataset)
    target = workdir / dataset.name
    if target.exists():
        shutil.rmtree(target)
    copy = materialize(dataset, target)
    findings, error = run_linter(copy)
    cache: dict = {}
    for finding in findings:
        finding["_text"] = span_text(copy, finding, cache)
    result = Result(dataset.name, clean, expected, findings, error)
    result.detected = _assign(expected, findings)
    for finding in findings:
        if any(e.accepts(finding) for e in expected):
            result.verdicts.append("tp")
        elif any(e.accepts(finding) for e in tolerated):
            result.verdicts.append("tolerated")
        else:
            result.verdicts.append("fp")
    return result


@dataclass
class Score:
    expected: int = 0
    found: int = 0
    tp: int = 0
    missed: int = 0

    def add(self, other: "Score") -> None:
        self.expected += other.expected
        self.found += other.found
        self.tp += other.tp
        self.missed += other.missed

    @property
    def precision(self) -> float | None:
        return self.tp / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return (self.expected - self.missed) / self.expected if self.expected else None

    def as_dict(self) -> dict:
        return {"expected": self.expected, "found": self.found, "true_positives": self.tp, "missed": self.missed,
                "precision": self.precision, "recall": self.recall}


def score(results: list[Result], rule: str | None = None) -> Score:
    total = Score()
    for result in results:
        for entry, hit in zip(result.expected, result.detected):
            if rule is None or entry.rule == rule:
                total.expected += 1
                total.missed += not hit
        for finding, verdict in zip(result.findings, result.verdicts):
            if verdict == "tolerated" or (rule is not None and finding["rule"] != rule):
                continue
            total.found += 1
            total.tp += verdict == "tp"
    return total


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _where(finding: dict) -> str:
    at = finding["path"]
    if finding.get("line"):
        at += f":{finding['line']}:{finding['column']}"
    text = finding.get("_text")
    return at + (f" `{text}`" if text else "")


def markdown(results: list[Result], rules: list[str], details: bool) -> str:
    out = ["## Per rule", "", "| rule | expected | found | true positives | missed | precision | recall |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    total = Score()
    for rule in rules:
        s = score(results, rule)
        total.add(s)
        out.append(f"| {rule} | {s.expected} | {s.found} | {s.tp} | {s.missed} | {_pct(s.precision)} | {_pct(s.recall)} |")
    out.append(f"| **all** | {total.expected} | {total.found} | {total.tp} | {total.missed} | {_pct(total.precision)} | {_pct(total.recall)} |")
    selected = set(rules)
    out += ["", "## Per dataset", "", "| dataset | kind | expected | found | true positives | missed | precision | recall |",
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    for result in results:
        s = Score()
        for rule in rules:
            s.add(score([result], rule))
        kind = "clean" if result.clean else "planted"
        note = f" (error: {result.error})" if result.error else ""
        out.append(f"| {result.name}{note} | {kind} | {s.expected} | {s.found} | {s.tp} | {s.missed} | {_pct(s.precision)} | {_pct(s.recall)} |")
    out += ["", "## Findings on the clean datasets (must be none)", ""]
    any_clean = False
    for result in results:
        if not result.clean:
            continue
        shown = [f for f in result.findings if f["rule"] in selected]
        out.append(f"- **{result.name}**: {len(shown)} finding(s)")
        for finding in shown:
            out.append(f"  - {finding['rule']}: {_where(finding)} — {finding['message']}")
        any_clean = True
    if not any_clean:
        out.append("(no clean dataset selected)")
    if details:
        out += ["", "## Missed planted problems", ""]
        for result in results:
            for entry, hit in zip(result.expected, result.detected):
                if not hit and entry.rule in selected:
                    match = f" `{entry.matches[0]}`" if entry.matches else ""
                    out.append(f"- {result.name}: {entry.rule} at {entry.paths[0]}{match}" + (f" ({entry.note})" if entry.note else ""))
        out += ["", "## False positives", ""]
        for result in results:
            for finding, verdict in zip(result.findings, result.verdicts):
                if verdict == "fp" and finding["rule"] in selected:
                    out.append(f"- {result.name}: {finding['rule']} at {_where(finding)} — {finding['message']}")
    errors = [r for r in results if r.error]
    if errors:
        out += ["", "## Errors", ""] + [f"- {r.name}: {r.error}" for r in errors]
    return "\n".join(out)


def as_json(results: list[Result], rules: list[str]) -> dict:
    selected = set(rules)
    return {
        "rules": {rule: score(results, rule).as_dict() for rule in rules},
        "datasets": {
            r.name: {
                "clean": r.clean,
                "error": r.error,
                "rules": {rule: score([r], rule).as_dict() for rule in rules if score([r], rule).expected or score([r], rule).found},
                "missed": [{"rule": e.rule, "paths": list(e.paths), "match": list(e.matches), "note": e.note}
                           for e, hit in zip(r.expected, r.detected) if not hit and e.rule in selected],
                "false_positives": [{k: v for k, v in f.items() if k != "fix"} for f, v in zip(r.findings, r.verdicts)
                                    if v == "fp" and f["rule"] in selected],
            }
            for r in results
        },
        "clean_findings": sum(1 for r in results if r.clean for f in r.findings if f["rule"] in selected),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rule", action="append", default=[], metavar="NAME", help="only this rule (repeatable, or comma-separated)")
    parser.add_argument("--dataset", action="append", default=[], metavar="NAME", help="only this dataset (repeatable, or comma-separated)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("--details", action="store_true", help="list missed problems and false positives")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="materialize into DIR (kept) instead of a temporary folder")
    args = parser.parse_args(argv)

    wanted_rules = [r for arg in args.rule for r in arg.split(",") if r]
    unknown = [r for r in wanted_rules if r not in RULES]
    if unknown:
        parser.error(f"unknown rule(s): {', '.join(unknown)}")
    rules = wanted_rules or RULES
    names = [d for arg in args.dataset for d in arg.split(",") if d]
    datasets = sorted(p for p in DATASETS.iterdir() if (p / GROUND_TRUTH).exists())
    if names:
        missing = [n for n in names if not (DATASETS / n / GROUND_TRUTH).exists()]
        if missing:
            parser.error(f"unknown dataset(s): {', '.join(missing)}")
        datasets = [DATASETS / n for n in names]

    with tempfile.TemporaryDirectory(prefix="lora-lint-eval-") as temporary:
        workdir = args.keep or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        results = [evaluate(dataset, workdir) for dataset in datasets]
    if args.json:
        print(json.dumps(as_json(results, rules), indent=2, ensure_ascii=False))
    else:
        print(markdown(results, rules, args.details))
    return 2 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
