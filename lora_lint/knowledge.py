"""Compiled packs: models, LoRA types, term categories, rules and the lexicon.

`compile_packs` gives declarations their meaning and runs the semantic pass:
duplicate names, unknown rule kinds, properties, categories, LoRA types and
models, bad ranges, unknown message placeholders. Every error is a
`PackError` at the offending text, with the nearest name when one is close.
"""
from __future__ import annotations

import fnmatch
import string
from dataclasses import dataclass, field
from typing import Any

from . import schema as s
from .errors import PackError, did_you_mean
from .i18n import LANGS, LOCALIZED, localized
from .language import ast
from .lexicon import Lexicon, Sense, compile_pattern
from .templates import placeholders
from .tokens import phrase_key

MODEL_SCHEMA: dict[str, s.Spec] = {
    "title": s.Text(),
    "architecture": s.Text(),
    "caption_style": s.Words(s.CAPTION_STYLES),
    "resolution": s.Size(),
    "token_limit": s.Number(integer=True),
    "frameworks": s.Texts(),
    "learning_rate": s.Span(),
    "steps": s.Keyed(ref="lora", integer=True),
    "rank": s.Span(integer=True),
    "batch": s.Span(integer=True),
    "quality_tags": s.Texts(),
    "negative_prompt": s.Text(),
    "negatives": s.Flag(),
    "video": s.Flag(),
    "frames": s.Span(integer=True),
    "fps": s.Span(),
    "based_on": s.Words(ref="model", one=True),
    "weights": s.Text(),  # where trainers find the base model: a Hugging Face repository  # training ranges and VRAM fits it lacks come from this model
}
LORA_SCHEMA: dict[str, s.Spec] = {
    "title": s.Text(),
    "learns": s.Text(),
    "captioning": s.Text(),
    "images": s.Span(integer=True),
    "recommended": s.Span(integer=True),
    "regularization": s.Span(unit="x"),
    "require": s.Fields(),
    "forbid": s.Selectors(),
    "distribution": s.Table(key_ref="category", row_ref="category"),
    "clips": s.Span(integer=True),
    "clip_seconds": s.Span(),
    "steps_like": s.Words(ref="lora", one=True),  # the type whose training steps it takes where a model gives none
    "classes": s.Words(),  # kohya class words that suggest this type (`lora-lint init` reads folder names)
}
RULE_SCHEMA: dict[str, s.Spec] = {
    "kind": s.Words(one=True),
    "severity": s.Words(s.SEVERITIES, one=True),
    "message": s.Text(),
    "summary": s.Text(),
    "why": s.Text(),
    "bad": s.Texts(),
    "good": s.Texts(),
    "fix": s.Words(one=True),
}
PROMPTS_SCHEMA: dict[str, s.Spec] = {
    "title": s.Text(),
    "inputs": s.Words(),  # what the anchor is made of, in the order people give it
    "ask": s.Words(),  # inputs without which (and without a ready anchor) there is none
    "anchor": s.Template(),  # the fixed description: pieces split by "|", kept when their inputs are given
    "reference": s.Template(),  # the reduced anchor when a reference image (IPAdapter) carries the look
    "subject": s.Template(),  # how the paired caption names the subject: "{trigger} {class}"
    "slot": s.Slots(),
    "sentence": s.Template(),  # a natural-language prompt: pieces split by "|", kept when their slots are filled
    "regularization": s.Template(),  # the class prompt of regularization images
    "seeds": s.Words(one=True),  # the split slot whose rows each get one fixed seed
    "features": s.Words(one=True),  # the input that is the target's fixed features (.lora-lint.yaml `features:`)
    "video": s.Flag(),  # the set is of clips: only a video model can train it
}
# The training knowledge `lora-lint plan` and `doctor` apply.
TRAINING_SCHEMA: dict[str, s.Spec] = {
    "scheduler": s.Text(),
    "warmup": s.Span(unit="%"),  # of the steps
    "alpha": s.Span(unit="%"),  # of the rank
    "epochs": s.Span(integer=True),  # the epochs a plan may spread its steps over
    "precision": s.Words(("bf16", "fp16"), one=True),
    "optimizer": s.Text(),
    "concept_rank": s.Span(integer=True),  # the rank a multi-concept LoRA needs
    "concept_images": s.Span(integer=True),  # images per concept
}
GPU_SCHEMA: dict[str, s.Spec] = {
    "title": s.Text(),
    "aliases": s.Texts(),
    "vram": s.Span(),  # GB
    "fit": s.Fits(),  # model -> the rank and batch that fit
    "unfit": s.Words(ref="model"),  # "not recommended" on this card
    "full": s.Words(ref="model"),  # a full fine-tune fits
    "advice": s.Text(),
}
TECHNIQUE_USES = ("always", "tight", "unfit")
TECHNIQUE_SCHEMA: dict[str, s.Spec] = {
    "title": s.Text(),
    "saves": s.Text(),
    "cost": s.Text(),
    "use": s.Words(TECHNIQUE_USES, one=True),  # always; when the card is at its limit; when the model is not recommended on it
}
VARIANT_CHOICES = ("default", "low_vram", "lowest_vram", "quality", "preserve")
VARIANT_SCHEMA: dict[str, s.Spec] = {
    "title": s.Text(),
    "parameters": s.Text(),
    "quality": s.Text(),
    "vram": s.Words(("lowest", "low", "medium", "medium_high"), one=True),
    "suits": s.Text(),
    "choose": s.Words(VARIANT_CHOICES),  # which of the choice advice's cases picks it
    "reason": s.Text(),
}
PLAN_SETTINGS = (
    "learning_rate", "scheduler", "warmup_steps", "steps", "epochs", "repeats", "batch", "accumulation", "rank", "alpha",
    "resolution", "precision", "optimizer", "gradient_checkpointing", "attention", "variant", "frames", "fps",
)
SYMPTOM_SCHEMA: dict[str, s.Spec] = {
    "title": s.Text(),
    "aliases": s.Texts(),
    "causes": s.Texts(),
    "fixes": s.Texts(),
    "checks": s.Words(ref="rule"),  # rules that look for the causes on the dataset
    "shows": s.Words(PLAN_SETTINGS),  # plan settings that bear on it
}
BLOCK_SCHEMAS = {
    "model": MODEL_SCHEMA, "lora": LORA_SCHEMA, "prompts": PROMPTS_SCHEMA, "training": TRAINING_SCHEMA,
    "gpu": GPU_SCHEMA, "technique": TECHNIQUE_SCHEMA, "variant": VARIANT_SCHEMA, "symptom": SYMPTOM_SCHEMA,
}
# Attributes a pool's choice may carry, and whether each takes a quoted text.
POOL_ATTRIBUTES = {"zh-TW": True, "zh-CN": True, "prose": True, "hint": True, "row": False, "tone": False}
LANGUAGES = ("en", "zh-TW", "zh-CN")

