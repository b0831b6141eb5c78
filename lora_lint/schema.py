"""Value specs: what a property of a model, LoRA type or rule may hold.

A spec turns an AST property into a plain Python value, or raises a
`PackError` at the offending value. Names that point at other declarations
(categories, LoRA types, models) are collected as references and checked
once every pack is loaded. Rule kinds declare their parameters with these
same specs.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from .errors import PackError, did_you_mean
from .language import ast

SEVERITIES = ("error", "warning", "info")
CAPTION_STYLES = ("tags", "hybrid", "natural")


@dataclass
class References:
    """Names a pack points at, to check when every pack is loaded."""

    items: list[tuple[str, ast.Name]] = field(default_factory=list)

    def add(self, what: str, name: ast.Name) -> None:
        self.items.append((what, name))


def _fail(message: str, node) -> PackError:
    return PackError.at(message, node.loc)


def _only(prop: ast.Property) -> ast.Value:
    if len(prop.groups) != 1 or len(prop.groups[0]) != 1:
        raise _fail(f"'{prop.name.text}' takes one value", prop)
    return prop.groups[0][0]


def _number_text(number: ast.Number) -> str:
    value = int(number.value) if number.value.is_integer() else number.value
    return f"{value}{number.unit}"


class Spec(ABC):
    """Base: `read(prop, refs)` -> value. `repeats` specs merge repeated lines."""

    def __repr__(self) -> str:  # part of the compiled-pack cache key
        return f"{type(self).__name__}({sorted(vars(self).items())!r})"

    repeats = False
    required = False
    template = False  # a text whose {placeholders} are checked
    describe = "a value"

    @abstractmethod
    def read(self, prop: ast.Property, refs: References) -> Any:
        """The property's value, checked."""

    def merge(self, old: Any, new: Any) -> Any:
        return new


class Text(Spec):
    describe = "a quoted string"

    def read(self, prop, refs):
        value = _only(prop)
        if not isinstance(value, ast.Text):
            raise _fail(f"'{prop.name.text}' takes {self.describe}", value)
        return value.text


class Template(Text):
    """A text with `{placeholders}`, checked like a message."""

    template = True


class Texts(Spec):
    describe = "quoted strings separated by commas"

    def read(self, prop, refs):
        out = []
        for group in prop.groups:
            if len(group) != 1 or not isinstance(group[0], ast.Text):
                raise _fail(f"'{prop.name.text}' takes {self.describe}", group[0] if group else prop)
            out.append(group[0].text)
        return tuple(out)


class Words(Spec):
    """Names separated by commas; `choices` limits them, `ref` makes them references."""

    def __init__(self, choices: tuple[str, ...] = (), ref: str = "", one: bool = False) -> None:
        self.choices, self.ref, self.one = choices, ref, one
        self.describe = ("one of " + ", ".join(choices)) if choices else "a name"

    def read(self, prop, refs):
        names = []
        for group in prop.groups:
            if len(group) != 1 or not isinstance(group[0], ast.Name):
                raise _fail(f"'{prop.name.text}' takes {self.describe}", group[0] if group else prop)
            name = group[0]
            if self.choices and name.text not in self.choices:
                hint = did_you_mean(name.text, self.choices)
                raise _fail(f"'{prop.name.text}' takes {self.describe}, not '{name.text}'{hint}", name)
            if self.ref:
                refs.add(self.ref, name)
            names.append(name.text)
        if self.one:
            if len(names) != 1:
                raise _fail(f"'{prop.name.text}' takes one name", prop)
            return names[0]
        return tuple(names)


class Flag(Spec):
    describe = "yes or no"

    def read(self, prop, refs):
        value = _only(prop)
        if isinstance(value, ast.Name) and value.text in ("yes", "no", "true", "false"):
            return value.text in ("yes", "true")
        raise _fail(f"'{prop.name.text}' takes yes or no", value)


class Number(Spec):
    def __init__(self, integer: bool = False, minimum: float = 0) -> None:
        self.integer, self.minimum = integer, minimum
        self.describe = "a whole number" if integer else "a number"

    def read(self, prop, refs):
        value = _only(prop)
        if not isinstance(value, ast.Number) or value.unit:
            raise _fail(f"'{prop.name.text}' takes {self.describe}", value)
        return _check_number(value, prop.name.text, self.integer, self.minimum, "")


