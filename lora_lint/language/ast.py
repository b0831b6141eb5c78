"""Typed AST of a rule pack, as the parser produces it.

Nothing here knows what a model or a rule *means*; `lora_lint.knowledge`
gives the declarations their meaning and checks them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Location:
    """Where a node starts and ends in its pack file (lines and columns from 1)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Name:
    """A bare identifier or category selector: `character`, `identity.*`."""

    text: str
    loc: Location


@dataclass(frozen=True)
class Text:
    """A quoted string (escapes resolved)."""

    text: str
    loc: Location


@dataclass(frozen=True)
class Number:
    """A number, possibly with a unit: `%` (percent) or `x` (times)."""

    value: float
    unit: str  # "", "%" or "x"
    loc: Location


@dataclass(frozen=True)
class Resolution:
    """`1024x768`."""

    width: int
    height: int
    loc: Location


@dataclass(frozen=True)
class Range:
    """`low..high`, both ends included."""

    low: Number | Resolution
    high: Number | Resolution
    loc: Location


Value = Union[Name, Text, Number, Resolution, Range]


@dataclass(frozen=True)
class Test:
    """One test of a condition: `lora character, object` or `not subset reg`."""

    key: Name
    values: tuple[Value, ...]
    negated: bool
    loc: Location


@dataclass(frozen=True)
class Condition:
    """Tests joined by `and`."""

    tests: tuple[Test, ...]
    loc: Location


@dataclass(frozen=True)
class Pair:
    """One row of a table: `simple 60%..70%`."""

    key: Name
    values: tuple[Value, ...]
    loc: Location


@dataclass(frozen=True)
class Property:
    """`name arg arg, arg [when condition]` or `name arg { table }`.

    `groups` holds the comma-separated argument groups, each a tuple of values.
    """

    name: Name
    groups: tuple[tuple[Value, ...], ...]
    table: tuple[Pair, ...] | None
    condition: Condition | None
    loc: Location


@dataclass(frozen=True)
class Term:
    """A literal term, or a safe wildcard pattern (`pattern "*-haired"`)."""

    text: str
    is_pattern: bool
    loc: Location


@dataclass(frozen=True)
class Entry:
    """A canonical term and the variants that mean the same."""

    canonical: Term
    variants: tuple[Term, ...]


@dataclass(frozen=True)
class Choice:
    """One choice of a pool: its text and attributes (`zh-TW "..."`, `row framing.side`)."""

    text: Text
    attributes: tuple[Pair, ...]
    loc: Location


@dataclass(frozen=True)
class Declaration:
    """A block: `model`, `lora`, `rule`, `prompts` and the training blocks
    (properties), `terms`/`vocabulary` (entries) or `pool` (choices).

    `change` is "" for a declaration, "override" or "extend" for a change to one.
    """

    block: str
    name: Name
    change: str
    loc: Location
    properties: tuple[Property, ...] = ()
    when: tuple[Condition, ...] = ()
    entries: tuple[Entry, ...] = ()
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Use:
    """`use core` (a registered pack) or `use "extra.lora"` (a path)."""

    target: str
    is_path: bool
    loc: Location


@dataclass
class Pack:
    """A parsed pack file."""

    name: str
    title: str
    path: str
    source: str
    uses: list[Use] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