CONDITION_KEYS: dict[str, tuple[str, ...] | str] = {
    "lora": "lora",
    "model": "model",
    "hairstyles": ("single", "multiple"),
    "subset": ("train", "reg"),
    "caption_style": s.CAPTION_STYLES,
}
COMMON_PLACEHOLDERS = ("rule", "trigger", "class", "lora", "model")


def context_of(settings, knowledge: "Knowledge", subset: str | None = "train", trigger: str | None = None, klass: str | None = None, root=None, images=None, paths=None, lang: str | None = None) -> dict[str, Any]:
    """What rules are resolved against: every condition key, and what messages,
    fixes and kinds use (trigger, class, features, the dataset root). Settings
    win over a kohya folder's name."""
    model = knowledge.models.get(settings.model or "")
    context = {
        "lora": settings.lora,
        "model": settings.model,
        "hairstyles": settings.hairstyles,
        "subset": subset,
        "caption_style": tuple(model.get("caption_style", ())) if model else None,
        "trigger": settings.trigger or trigger,
        "class": settings.klass or klass,
        "features": tuple(settings.features),
        "caption_extension": settings.caption_extension,
        "fps": settings.fps,
        "root": root,
        "images": images,  # the run's ImageStore, for image rules
        "paths": paths,  # the run's PathTable (display paths by item ordinal), when dataset rules judge
        "lang": lang,  # the language of messages (None: English)
    }
    assert set(CONDITION_KEYS) <= set(context), "every condition key needs a value in the context"
    return context

Test = tuple[str, frozenset, bool]  # key, values, negated
Condition = tuple[Test, ...]