def _check_number(value: ast.Number, name: str, integer: bool, minimum: float, unit: str):
    if value.unit != unit:
        want = {"": "a plain number", "%": "a percentage", "x": "a multiple like 2x"}[unit]
        raise _fail(f"'{name}' takes {want}, not '{_number_text(value)}'", value)
    if integer and not value.value.is_integer():
        raise _fail(f"'{name}' takes whole numbers, not {_number_text(value)}", value)
    if value.value < minimum or (unit == "%" and value.value > 100):
        limit = "between 0% and 100%" if unit == "%" else f"at least {minimum:g}"
        raise _fail(f"'{name}' must be {limit}, not {_number_text(value)}", value)
    return int(value.value) if integer else value.value


def read_span(value: ast.Value, name: str, unit: str = "", integer: bool = False) -> tuple:
    """A `low..high` range (or one number, meaning low = high) -> (low, high)."""
    if isinstance(value, ast.Number):
        number = _check_number(value, name, integer, 0, unit)
        return (number, number)
    if isinstance(value, ast.Range) and all(isinstance(v, ast.Number) for v in (value.low, value.high)):
        low = _check_number(value.low, name, integer, 0, unit)
        high = _check_number(value.high, name, integer, 0, unit)
        if low > high:
            raise _fail(f"bad range for '{name}': {low:g}{unit} is above {high:g}{unit}", value)
        return (low, high)
    want = {"": "a number or a range like 15..50", "%": "a percentage range like 60%..70%", "x": "a range like 1x..5x"}
    raise _fail(f"'{name}' takes {want[unit]}", value)


class Span(Spec):
    """A number or a `low..high` range, with an optional unit (`%` or `x`)."""

    def __init__(self, unit: str = "", integer: bool = False) -> None:
        self.unit, self.integer = unit, integer

    def read(self, prop, refs):
        return read_span(_only(prop), prop.name.text, self.unit, self.integer)


class Size(Spec):
    """A resolution `1024x1024`, or a range of them `512x512..1024x1024`."""

    def read(self, prop, refs):
        value = _only(prop)
        if isinstance(value, ast.Resolution):
            return ((value.width, value.height), (value.width, value.height))
        if isinstance(value, ast.Range) and isinstance(value.low, ast.Resolution) and isinstance(value.high, ast.Resolution):
            low, high = (value.low.width, value.low.height), (value.high.width, value.high.height)
            if low[0] * low[1] > high[0] * high[1]:
                raise _fail(f"bad range for '{prop.name.text}': the first resolution is the larger", value)
            return (low, high)
        raise _fail(f"'{prop.name.text}' takes a resolution like 1024x1024 or 512x512..1024x1024", value)


class Keyed(Spec):
    """`steps character 1500..4000`: a name and a range, one line per name."""

    repeats = True

    def __init__(self, ref: str = "", unit: str = "", integer: bool = False) -> None:
        self.ref, self.unit, self.integer = ref, unit, integer

    def read(self, prop, refs):
        out = {}
        for group in prop.groups:
            if len(group) != 2 or not isinstance(group[0], ast.Name):
                raise _fail(f"'{prop.name.text}' takes a name and a range, like 'character 1500..4000'", prop)
            if self.ref:
                refs.add(self.ref, group[0])
            out[group[0].text] = read_span(group[1], prop.name.text, self.unit, self.integer)
        return out

    def merge(self, old, new):
        return {**(old or {}), **new}


