"""`--format json`: findings and a summary, as DESIGN.md fixes them."""
from __future__ import annotations

import json
from typing import IO, Any


def report(result, stream: IO[str], options: dict[str, Any]) -> None:
    """Write the result as one JSON document, a finding a line.

    Compact lines keep the C encoder on a large result; the layout still reads
    well and diffs line by line.
    """
    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every line
    stream.write('{"version": 1,\n "findings": [')
    separator = "\n  "
    for finding in result.findings:  # streamed in order: a million findings are never all in memory
        stream.write(separator + encode(finding.to_json()))
        separator = ",\n  "
    stream.write("\n ],\n" if result.findings else "],\n")
    stream.write(' "summary": ' + json.dumps(result.summary_json(), ensure_ascii=False) + "}\n")