def holds(condition: Condition | None, context: dict[str, Any]) -> bool:
    """Whether every test of a condition holds for a context.

    A context value may be a tuple (a model with several caption styles):
    the test holds when any of them is among the test's values. A dataset
    rule is judged with no subset: its `subset` tests chose which items it
    folded, and hold for the dataset as a whole.
    """
    if condition is None:
        return True
    for key, values, negated in condition:
        value = context.get(key)
        if value is None and key == "subset":  # a dataset as a whole: subset tests choose items
            continue
        found = bool(values.intersection(value)) if isinstance(value, tuple) else value in values
        if found == negated:
            return False
    return True


@dataclass
class Declared:
    """A model or LoRA type: its name and checked properties."""

    name: str
    props: dict[str, Any]
    path: str
    line: int

    def get(self, key: str, default: Any = None) -> Any:
        return self.props.get(key, default)


@dataclass
class Category:
    """A terms list or vocabulary: (canonical, variants) entries.

    While packs compile, entries are AST terms (with locations, for errors);
    the compiled knowledge keeps only their texts, which load faster.
    """

    name: str
    block: str
    entries: list[tuple]
    path: str
    line: int


@dataclass
class Rule:
    """A rule as declared: kind, applicability and (possibly conditional) properties."""

    name: str
    kind: str
    pack: str
    path: str
    line: int
    when: tuple[Condition, ...]
    props: dict[str, list[tuple[Condition | None, Any]]] = field(default_factory=dict)

    def applies(self, context: dict[str, Any]) -> bool:
        """True when any `when` line holds (or there is none)."""
        return not self.when or any(holds(c, context) for c in self.when)

    def value(self, name: str, context: dict[str, Any], default: Any = None) -> Any:
        """The property's value in this context: the last line whose condition holds."""
        chosen = default
        for condition, value in self.props.get(name, ()):
            if holds(condition, context):
                chosen = value
        return chosen

    def doc(self, name: str, default: Any = None, lang: str | None = None) -> Any:
        """An unconditional property (documentation, examples), in `lang` when the packs translate it."""
        translated = localized(name, lang)
        if translated != name and translated in self.props:
            return self.doc(translated, default)
        return self.value(name, {}, default) if all(c is None for c, _ in self.props.get(name, ())) else default


@dataclass(frozen=True)
class Choice:
    """One choice of a pool: the English text and its attributes (translations,
    prose form, the distribution row it belongs to, a pose hint, a tone)."""

    text: str
    attributes: dict[str, str]

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attributes.get(key, default)


@dataclass
class Pool:
    """What a prompt generator draws from for one slot."""

    name: str
    choices: list[Choice]
    path: str
    line: int


@dataclass
class Knowledge:
    """Everything the packs declare, compiled for lookup."""

    models: dict[str, Declared] = field(default_factory=dict)
    loras: dict[str, Declared] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    lexicon: Lexicon = field(default_factory=Lexicon)
    prompts: dict[str, Declared] = field(default_factory=dict)  # LoRA type -> its prompt recipe
    pools: dict[str, Pool] = field(default_factory=dict)
    training: dict[str, Declared] = field(default_factory=dict)  # "defaults" -> the plan's defaults
    gpus: dict[str, Declared] = field(default_factory=dict)
    techniques: dict[str, Declared] = field(default_factory=dict)
    variants: dict[str, Declared] = field(default_factory=dict)
    symptoms: dict[str, Declared] = field(default_factory=dict)
    digest: str = ""  # of the packs (by path and bytes) and code it was compiled from (set by `load_knowledge`)
    content: str = ""  # of what it says alone: the version, the grammar and the packs' texts (same on every machine)

    def select(self, selectors: tuple[str, ...]) -> frozenset[str]:
        """Category names that any selector names (a name covers its sub-categories)."""
        return frozenset(c for c in self.categories if any(_selects(sel, c) for sel in selectors))

    def sense_ids(self, categories: frozenset[str]) -> frozenset[int]:
        """Lexicon sense ids that belong to these categories."""
        return frozenset(i for i, sense in enumerate(self.lexicon.senses) if sense.category in categories)


def _selects(selector: str, category: str) -> bool:
    selector = selector.removesuffix(".*")
    if "*" in selector:
        parts = selector.split(".")
        return fnmatch.fnmatchcase(".".join(category.split(".")[: len(parts)]), selector)
    return category == selector or category.startswith(selector + ".")