class Fits(Spec):
    """`fit sdxl { rank 16, batch 1 }`: what a GPU trains of one model, one line a model."""

    repeats = True
    _KEYS = ("rank", "batch")

    def read(self, prop, refs):
        if prop.table is None or len(prop.groups) != 1 or len(prop.groups[0]) != 1 or not isinstance(prop.groups[0][0], ast.Name):
            raise _fail(f"'{prop.name.text}' takes a model and a table, like 'sdxl {{ rank 16, batch 1 }}'", prop)
        model = prop.groups[0][0]
        refs.add("model", model)
        fit = {}
        for pair in prop.table:
            if pair.key.text not in self._KEYS:
                hint = did_you_mean(pair.key.text, self._KEYS)
                raise _fail(f"unknown key '{pair.key.text}' (keys: {', '.join(self._KEYS)}){hint}", pair.key)
            if len(pair.values) != 1:
                raise _fail(f"'{pair.key.text}' takes one number or range", pair)
            fit[pair.key.text] = read_span(pair.values[0], pair.key.text, "", integer=True)
        missing = [key for key in self._KEYS if key not in fit]
        if missing:
            raise _fail(f"'{prop.name.text} {model.text}' needs {' and '.join(missing)}", prop)
        return {model.text: fit}

    def merge(self, old, new):
        return {**(old or {}), **new}


@dataclass(frozen=True)
class Shares:
    """A distribution: row name -> (low, high), in percent or in image counts."""

    rows: dict
    percent: bool

    def as_percent(self) -> dict[str, tuple[float, float]]:
        """The rows as shares of the whole; counts become the widest shares they allow."""
        if self.percent:
            return dict(self.rows)
        low_total = sum(low for low, _ in self.rows.values()) or 1
        high_total = sum(high for _, high in self.rows.values()) or 1
        return {name: (low * 100 / high_total, min(100.0, high * 100 / low_total)) for name, (low, high) in self.rows.items()}


class Table(Spec):
    """`distribution background { simple 60%..70%, contextual 30%..40% }`."""

    repeats = True

    def __init__(self, key_ref: str = "", row_ref: str = "") -> None:
        self.key_ref, self.row_ref = key_ref, row_ref

    def read(self, prop, refs):
        if prop.table is None or len(prop.groups) != 1 or not isinstance(prop.groups[0][0], ast.Name):
            raise _fail(f"'{prop.name.text}' takes a name and a table, like 'background {{ simple 60%..70% }}'", prop)
        key = prop.groups[0][0]
        if self.key_ref:
            refs.add(self.key_ref, key)
        rows, units = _rows(prop, refs, self.row_ref)
        if len(units) > 1:
            raise _fail(f"rows of '{prop.name.text}' mix percentages and counts", prop)
        return {key.text: Shares(rows, units == {"%"})}

    def merge(self, old, new):
        return {**(old or {}), **new}


class Rows(Spec):
    """`minimum { expression 25%, lighting 15% }`: a range per named row."""

    def __init__(self, key_ref: str = "") -> None:
        self.key_ref = key_ref

    def read(self, prop, refs):
        if prop.table is None or prop.groups:
            raise _fail(f"'{prop.name.text}' takes a table like '{{ name 20%, other 10% }}'", prop)
        return _rows(prop, refs, self.key_ref)[0]


def _rows(prop: ast.Property, refs: References, ref: str) -> tuple[dict, set[str]]:
    """A table's rows (name -> (low, high)) and the units they use."""
    rows, units = {}, set()
    for pair in prop.table:
        if len(pair.values) != 1:
            raise _fail(f"a row of '{prop.name.text}' takes one value or range", pair)
        value = pair.values[0]
        unit = value.unit if isinstance(value, ast.Number) else getattr(value.low, "unit", "")
        units.add(unit)
        if ref:
            refs.add(ref, pair.key)
        rows[pair.key.text] = read_span(value, pair.key.text, unit)
    return rows, units


class Groups(Spec):
    """`parts { clothing clothing accessory, gaze eye_direction }`: a name per
    row and the category selectors it gathers, in order."""

    def read(self, prop, refs):
        if prop.table is None or prop.groups:
            raise _fail(f"'{prop.name.text}' takes a table like '{{ part category other_category }}'", prop)
        groups = {}
        for pair in prop.table:
            if not all(isinstance(v, ast.Name) for v in pair.values):
                raise _fail(f"a row of '{prop.name.text}' takes category names", pair)
            for value in pair.values:
                refs.add("category", value)
            groups[pair.key.text] = tuple(v.text for v in pair.values)
        return groups


