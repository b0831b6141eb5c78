"""`--format json`: findings and a summary, as DESIGN.md fixes them."""
from __future__ import annotations

import json
from typing import IO, Any


def report(result, stream: IO[str], options: dict[str, Any]) -> None:
    """Write the result as one JSON document, a finding a line.

    Compact lines keep the C encoder on a large result; the layout still reads
    well and diffs line by line.
    """
    document = result.to_json()
    findings = document.pop("findings")
    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every line
    stream.write('{"version": 1,\n "findings": [')
    for index, finding in enumerate(findings):
        stream.write(("\n  " if index == 0 else ",\n  ") + encode(finding))
    stream.write("\n ],\n" if findings else "],\n")
    stream.write(' "summary": ' + json.dumps(document["summary"], ensure_ascii=False) + "}\n")