class _Compiler:
    def __init__(self, kinds: dict[str, Any]) -> None:
        self.kinds = kinds
        self.k = Knowledge()
        self.refs = s.References()
        self.sources: dict[str, str] = {}
        self.declared_at: dict[tuple[str, str], ast.Location] = {}

    def run(self, packs: list[ast.Pack]) -> Knowledge:
        try:
            for pack in packs:
                self.sources[pack.path] = pack.source
                for decl in pack.declarations:
                    self.declaration(decl, pack.name)
            self.check_references()
            self.check_rules()
            self.check_recipes()
            self.build_lexicon()
        except PackError as error:
            if error.source is None:
                error.source = self.sources.get(error.path)
            raise
        return self.k

    # --- declarations
    def declaration(self, decl: ast.Declaration, pack: str) -> None:
        # terms lists and vocabularies share one namespace: categories
        block = "category" if decl.block in ("terms", "vocabulary") else decl.block
        name, key = decl.name.text, (block, decl.name.text)
        table = self.table_for(decl.block)
        if decl.change:
            if name not in table:
                hint = did_you_mean(name, table)
                raise PackError.at(f"{decl.change} of unknown {decl.block} '{name}'{hint}", decl.name.loc)
        elif key in self.declared_at:
            first = self.declared_at[key]
            change = "extend" if block == "category" else "override"
            raise PackError.at(
                f"duplicate {block} '{name}', first declared at {first.path}:{first.line} "
                f"(write '{change} {decl.block} {name}' to change it)",
                decl.name.loc,
            )
        else:
            self.declared_at[key] = decl.name.loc
        if decl.block in ("terms", "vocabulary"):
            self.category(decl)
        elif decl.block == "pool":
            self.pool(decl)
        elif decl.block == "rule":
            self.rule(decl, pack)
        else:
            self.properties(decl)

    def table_for(self, block: str) -> dict:
        tables = {
            "model": self.k.models, "lora": self.k.loras, "rule": self.k.rules, "prompts": self.k.prompts, "pool": self.k.pools,
            "training": self.k.training, "gpu": self.k.gpus, "technique": self.k.techniques, "variant": self.k.variants,
            "symptom": self.k.symptoms,
        }
        return tables.get(block, self.k.categories)

    def category(self, decl: ast.Declaration) -> None:
        if "*" in decl.name.text:
            raise PackError.at("a category name cannot contain '*'", decl.name.loc)
        entries = [(e.canonical, e.variants) for e in decl.entries]
        if decl.change:
            existing = self.k.categories[decl.name.text]
        else:
            existing = Category(decl.name.text, decl.block, [], decl.loc.path, decl.loc.line)
            self.k.categories[decl.name.text] = existing
        seen = {self.term_id(t) for c, v in existing.entries for t in (c, *v)}
        for canonical, variants in entries:
            for term in (canonical, *variants):
                if not term.is_pattern and not phrase_key(term.text):
                    raise PackError.at(f"term '{term.text}' has no letters or digits to match", term.loc)
                if self.term_id(term) in seen:
                    raise PackError.at(f"term '{term.text}' is already in {decl.block} '{decl.name.text}'", term.loc)
                seen.add(self.term_id(term))
                if term.is_pattern and not any(ch.isalnum() for ch in term.text):
                    raise PackError.at(f"pattern '{term.text}' needs at least one letter or digit", term.loc)
                if term.is_pattern:
                    try:
                        compile_pattern(term.text)
                    except ValueError as error:
                        raise PackError.at(f"pattern '{term.text}': {error}", term.loc) from None
            existing.entries.append((canonical, variants))
            if existing.block == "terms" and variants:
                raise PackError.at("a terms list has no variants: declare a vocabulary for 'canonical = variant'", variants[0].loc)

    def pool(self, decl: ast.Declaration) -> None:
        """A pool's choices; `override` replaces them, `extend` adds to them."""
        pool = self.k.pools.get(decl.name.text)
        if pool is None or decl.change == "override":
            pool = Pool(decl.name.text, [], decl.loc.path, decl.loc.line)
            self.k.pools[decl.name.text] = pool
        seen = {choice.text.lower() for choice in pool.choices}
        for choice in decl.choices:
            if choice.text.text.lower() in seen:
                raise PackError.at(f"'{choice.text.text}' is already in pool '{decl.name.text}'", choice.text.loc)
            seen.add(choice.text.text.lower())
            attributes = {}
            for pair in choice.attributes:
                key, value = pair.key.text, pair.values[0]
                if key not in POOL_ATTRIBUTES:
                    hint = did_you_mean(key, POOL_ATTRIBUTES)
                    raise PackError.at(f"unknown attribute '{key}' (attributes: {', '.join(POOL_ATTRIBUTES)}){hint}", pair.key.loc)
                if key in attributes:
                    raise PackError.at(f"'{key}' is set twice", pair.key.loc)
                wants_text = POOL_ATTRIBUTES[key]
                if wants_text != isinstance(value, ast.Text) or not isinstance(value, (ast.Text, ast.Name)):
                    raise PackError.at(f"'{key}' takes {'a quoted text' if wants_text else 'a name'}", value.loc)
                if key == "row":
                    self.refs.add("category", value)
                attributes[key] = value.text
            pool.choices.append(Choice(choice.text.text, attributes))
        if not pool.choices:
            raise PackError.at(f"pool '{decl.name.text}' has no choices", decl.name.loc)

    @staticmethod
    def term_id(term: ast.Term) -> str:
        return ("pattern:" + term.text) if term.is_pattern else phrase_key(term.text)

    def properties(self, decl: ast.Declaration) -> None:
        """A block of plain properties (all but rules): checked against its schema."""
        schema = BLOCK_SCHEMAS[decl.block]
        if decl.block == "prompts" and not decl.change:
            self.refs.add("lora", decl.name)
        if decl.when:
            raise PackError.at(f"'when' applies to rules, not to a {decl.block}", decl.when[0].loc)
        table = self.table_for(decl.block)
        target = table.get(decl.name.text) or Declared(decl.name.text, {}, decl.loc.path, decl.loc.line)
        table[decl.name.text] = target
        seen: set[str] = set()
        for prop in decl.properties:
            name, spec = prop.name.text, self.spec(schema, prop, decl.block)
            if prop.condition is not None:
                raise PackError.at(f"a {decl.block} property cannot be conditional", prop.condition.loc)
            again = name in seen
            if again and not spec.repeats:
                raise PackError.at(f"'{name}' is set twice", prop.name.loc)
            seen.add(name)
            value = spec.read(prop, self.refs)
            keep = again or getattr(spec, "keyed", False)  # an override of one slot keeps the others
            target.props[name] = spec.merge(target.props.get(name) if keep else None, value)

    def spec(self, schema: dict[str, s.Spec], prop: ast.Property, what: str) -> s.Spec:
        name = prop.name.text
        base, _, lang = name.rpartition(".")
        if name not in schema and base in schema and base in LOCALIZED:  # message.zh-TW: a translation
            if lang not in LANGS or lang == "en":
                known = ", ".join(LANGS[1:])
                raise PackError.at(f"unknown language '{lang}' (translations: {known}; English is the property itself)", prop.name.loc)
            return schema[base]
        if name not in schema:
            hint = did_you_mean(name, schema)
            raise PackError.at(f"unknown property '{name}' for a {what}{hint}", prop.name.loc)
        return schema[name]

    def rule(self, decl: ast.Declaration, pack: str) -> None:
        if decl.change:
            rule = self.k.rules[decl.name.text]
        else:
            kind_props = [p for p in decl.properties if p.name.text == "kind"]
            if not kind_props:
                raise PackError.at(f"rule '{decl.name.text}' has no 'kind'", decl.name.loc)
            kind = kind_props[0].groups[0][0] if kind_props[0].groups else kind_props[0].name
            if not isinstance(kind, ast.Name) or kind.text not in self.kinds:
                hint = did_you_mean(getattr(kind, "text", ""), self.kinds)
                raise PackError.at(f"unknown rule kind '{getattr(kind, 'text', kind)}'{hint}", kind.loc)
            rule = Rule(decl.name.text, kind.text, pack, decl.loc.path, decl.loc.line, ())
            self.k.rules[rule.name] = rule
        if decl.when:
            rule.when = tuple(self.condition(c) for c in decl.when)
        schema = {**RULE_SCHEMA, **self.kinds[rule.kind].PARAMS}
        replaced: set[str] = set()
        plain: set[str] = set()  # properties set without a condition in this block
        for prop in decl.properties:
            name = prop.name.text
            if decl.change and name == "kind":
                raise PackError.at("an override cannot change a rule's kind", prop.name.loc)
            spec = self.spec(schema, prop, f"rule of kind '{rule.kind}'")
            if prop.condition is None:
                if name in plain and not spec.repeats:
                    raise PackError.at(f"'{name}' is set twice (add 'when ...' to one of them)", prop.name.loc)
                plain.add(name)
            if decl.change and name not in replaced:  # an override replaces the whole property
                rule.props[name] = []
                replaced.add(name)
            value = spec.read(prop, self.refs)
            condition = self.condition(prop.condition) if prop.condition else None
            rule.props.setdefault(name, []).append((condition, value))
        if decl.change:  # new English texts: the old translations of them no longer say the same
            for base in replaced & LOCALIZED:
                for lang in LANGS[1:]:
                    if f"{base}.{lang}" not in replaced:
                        rule.props.pop(f"{base}.{lang}", None)
        rule.props.pop("kind", None)
        self.placeholders(rule, decl)
        self.fix_name(rule, decl)

    def condition(self, condition: ast.Condition) -> Condition:
        tests = []
        for test in condition.tests:
            key = test.key.text
            if key not in CONDITION_KEYS:
                hint = did_you_mean(key, CONDITION_KEYS)
                raise PackError.at(f"unknown condition '{key}' (conditions: {', '.join(CONDITION_KEYS)}){hint}", test.key.loc)
            allowed = CONDITION_KEYS[key]
            values = []
            for value in test.values:
                if not isinstance(value, ast.Name):
                    raise PackError.at(f"condition '{key}' takes names", value.loc)
                if isinstance(allowed, str):
                    self.refs.add(allowed, value)
                elif value.text not in allowed:
                    hint = did_you_mean(value.text, allowed)
                    raise PackError.at(f"'{key}' is one of {', '.join(allowed)}, not '{value.text}'{hint}", value.loc)
                values.append(value.text)
            tests.append((key, frozenset(values), test.negated))
        return tuple(tests)

    def placeholders(self, rule: Rule, decl: ast.Declaration) -> None:
        allowed = set(COMMON_PLACEHOLDERS) | set(self.kinds[rule.kind].PLACEHOLDERS)
        for name, spec in self.kinds[rule.kind].PARAMS.items():  # a table's rows name placeholders too
            if isinstance(spec, s.Groups):
                allowed |= {row for _, rows in rule.props.get(name, ()) for row in rows}
        for prop in decl.properties:
            base, _, lang = prop.name.text.rpartition(".")
            name = base if lang in LANGS else prop.name.text  # a translation is checked as its English
            spec = self.kinds[rule.kind].PARAMS.get(name)
            if name != "message" and not getattr(spec, "template", False):
                continue
            texts = [v for g in prop.groups for v in g if isinstance(v, ast.Text)]
            texts += [v for p in (prop.table or ()) for v in p.values if isinstance(v, ast.Text)]
            for text in texts:
                try:
                    fields = [f for _, f, _, _ in string.Formatter().parse(text.text) if f is not None]
                except ValueError as error:
                    raise PackError.at(f"bad message: {error} (write '{{{{' for a literal brace)", text.loc) from None
                for name in fields:
                    if name not in allowed:
                        hint = did_you_mean(name, allowed)
                        raise PackError.at(f"unknown placeholder '{{{name}}}' (known: {', '.join(sorted(allowed))}){hint}", text.loc)

    def fix_name(self, rule: Rule, decl: ast.Declaration) -> None:
        fixes = self.kinds[rule.kind].FIXES
        for prop in decl.properties:
            if prop.name.text == "fix":
                name = prop.groups[0][0]
                if name.text != "none" and name.text not in fixes:
                    hint = did_you_mean(name.text, [*fixes, "none"])
                    offered = ", ".join([*fixes, "none"])
                    raise PackError.at(f"kind '{rule.kind}' offers no fix '{name.text}' (fixes: {offered}){hint}", name.loc)

    # --- after all packs
    def check_references(self) -> None:
        names = {"category": self.k.categories, "lora": self.k.loras, "model": self.k.models, "pool": self.k.pools, "rule": self.k.rules}
        for what, name in self.refs.items:
            known = names[what]
            if what == "category":
                if self.k.select((name.text,)):
                    continue
            elif name.text in known:
                continue
            label = {"category": "category", "lora": "LoRA type", "model": "model", "pool": "pool", "rule": "rule"}[what]
            if what == "category":  # a selector may name any level: identity, identity.hair
                known = {".".join(c.split(".")[:i]) for c in known for i in range(1, c.count(".") + 2)}
            hint = did_you_mean(name.text, known)
            raise PackError.at(f"unknown {label} '{name.text}'{hint}", name.loc)

    def check_rules(self) -> None:
        for rule in self.k.rules.values():
            kind = self.kinds[rule.kind]
            for param, spec in kind.PARAMS.items():
                if getattr(spec, "required", False) and param not in rule.props:
                    raise PackError(f"rule '{rule.name}' needs '{param}'", rule.path, rule.line, 1)
            if rule.props.get("message"):
                continue
            given = {case for _, table in rule.props.get("messages", ()) for case in table}
            missing = [case for case in getattr(kind, "CASES", ("",)) if case not in given]
            if missing:
                cases = f" (or messages for {', '.join(missing)})" if missing != [""] else ""
                raise PackError(f"rule '{rule.name}' needs a 'message'{cases}", rule.path, rule.line, 1)

    def check_recipes(self) -> None:
        """Each prompt recipe's templates name what exists, and each split slot's
        pool has choices for every row of the LoRA type's distribution table."""
        for name, recipe in self.k.prompts.items():
            where = (recipe.path, recipe.line)
            slots = recipe.get("slot", {})
            inputs = set(recipe.get("inputs", ()))
            allowed = {
                "anchor": {*inputs, "class"}, "reference": {*inputs, "class"}, "subject": {"trigger", "class"},
                "sentence": {*slots, "subject", "anchor"}, "regularization": {"class", "a"},
            }
            for prop, known in allowed.items():
                for field_name in placeholders(recipe.get(prop, "")):
                    if field_name not in known:
                        hint = did_you_mean(field_name, known)
                        raise PackError(f"prompts '{name}': unknown placeholder '{{{field_name}}}' in '{prop}'{hint}", *where, 1)
            for input_name in (*recipe.get("ask", ()), *filter(None, [recipe.get("features")])):
                if input_name not in inputs:
                    raise PackError(f"prompts '{name}': '{input_name}' is not one of its inputs ({', '.join(sorted(inputs))})", *where, 1)
            seeds = recipe.get("seeds")
            if seeds and (seeds not in slots or not slots[seeds].split):
                raise PackError(f"prompts '{name}': 'seeds {seeds}' names no split slot", *where, 1)
            for slot in slots.values():
                if slot.split:
                    self.check_split(name, slot, where)

    def check_split(self, recipe: str, slot, where: tuple[str, int]) -> None:
        tables = self.k.loras[recipe].get("distribution", {}) if recipe in self.k.loras else {}
        if slot.split not in tables:
            hint = did_you_mean(slot.split, tables)
            raise PackError(f"prompts '{recipe}': slot '{slot.name}' splits by '{slot.split}', which lora {recipe} has no distribution of{hint}", *where, 1)
        rows = tables[slot.split].rows
        pool = self.k.pools[slot.pool]
        found = {choice.get("row") for choice in pool.choices}
        for choice in pool.choices:
            if choice.get("row") not in rows:
                raise PackError(f"pool '{pool.name}': '{choice.text}' needs 'row' with one of {', '.join(rows)} (slot '{slot.name}' splits by it)", pool.path, pool.line, 1)
        missing = [row for row in rows if row not in found]
        if missing:
            raise PackError(f"pool '{pool.name}' has no choice for row {', '.join(missing)} of distribution '{slot.split}'", pool.path, pool.line, 1)

    def build_lexicon(self) -> None:
        lexicon = self.k.lexicon
        for category in self.k.categories.values():
            for canonical, variants in category.entries:
                for term in (canonical, *variants):
                    sense = Sense(category.name, canonical.text, term is not canonical)
                    if term.is_pattern:
                        lexicon.add_pattern(term.text, sense)
                    else:
                        lexicon.add(phrase_key(term.text), sense)
            category.entries = [(c.text, tuple(v.text for v in variants)) for c, variants in category.entries]
        lexicon.freeze()


def compile_packs(packs: list[ast.Pack], kinds: dict[str, Any]) -> Knowledge:
    """Give parsed packs (in dependency order) their meaning; raise `PackError`."""
    return _Compiler(kinds).run(packs)
