"""Parse a rule-pack file into the AST of `lora_lint.language.ast`.

Lark (LALR) parses; a Transformer turns the tree into frozen dataclasses with
locations. Lark's own errors become `PackError`s that say, in words, what was
expected at `file:line:column`.
"""
from __future__ import annotations

import textwrap
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..errors import PackError, did_you_mean
from ..resources import cache_dir, grammar_path
from . import ast

PROPERTY_BLOCKS = ("model", "lora", "rule", "prompts", "training", "gpu", "technique", "variant", "symptom")
KEYWORDS = ("pack", "use", *PROPERTY_BLOCKS, "terms", "vocabulary", "pool", "override", "extend")
_TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": "a quoted string",
    "LONG_STRING": "a quoted string",
    "NUMBER": "a number",
    "PERCENT": "a percentage",
    "TIMES": "a multiple like 2x",
    "RESOLUTION": "a resolution like 1024x1024",
    "_NL": "the end of the line",
    "_COMMA_NL": "','",
    "PROPERTY_BLOCK": ", ".join(PROPERTY_BLOCKS[:-1]) + " or " + PROPERTY_BLOCKS[-1],
    "TERM_BLOCK": "terms or vocabulary",
    "POOL_BLOCK": "pool",
    "NOT": "'not'",
    "$END": "the end of the file",
}


@lru_cache(maxsize=1)
def _lark() -> Lark:
    folder = cache_dir()
    cache = str(folder / "grammar.lark-cache") if folder else False
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
        cache=cache,
    )


def parse_pack(source: str, path: str) -> ast.Pack:
    """Parse pack text; raise `PackError` at the first syntax error."""
    try:
        tree = _lark().parse(source if source.endswith("\n") else source + "\n")
    except UnexpectedInput as error:
        raise _syntax_error(error, source, path) from None
    pack = ast.Pack(name=Path(path).stem, title="", path=path, source=source)
    for item in _ToAst(path).transform(tree):
        if isinstance(item, ast.Use):
            pack.uses.append(item)
        elif isinstance(item, ast.Declaration):
            pack.declarations.append(item)
        else:  # the pack header
            pack.name, pack.title = item
    return pack


def _describe(terminal: str) -> str:
    if terminal in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[terminal]
    for definition in _lark().terminals:
        if definition.name == terminal and definition.pattern.type == "str":
            return f"'{definition.pattern.value}'"
    return terminal.lower()


def _expected(names) -> str:
    words = sorted({_describe(name) for name in names})
    if len(words) > 1:
        return "expected " + ", ".join(words[:-1]) + " or " + words[-1]
    return "expected " + (words[0] if words else "something else")


def _syntax_error(error: UnexpectedInput, source: str, path: str) -> PackError:
    line, column = error.line, error.column
    if isinstance(error, UnexpectedToken):
        token = error.token
        if token.type == "$END":
            line, column = source.count("\n") + 1, 1
            found = "end of file"
        elif token.type in ("_NL", "_COMMA_NL"):
            found = "end of line" if token.type == "_NL" else "','"
        else:
            found = f"'{token}'"
        hint = ""
        if token.type == "NAME" and {"PROPERTY_BLOCK", "TERM_BLOCK", "POOL_BLOCK"} & set(error.expected):
            hint = did_you_mean(str(token), KEYWORDS)
        message = f"unexpected {found}: {_expected(error.expected)}{hint}"
        end = getattr(token, "end_column", None) if token.type not in ("_NL", "$END") else None
        return PackError(message, path, line, column, end, source)
    if isinstance(error, UnexpectedCharacters):
        char = source[error.pos_in_stream] if error.pos_in_stream < len(source) else "?"
        message = f"unexpected character {char!r}: {_expected(error.allowed or ())}"
        return PackError(message, path, line, column, None, source)
    if isinstance(error, UnexpectedEOF):
        line = source.count("\n") + 1
        return PackError(f"unexpected end of file: {_expected(error.expected)}", path, line, 1, None, source)
    return PackError(str(error).splitlines()[0], path, max(line, 1), max(column, 1), None, source)


def _unescape(body: str) -> str:
    out, chars = [], iter(body)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
        else:
            out.append(char)
    return "".join(out)


