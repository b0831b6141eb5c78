"""Templates of pieces: `"A photo of {subject}|, wearing {clothing}|."`.

A template is split at `|`; each piece is kept only when every placeholder
in it has text, so one template serves captions that name more or fewer
parts. caption-style's rewrite and the prompt generator both use it.
"""
from __future__ import annotations

import string


def placeholders(text: str) -> list[str]:
    """The `{names}` in a text, in order."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def filled_pieces(template: str, values: dict[str, str]) -> list[str]:
    """The template's pieces whose placeholders all have text, filled in."""
    pieces = []
    for piece in template.split("|"):
        names = placeholders(piece)
        if all(values.get(n) for n in names):
            pieces.append(piece.format(**{n: values[n] for n in names}))
    return pieces
