"""Draw a prompt set from a LoRA type's recipe: rows, choices, phrasing.

Everything random comes from `random.Random` seeded with text derived from
the request's seed, so the same request always gives the same set.
"""
from __future__ import annotations

import dataclasses
import hashlib
import math
import random
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import LoraLintError, did_you_mean
from ..knowledge import LANGUAGES, Choice, Knowledge
from ..schema import Shares, Slot
from ..templates import filled_pieces, placeholders


@dataclass
class Request:
    """What to generate: LoRA type, model, size, seed and the recipe's inputs."""

    lora: str
    model: str
    count: int | None = None  # default: the middle of the LoRA type's recommended size
    seed: int = 0
    trigger: str = "ohwx"
    klass: str = ""
    inputs: dict[str, str] = field(default_factory=dict)
    anchor: str | None = None  # a ready anchor instead of the inputs
    lang: str = "en"
    phrasing: str | None = None  # tags, hybrid or natural; default: the model's first
    reference: bool = False  # IPAdapter/reference mode: the reduced anchor
    regularization: float | None = None  # class images per training image; default: the LoRA type's lowest


@dataclass
class Prompt:
    """One image to generate and the caption to save beside it."""

    number: int
    prompt: str
    caption: str
    seed: int
    rows: dict[str, str]  # split slot -> its row (a category name)
    picks: dict[str, str]  # slot -> the English choice, filled
    hint: str = ""  # a ControlNet OpenPose pose hint


@dataclass
class Target:
    """A distribution row: its target share and how many prompts were given it."""

    table: str
    row: str
    low: float
    high: float
    count: int

    def share(self, total: int) -> float:
        return self.count * 100 / total if total else 0.0


@dataclass
class PromptSet:
    """A generated set: prompts, negative prompt, regularization prompts, notes."""

    request: Request
    model: Any
    recipe: Any
    anchor: str
    phrasing: str
    resolution: tuple[int, int]
    prompts: list[Prompt]
    negative: str | None
    regularization: list[str]
    targets: list[Target]
    seeds: dict[str, int]  # row -> the fixed seed of its batch
    features: list[str]
    notes: list[str] = field(default_factory=list)


def generate(request: Request, knowledge: Knowledge, styles: dict[str, Any]) -> PromptSet:
    """A prompt set for `request`; `LoraLintError` for what cannot be asked."""
    recipe, model = _recipe(request, knowledge), _model(request, knowledge)
    lora = knowledge.loras[request.lora]
    phrasing = _phrasing(request, model, styles)
    style = styles[phrasing]
    notes: list[str] = []
    request = _checked(request, recipe, model, lora, style, knowledge, notes)
    video = bool(model.get("video"))
    slots = {s.name: s for s in recipe.get("slot", {}).values() if s.video is None or s.video == video}
    anchor = _anchor(request, recipe, notes)
    translate = _translator(knowledge, request.lang, notes)
    rows, targets = _rows(list(slots.values()), lora, request.count, request.seed)
    picks = _draw(list(slots.values()), knowledge, rows, request)
    seeds = _seeds(recipe, rows, request.seed)
    subject = recipe.get("subject", "{trigger}").format(trigger=request.trigger, **{"class": request.klass}).strip()
    quality = tuple(translate(t) for t in model.get("quality_tags", ()))
    phrase = _Phrasing(style, recipe.get("sentence", ""), request.lang, subject, anchor, quality)
    captions: set[str] = set()
    prompts = []
    for number, chosen in enumerate(picks):
        caption = _unique_caption(chosen, slots, knowledge, phrase, captions, f"{request.seed}:vary:{number}")
        row_of = {name: rows[name][number] for name in rows}
        seed_row = recipe.get("seeds")
        seed = seeds[row_of[seed_row]] if seed_row in row_of else request.seed + number
        hints = [c.get("hint") for c, _ in chosen.values() if c.get("hint")]
        english = {name: _text(choice, fills, "en", False) for name, (choice, fills) in chosen.items()}
        prompts.append(Prompt(number + 1, phrase.prompt(chosen), caption, seed, row_of, english, "; ".join(hints)))
    negative = None
    if model.get("negatives") and model.get("negative_prompt"):
        negative = ", ".join(translate(t.strip()) for t in model.get("negative_prompt").split(","))
    regularization = _regularization(request, recipe, lora, notes)
    size = model.get("resolution")
    resolution = size[1] if size else (1024, 1024)
    features_input = recipe.get("features")
    features = [f.strip() for f in request.inputs.get(features_input, "").split(",") if f.strip()] if features_input else []
    if request.reference:
        notes.append(f"reference mode: generate prompt 1 first (seed {prompts[0].seed}), then use that image as the IPAdapter reference for the rest")
    return PromptSet(request, model, recipe, anchor, phrasing, resolution, prompts, negative, regularization, targets, seeds, features, notes)


