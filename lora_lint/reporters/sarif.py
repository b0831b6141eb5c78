"""`--format sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF
viewers: every rule that ran with its summary and why, every finding as a
result with its location and, when it has one, its fix as replacements."""
from __future__ import annotations

import json
import os
from typing import IO, Any
from urllib.parse import quote

from .. import __version__
from .locations import file_and_line

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HOME = "https://pypi.org/project/lora-lint/"


def _rule(doc) -> dict[str, Any]:
    summary = doc.summary or doc.name
    help_text = f"{summary}\n\n{doc.why}".strip() if doc.why else summary
    return {
        "id": doc.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": doc.why or summary},
        "help": {"text": f"{help_text}\n\nlora-lint rule {doc.name}: run `lora-lint explain {doc.name}` for examples and its fix."},
        "defaultConfiguration": {"level": _LEVEL.get(doc.severity, "warning")},
        "properties": {"kind": doc.kind, "pack": doc.pack},
    }


def _uri(file: str) -> str:
    return ("file://" if file.startswith("/") else "") + quote(file)


def _result(finding, index: int | None, file: str, line, column, end) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": {"uri": _uri(file)}}
    if line:
        region: dict[str, Any] = {"startLine": line}
        if column:
            region["startColumn"] = column
            if end:
                region["endColumn"] = end
        location["region"] = region
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        **({"ruleIndex": index} if index is not None else {}),
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": location}],
    }
    if finding.fix is not None and line and column:
        replacements = [
            {
                "deletedRegion": {"startLine": e.line, "startColumn": e.column, "endLine": e.end_line, "endColumn": e.end_column},
                "insertedContent": {"text": e.content},
            }
            for e in finding.fix.edits
        ]
        result["fixes"] = [{"description": {"text": finding.fix.message}, "artifactChanges": [{"artifactLocation": {"uri": _uri(file)}, "replacements": replacements}]}]
    return result


def report(result, stream: IO[str], options: dict[str, Any]) -> None:
    """Write one SARIF log with one run; results are streamed in order."""
    docs = [result.rules[name] for name in sorted(result.rules)]
    index = {doc.name: number for number, doc in enumerate(docs)}
    driver = {"name": "lora-lint", "version": __version__, "informationUri": HOME, "rules": [_rule(doc) for doc in docs]}
    head = {"$schema": SCHEMA, "version": "2.1.0"}
    encode = json.JSONEncoder(ensure_ascii=False).encode
    stream.write(encode(head)[:-1] + ',\n "runs": [{"tool": {"driver": ' + encode(driver) + '},\n  "columnKind": "unicodeCodePoints",\n  "results": [')
    cwd = os.getcwd()
    separator = "\n   "
    for finding in result.findings:
        stream.write(separator + encode(_result(finding, index.get(finding.rule), *file_and_line(result, finding, cwd))))
        separator = ",\n   "
    stream.write("\n  ],\n" if result.findings else "],\n")
    invocation: dict[str, Any] = {"executionSuccessful": not result.errors}
    if result.errors:  # a rule kind failed: the rest was checked, the run is not whole
        invocation["toolExecutionNotifications"] = [{"level": "error", "message": {"text": error}} for error in result.errors]
    stream.write('  "invocations": [' + encode(invocation) + "]}]}\n")
