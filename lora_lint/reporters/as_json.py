"""`--format json`: findings and a summary, as DESIGN.md fixes them."""
from __future__ import annotations

import json
from typing import IO, Any


def report(result, stream: IO[str], options: dict[str, Any]) -> None:
    """Write the result as one JSON document."""
    json.dump(result.to_json(), stream, ensure_ascii=False, indent=2)
    stream.write("\n")