@dataclass(frozen=True)
class _Phrasing:
    """A set's prompt style with what every prompt and caption shares."""

    style: Any
    sentence: str
    lang: str
    subject: str  # of captions: the trigger (and class)
    anchor: str  # of prompts
    quality: tuple[str, ...]

    def parts(self, chosen: dict[str, tuple[Choice, dict]], slots: dict[str, Slot] | None = None) -> dict[str, str]:
        """Slot -> text; with `slots`, only those that go in the caption."""
        return {name: _text(choice, fills, self.lang, self.style.prose) for name, (choice, fills) in chosen.items()
                if slots is None or slots[name].caption}

    def prompt(self, chosen: dict[str, tuple[Choice, dict]]) -> str:
        return self.style.phrase(self.anchor, self.parts(chosen), self.sentence, self.quality)

    def caption(self, chosen: dict[str, tuple[Choice, dict]], slots: dict[str, Slot]) -> str:
        return self.style.phrase(self.subject, self.parts(chosen, slots), self.sentence, ())


def _unique_caption(chosen, slots: dict[str, Slot], knowledge: Knowledge, phrase: _Phrasing, captions: set[str], seed: str) -> str:
    """The prompt's caption, another choice drawn for one of its free slots
    while it repeats an earlier caption (two images with one caption teach
    noise). `chosen` is changed in place, so the prompt matches."""
    caption = phrase.caption(chosen, slots)
    for attempt in range(60):
        if caption not in captions or not _vary(chosen, slots, knowledge, random.Random(f"{seed}:{attempt}")):
            break
        caption = phrase.caption(chosen, slots)
    captions.add(caption)
    return caption


