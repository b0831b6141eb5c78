"""`--format rich`: findings grouped by file, the caption shown with each
finding's span underlined, then a summary table."""
from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import IO, Any

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def report(result, stream: IO[str], options: dict[str, Any]) -> None:
    """Write the result for a person reading a terminal."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True, force_terminal=options.get("color"), no_color=options.get("color") is False)
    by_rule: Counter = Counter()
    for path, group in groupby(result.findings, key=lambda f: f.path):  # sorted: a file's findings are together
        findings = list(group)
        by_rule.update((f.rule, f.severity) for f in findings)
        console.print(Text(path, style="bold underline"))
        text = result.texts.get(path)
        shown = set()
        for finding in findings:
            if text is not None and finding.line and finding.line not in shown:
                shown.add(finding.line)
                console.print(_caption_line(text, finding.line, [f for f in findings if f.line == finding.line], Text))
            where = f"{finding.line}:{finding.column}" if finding.line else "-"
            row = Text("  ")
            row.append(f"{where:>6} ", style="dim")
            row.append(f"{finding.severity:<8}", style=_STYLE[finding.severity])
            row.append(f"{finding.rule:<16} ", style="bold")
            row.append(finding.message)
            if finding.fix is not None:
                row.append("  [fix]" if finding.fix.safe else "  [unsafe fix]", style="green" if finding.fix.safe else "dim green")
            console.print(row)
        console.print()
    if result.findings:
        table = Table(title="Findings by rule", title_justify="left", show_edge=False)
        table.add_column("rule")
        table.add_column("severity")
        table.add_column("count", justify="right")
        for (rule, severity), count in sorted(by_rule.items()):
            table.add_row(rule, Text(severity, style=_STYLE[severity]), str(count))
        console.print(table)
        console.print()
    for dataset in result.datasets:
        for note in dataset.notes:
            console.print(Text(f"note: {dataset.path}: {note}", style="dim"))
    counts = result.counts()
    captions = sum(d.captions for d in result.datasets)
    images = sum(d.images for d in result.datasets)
    tally = ", ".join(f"{n} {k}{'s' if n != 1 and k != 'info' else ''}" for k, n in counts.items())
    verdict = Text()
    if not result.findings:
        verdict.append("clean: ", style="bold green")  # only a clean run is green
    verdict.append(f"{tally} in {captions} captions and {images} images")
    held = sum(d.baselined for d in result.datasets)
    if held:
        verdict.append(f" ({held} more held by the baseline)", style="dim")
    console.print(verdict)


_WINDOW = 160  # characters of a long caption shown around its findings


def _caption_line(text: str, line: int, findings: list, Text) -> Any:
    """The caption's line with the findings' spans underlined, and a line of
    carets under them (for terminals without colour and for logs). A long
    line is cut to a window around the findings; wide (CJK) characters take
    two carets."""
    from rich.cells import cell_len

    lines = text.split("\n")
    content = lines[line - 1].rstrip("\r").replace("\t", " ") if line - 1 < len(lines) else ""
    spans = [(f.column - 1, f.end_column - 1, f.severity) for f in findings if f.column and f.end_column and f.end_column - f.column < len(content)]
    first = min((a for a, _, _ in spans), default=0)
    start = max(0, min(first - 20, len(content) - _WINDOW))
    end = min(len(content), start + _WINDOW)
    lead, tail = ("..." if start else ""), ("..." if end < len(content) else "")
    shown = Text("    " + lead + content[start:end] + tail, style="dim")
    offset = 4 + len(lead) - start
    carets = ""
    for a, b, severity in sorted(spans):
        a, b = max(a, start), min(b, end)
        if a >= b:
            continue
        shown.stylize(f"not dim underline {_STYLE[severity]}", offset + a, offset + b)
        pad = cell_len(lead + content[start:a]) - cell_len(carets)
        if pad >= 0:
            carets += " " * pad + "^" * cell_len(content[a:b])
    if carets.strip():
        shown.append("\n    " + carets, style="bold red")
    return shown
