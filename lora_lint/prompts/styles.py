"""The built-in prompt styles: tags, natural-language sentences and hybrid.

Each is registered through the `lora_lint_prompt_styles` hook, as a plugin's
would be; a model's `caption_style` names the styles it learned.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..templates import filled_pieces, placeholders


@dataclass(frozen=True)
class Tags:
    """`subject, part, part, quality`: booru-style tags (SD1.5, SDXL, Pony)."""

    name: str = "tags"
    prose: bool = False
    english_only: bool = False
    separator: str = ", "

    def phrase(self, subject: str, parts: dict[str, str], sentence: str, tail: tuple[str, ...]) -> str:
        return self.separator.join(p for p in (subject, *parts.values(), *tail) if p)


@dataclass(frozen=True)
class Natural:
    """The recipe's sentence, each part in its prose form (Flux, SD3, video)."""

    name: str = "natural"
    prose: bool = True
    english_only: bool = True  # the recipe's sentence is English

    def phrase(self, subject: str, parts: dict[str, str], sentence: str, tail: tuple[str, ...]) -> str:
        text = "".join(filled_pieces(sentence, {**parts, "subject": subject})).strip()
        return ", ".join([text, *tail]) if tail else text


@dataclass(frozen=True)
class Hybrid:
    """The subject first, then the sentence's clauses as comma-separated tags,
    each choice in its tag form (`wearing white t-shirt`, `in golden hour`):
    for models that learned both (modern SDXL)."""

    name: str = "hybrid"
    prose: bool = False
    english_only: bool = True  # its connectives come from the English sentence

    def phrase(self, subject: str, parts: dict[str, str], sentence: str, tail: tuple[str, ...]) -> str:
        clauses = []
        for piece in sentence.split("|"):
            names = placeholders(piece)
            if not names or not all(parts.get(n) or n == "subject" for n in names):
                continue
            if "subject" in names:  # the subject leads; its piece gives only the other parts
                clauses.extend(parts[n] for n in names if n != "subject")
            else:
                clauses.append(piece.format(**{n: parts[n] for n in names}).strip(" ,."))
        return ", ".join(c for c in (subject, *clauses, *tail) if c)


BUILTIN = [Tags(), Natural(), Hybrid()]
