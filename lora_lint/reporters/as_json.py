"""`--format json`: findings and a summary, as DESIGN.md fixes them."""
from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C encoder of a str, as ensure_ascii=False writes it
from typing import IO, Any


def report(result, stream: IO[str], options: dict[str, Any]) -> None:
    """Write the result as one JSON document, a finding a line.

    Compact lines keep the C encoder on a large result; the layout still reads
    well and diffs line by line.
    """
    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every fix
    stream.write('{"version": 1,\n "findings": [')
    separator = "\n  "
    for finding in result.findings:  # streamed in order: a million findings are never all in memory
        stream.write(separator + line(finding, encode))
        separator = ",\n  "
    stream.write("\n ],\n" if result.findings else "],\n")
    stream.write(' "summary": ' + json.dumps(result.summary_json(), ensure_ascii=False) + "}\n")


def line(finding, encode) -> str:
    """`encode(finding.to_json())`, written field by field: the same text, in
    a third of the time (a dict through the encoder is most of a large report)."""
    return (
        f'{{"rule": {encode_basestring(finding.rule)}, "severity": {encode_basestring(finding.severity)}, '
        f'"path": {encode_basestring(finding.path)}, "line": {_number(finding.line)}, "column": {_number(finding.column)}, '
        f'"end_column": {_number(finding.end_column)}, "message": {encode_basestring(finding.message)}, '
        f'"fix": {encode(finding.fix.to_json()) if finding.fix else "null"}}}'
    )


def _number(value: int | None) -> str:
    return "null" if value is None else str(int(value))