class Messages(Spec):
    """`messages { bom "...", empty "..." }`: a text per named case."""

    template = True

    def __init__(self, cases: tuple[str, ...]) -> None:
        self.cases = cases

    def read(self, prop, refs):
        if prop.table is None or prop.groups:
            raise _fail(f"'{prop.name.text}' takes a table like '{{ case \"message\" }}'", prop)
        out = {}
        for pair in prop.table:
            if pair.key.text not in self.cases:
                hint = did_you_mean(pair.key.text, self.cases)
                raise _fail(f"unknown case '{pair.key.text}' (cases: {', '.join(self.cases)}){hint}", pair.key)
            if len(pair.values) != 1 or not isinstance(pair.values[0], ast.Text):
                raise _fail(f"case '{pair.key.text}' takes a quoted message", pair)
            out[pair.key.text] = pair.values[0].text
        return out


def Selectors() -> Words:
    """Category selectors: `identity`, `identity.hair.*`, `*.color`."""
    return Words(ref="category")


class Fields(Spec):
    """`expression, angle shot, lighting`: fields, each one selector or several
    that may stand in for one another (`angle shot`: an angle or a framing)."""

    def read(self, prop, refs):
        fields = []
        for group in prop.groups:
            if not group or not all(isinstance(v, ast.Name) for v in group):
                raise _fail(f"'{prop.name.text}' takes category names, separated by commas", group[0] if group else prop)
            for name in group:
                refs.add("category", name)
            fields.append(tuple(name.text for name in group))
        return tuple(fields)


def required(spec: Spec) -> Spec:
    """Mark a rule-kind parameter that every rule of the kind must set."""
    spec.required = True
    return spec


@dataclass(frozen=True)
class Slot:
    """One slot of a prompt recipe: what a prompt draws from which pool.

    `split` names a distribution table of the LoRA type: each prompt is given
    a row of it in the target proportions and draws a choice of that row.
    `share` is the percentage of prompts that get the slot at all; `unique`
    forbids a choice twice in one set; `caption no` keeps the slot out of the
    paired caption; `compose` names the pool that fills `{name}` in a choice;
    `video yes` keeps the slot for video models, `video no` for image models.
    """

    name: str
    pool: str
    split: str | None = None
    share: float = 100.0
    unique: bool = False
    caption: bool = True
    compose: tuple[str, ...] = ()
    video: bool | None = None


class Slots(Spec):
    """`slot clothing pool clothing compose color unique yes`: one slot a line."""

    repeats = True
    keyed = True  # `override prompts` replaces the slots it names, keeps the rest
    _KEYS = ("pool", "split", "share", "unique", "caption", "compose", "video")

    def read(self, prop, refs):
        out = {}
        for group in prop.groups:
            if len(group) < 3 or len(group) % 2 == 0 or not all(isinstance(v, ast.Name) for v in (group[0], *group[1::2])):
                raise _fail("'slot' takes a name, then pairs like 'pool expression share 60%'", group[0] if group else prop)
            name, values = group[0].text, {}
            for key, value in zip(group[1::2], group[2::2]):
                if key.text not in self._KEYS:
                    raise _fail(f"unknown slot setting '{key.text}' (settings: {', '.join(self._KEYS)}){did_you_mean(key.text, self._KEYS)}", key)
                values[key.text] = self._value(key.text, value)
                if key.text in ("pool", "compose"):
                    refs.add("pool", value)
            if "pool" not in values:
                raise _fail(f"slot '{name}' needs a 'pool'", group[0])
            compose = values.pop("compose", None)
            out[name] = Slot(name, **values, compose=(compose,) if compose else ())
        return out

    @staticmethod
    def _value(key: str, value: ast.Value):
        if key == "share":
            if not isinstance(value, ast.Number):
                raise _fail("'share' takes a percentage like 60%", value)
            return _check_number(value, "share", False, 0, "%")
        if not isinstance(value, ast.Name):
            raise _fail(f"'{key}' takes a name", value)
        if key in ("unique", "caption", "video"):
            if value.text not in ("yes", "no"):
                raise _fail(f"'{key}' takes yes or no", value)
            return value.text == "yes"
        return value.text

    def merge(self, old, new):
        return {**(old or {}), **new}