def _checked(request: Request, recipe, model, lora, style, knowledge: Knowledge, notes: list[str]) -> Request:
    """The request with its count settled; `LoraLintError` for what the recipe
    and model cannot do."""
    if request.count is None:
        low, high = lora.get("recommended") or lora.get("images") or (30, 30)
        request = dataclasses.replace(request, count=int((low + high) // 2))
    if request.count < 1:
        raise LoraLintError("--count must be at least 1")
    low, high = lora.get("images") or (0, 0)
    if high and not low <= request.count <= high:
        notes.append(f"{request.count} prompts: a {request.lora} LoRA wants {low}-{high} images (dataset-size will say so)")
    if "{class}" in recipe.get("subject", "") and not request.klass:
        raise LoraLintError(f"a {request.lora} caption names the class: give --class (woman, man, handbag...)")
    if request.lang not in LANGUAGES:
        raise LoraLintError(f"unknown language '{request.lang}' (languages: {', '.join(LANGUAGES)})")
    if request.lang != "en" and getattr(style, "english_only", False):
        raise LoraLintError(f"{style.name} prompts are written in English only: use --phrasing tags with --lang {request.lang}")
    if recipe.get("video") and not model.get("video"):
        videos = ", ".join(name for name, m in knowledge.models.items() if m.get("video"))
        raise LoraLintError(f"a {request.lora} LoRA trains on clips: choose a video model ({videos}), not {request.model}")
    return request


# --- what was asked ------------------------------------------------------------
def _recipe(request: Request, knowledge: Knowledge):
    if request.lora not in knowledge.prompts:
        known = sorted(knowledge.prompts)
        raise LoraLintError(f"no prompt recipe for LoRA type '{request.lora}' (types: {', '.join(known)}){did_you_mean(request.lora, known)}")
    return knowledge.prompts[request.lora]


def _model(request: Request, knowledge: Knowledge):
    if request.model not in knowledge.models:
        known = sorted(knowledge.models)
        raise LoraLintError(f"unknown model '{request.model}' (models: {', '.join(known)}){did_you_mean(request.model, known)}")
    return knowledge.models[request.model]


def _phrasing(request: Request, model, styles: dict[str, Any]) -> str:
    learned = tuple(model.get("caption_style", ("tags",)))
    chosen = request.phrasing or learned[0]
    if chosen not in styles:
        raise LoraLintError(f"unknown phrasing '{chosen}' (phrasings: {', '.join(sorted(styles))})")
    if chosen not in learned:
        raise LoraLintError(f"{model.name} learned {', '.join(learned)} prompts, not {chosen}: its captions would fail caption-style")
    return chosen


def _anchor(request: Request, recipe, notes: list[str]) -> str:
    """The fixed description: the ready anchor, or the recipe's template filled
    with the inputs given (pieces whose inputs are missing are left out)."""
    known = recipe.get("inputs", ())
    unknown = sorted(set(request.inputs) - set(known))
    if unknown:
        raise LoraLintError(f"the {request.lora} recipe takes no input '{unknown[0]}' (inputs: {', '.join(known)}){did_you_mean(unknown[0], known)}")
    if request.anchor and not request.reference:
        return request.anchor.strip()
    missing = [name for name in recipe.get("ask", ()) if not request.inputs.get(name)]
    if missing and not request.anchor:
        flags = " and ".join(f"--{name}" for name in missing)
        raise LoraLintError(f"a {request.lora} prompt set needs {flags} (or a ready --anchor \"...\")")
    template = recipe.get("reference") if request.reference and recipe.get("reference") else recipe.get("anchor", "")
    if request.reference:
        notes.append("reference mode: the anchor is reduced to what the reference image cannot carry")
    text = "".join(filled_pieces(template, {**request.inputs, "class": request.klass})).strip(" ,")
    if text in ("a", "an"):
        return ""
    if request.lang != "en":  # the template's English article has no place in a Chinese prompt
        return re.sub(r"^an? ", "", text)
    return _articles(text)


def _translator(knowledge: Knowledge, lang: str, notes: list[str]):
    """English phrase -> its translation in `lang`, from every pool's choices."""
    if lang == "en":
        return lambda text: text
    table = {c.text.lower(): c.get(lang) for pool in knowledge.pools.values() for c in pool.choices if c.get(lang)}
    untranslated: list[str] = []

    def translate(text: str) -> str:
        if text.lower() in table:
            return table[text.lower()]
        if text not in untranslated:
            untranslated.append(text)
            notes.append(f"no {lang} translation of '{text}' in the pools: kept in English")
        return text

    return translate


# --- rows ----------------------------------------------------------------------
def apportion(shares: Shares, total: int) -> dict[str, int]:
    """Counts per row summing to `total`, nearest the middle of each target
    (largest remainder), percentages or image counts alike."""
    middle = {row: (low + high) / 2 for row, (low, high) in shares.rows.items()}
    weight = sum(middle.values()) or 1
    exact = {row: total * value / weight for row, value in middle.items()}
    counts = {row: math.floor(value) for row, value in exact.items()}
    order = sorted(exact, key=lambda row: (-(exact[row] - counts[row]), list(exact).index(row)))
    for row in order[: total - sum(counts.values())]:
        counts[row] += 1
    return counts


def _rows(slots: list[Slot], lora, count: int, seed: int) -> tuple[dict[str, list[str]], list[Target]]:
    """For each split slot, the row of every prompt, and the targets drawn to.

    The first split slot keeps its rows together, in table order, so one seed
    can serve a batch; the others are shuffled across the set.
    """
    rows: dict[str, list[str]] = {}
    targets: list[Target] = []
    tables = lora.get("distribution", {})
    for index, slot in enumerate(s for s in slots if s.split):
        shares = tables[slot.split]
        counts = apportion(shares, count)
        percent = shares.as_percent()
        for row, n in counts.items():
            targets.append(Target(slot.split, row, *percent[row], n))
        order = [row for row, n in counts.items() for _ in range(n)]
        if index:
            random.Random(f"{seed}:rows:{slot.name}").shuffle(order)
        rows[slot.name] = order
    return rows, targets


def _seeds(recipe, rows: dict[str, list[str]], seed: int) -> dict[str, int]:
    """One fixed seed per row of the `seeds` slot: batches of one angle category."""
    slot = recipe.get("seeds")
    if slot not in rows:
        return {}
    return {row: int(hashlib.sha256(f"{seed}:{row}".encode()).hexdigest()[:8], 16) for row in dict.fromkeys(rows[slot])}


# --- choices -------------------------------------------------------------------
class _Bag:
    """Choices drawn without repeats until all are used, then again: reshuffled,
    or, with `fixed`, in the same order every round."""

    def __init__(self, choices: list, rng: random.Random, fixed: bool = False) -> None:
        self.choices, self.rng, self.fixed, self.left = list(choices), rng, fixed, []

    def draw(self):
        if not self.left:
            self.left = self.choices[::-1] if self.fixed else self.choices[:]  # pop() takes from the end
            if not self.fixed:
                self.rng.shuffle(self.left)
        return self.left.pop()


def _tone_bag(choices: list[Choice], rng: random.Random) -> _Bag:
    """Colours taken tone by tone (light, dark, warm, cool...), so outfits mix them."""
    by_tone: dict[str, list[Choice]] = {}
    for choice in choices:
        by_tone.setdefault(choice.get("tone", ""), []).append(choice)
    for group in by_tone.values():
        rng.shuffle(group)
    longest = max(map(len, by_tone.values()))
    return _Bag([group[i] for i in range(longest) for group in by_tone.values() if i < len(group)], rng, fixed=True)


def _draw(slots: list[Slot], knowledge: Knowledge, rows: dict[str, list[str]], request: Request) -> list[dict[str, tuple[Choice, dict]]]:
    """For every prompt: slot -> (choice, {placeholder: colour choice})."""
    count, seed = request.count, request.seed
    chosen: list[dict[str, tuple[Choice, dict]]] = [{} for _ in range(count)]
    for slot in slots:
        rng = random.Random(f"{seed}:{slot.name}")
        pool = knowledge.pools[slot.pool].choices
        wanted = round(count * slot.share / 100)
        numbers = sorted(rng.sample(range(count), wanted)) if wanted < count else range(count)
        bags = {}
        fill_bags = {name: _tone_bag(knowledge.pools[name].choices, random.Random(f"{seed}:{slot.name}:{name}")) for name in slot.compose}
        used: set[str] = set()
        for number in numbers:
            row = rows[slot.name][number] if slot.name in rows else None
            if row not in bags:
                bags[row] = _Bag([c for c in pool if row is None or c.get("row") == row], rng)
            choice, fills = _pick(bags[row], fill_bags, used if slot.unique else None)
            chosen[number][slot.name] = (choice, fills)
    return [{s.name: picks[s.name] for s in slots if s.name in picks} for picks in chosen]


def _vary(chosen: dict[str, tuple[Choice, dict]], slots: dict[str, Slot], knowledge: Knowledge, rng: random.Random) -> bool:
    """Draw another choice for one of the prompt's free slots (not split, not
    unique, in the caption); False when it has none."""
    free = [s for s in slots.values() if s.name in chosen and s.caption and not s.split and not s.unique and not s.compose]
    if not free:
        return False
    slot = rng.choice(free)
    chosen[slot.name] = (rng.choice(knowledge.pools[slot.pool].choices), {})
    return True


def _pick(bag: _Bag, fill_bags: dict[str, _Bag], used: set[str] | None) -> tuple[Choice, dict]:
    """A choice with its placeholders filled; with `used`, one not drawn before."""
    for _ in range(1000):
        choice = bag.draw()
        fills = {n: fill_bags[n].draw() for n in placeholders(choice.text) if n in fill_bags}
        text = _text(choice, fills, "en", False)
        if used is None or text not in used:
            if used is not None:
                used.add(text)
            return choice, fills
    raise LoraLintError("the pools have too few choices for a set this large without repeats: add choices or ask for fewer prompts")


def _text(choice: Choice, fills: dict[str, Choice], lang: str, prose: bool) -> str:
    """A choice in a language (and its prose form), placeholders filled."""
    if lang == "en":
        template = (choice.get("prose") if prose else None) or choice.text
    else:
        template = choice.get(lang) or choice.text
    values = {name: (fill.get(lang) if lang != "en" else None) or fill.text for name, fill in fills.items()}
    text = template.format(**values) if values else template
    return _articles(text) if lang == "en" and values else text


def _articles(text: str) -> str:
    """`a olive top` -> `an olive top`, once a colour is filled in."""
    return re.sub(r"\b([Aa]) (?=[aeiouAEIOU])", r"\1n ", text)


def _regularization(request: Request, recipe, lora, notes: list[str]) -> list[str]:
    """Class prompts, `request.regularization` (or the type's lowest) times the set."""
    low, high = lora.get("regularization", (0, 0))
    times = request.regularization if request.regularization is not None else low
    if not times:
        return []
    if not recipe.get("regularization") or not request.klass:
        notes.append("no regularization prompts: give --class (and a recipe with 'regularization')")
        return []
    if high and not low <= times <= high:
        notes.append(f"{times:g}x regularization images; {low:g}x-{high:g}x is advised for a {request.lora} LoRA")
    if not high:
        notes.append(f"regularization images are not usually needed for a {request.lora} LoRA")
    article = "an" if request.klass[:1].lower() in "aeiou" else "a"
    text = recipe.get("regularization").format(**{"class": request.klass, "a": article})
    return [text] * math.ceil(request.count * times)