@v_args(meta=True)
class _ToAst(Transformer):
    """Lark tree -> AST dataclasses. Method names are grammar rule names."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    # --- helpers
    def _loc(self, meta) -> ast.Location:
        return ast.Location(self.path, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tloc(self, token: Token) -> ast.Location:
        return ast.Location(self.path, token.line, token.column, token.end_line, token.end_column)

    # --- terminals
    def NAME(self, token):
        return ast.Name(str(token), self._tloc(token))

    def STRING(self, token):
        return ast.Text(_unescape(token[1:-1]), self._tloc(token))

    def LONG_STRING(self, token):
        return ast.Text(textwrap.dedent(token[3:-3]).strip(), self._tloc(token))

    def NUMBER(self, token):
        return ast.Number(float(token), "", self._tloc(token))

    def PERCENT(self, token):
        return ast.Number(float(token[:-1]), "%", self._tloc(token))

    def TIMES(self, token):
        return ast.Number(float(token[:-1]), "x", self._tloc(token))

    def RESOLUTION(self, token):
        width, height = token.split("x")
        return ast.Resolution(int(width), int(height), self._tloc(token))

    # --- rules
    def pack_header(self, meta, children):
        name, title = children
        return name.text, title.text if title else ""

    def use(self, meta, children):
        (target,) = children
        return ast.Use(target.text, isinstance(target, ast.Text), self._loc(meta))

    def declaration(self, meta, children):
        block, name, body = children
        return self._declaration(str(block), name, "", meta, body)

    def override(self, meta, children):
        block, name, body = children
        return self._declaration(str(block), name, "override", meta, body)

    def extend(self, meta, children):
        block, name, body = children
        return self._declaration(str(block), name, "extend", meta, body)

    def _declaration(self, block, name, change, meta, body):
        kind, items = body
        loc = self._loc(meta)
        if kind == "entries":
            return ast.Declaration(block, name, change, loc, entries=tuple(items))
        if kind == "choices":
            return ast.Declaration(block, name, change, loc, choices=tuple(items))
        properties = tuple(item for item in items if isinstance(item, ast.Property))
        when = tuple(item for item in items if isinstance(item, ast.Condition))
        return ast.Declaration(block, name, change, loc, properties=properties, when=when)

    def property_body(self, meta, children):
        return "properties", children

    def term_body(self, meta, children):
        entries = []
        for child in children:
            entries.extend(child if isinstance(child, list) else [child])
        return "entries", entries

    def pool_body(self, meta, children):
        return "choices", children

    def choice(self, meta, children):
        text, *attributes = children
        return ast.Choice(text, tuple(attributes), self._loc(meta))

    def attribute(self, meta, children):
        return ast.Pair(children[0], (children[1],), self._loc(meta))

    def when(self, meta, children):
        return children[0]

    def property(self, meta, children):
        name, arguments, *rest = children
        table = next((c for c in rest if isinstance(c, list)), None)
        condition = next((c for c in rest if isinstance(c, ast.Condition)), None)
        return ast.Property(name, arguments or (), tuple(table) if table is not None else None, condition, self._loc(meta))

    def arguments(self, meta, children):
        return tuple(children)

    def group(self, meta, children):
        return tuple(children)

    def table(self, meta, children):
        return list(children)  # a list, to tell it from the argument tuples

    def pair(self, meta, children):
        return ast.Pair(children[0], tuple(children[1:]), self._loc(meta))

    def condition(self, meta, children):
        return ast.Condition(tuple(children), self._loc(meta))

    def test(self, meta, children):
        negated = isinstance(children[0], Token) and children[0].type == "NOT"
        if negated:
            children = children[1:]
        return ast.Test(children[0], tuple(children[1:]), negated, self._loc(meta))

    def range(self, meta, children):
        low, high = children
        return ast.Range(low, high, self._loc(meta))

    def plain_terms(self, meta, children):
        return [ast.Entry(self._term(child), ()) for child in children]

    def variants(self, meta, children):
        canonical, *variants = (self._term(child) for child in children)
        return ast.Entry(canonical, tuple(variants))

    def pattern(self, meta, children):
        text = children[0]
        return ast.Term(text.text, True, text.loc)

    def _term(self, child) -> ast.Term:
        return child if isinstance(child, ast.Term) else ast.Term(child.text, False, child.loc)

    def start(self, meta, children):
        return children
