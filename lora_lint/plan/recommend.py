"""From a surveyed dataset and the packs' training knowledge to a training plan.

Every setting carries the source of its number: the pack value it comes
from and how it was chosen from it. Nothing here holds a number of its own
but the arithmetic: the ranges, the VRAM table, the techniques and the
variants are all read from the packs, so a custom pack changes the plan.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import LoraLintError, did_you_mean
from ..kinds.image_quality import BUCKET_AREA
from ..knowledge import PLAN_SETTINGS, Declared, Knowledge
from .survey import Survey, SurveyFolder


@dataclass
class Request:
    """What the command line asked for."""

    model: str | None = None
    lora: str | None = None
    gpu: str | None = None
    vram: float | None = None
    variant: str | None = None
    goal: str | None = None  # "quality" or "preserve": the variant advice's other cases
    batch: int | None = None  # the effective batch wanted; accumulation makes up what the card cannot hold


@dataclass
class Setting:
    """One recommended value and where it comes from."""

    value: Any
    source: str


@dataclass
class PlanFolder:
    """A dataset folder as the trainer should read it: its words are the
    folder name's, or the settings' (a regularization folder has no trigger)."""

    folder: SurveyFolder
    repeats: int
    source: str
    trigger: str | None = None
    klass: str | None = None

    @property
    def words(self) -> str:
        """`trigger class`, as kohya's class_tokens."""
        return " ".join(w for w in (self.trigger, self.klass) if w)


@dataclass
class Plan:
    """A training plan for one dataset, model and card."""

    survey: Survey
    model: Declared
    lora: Declared
    gpu: Declared | None
    settings: dict[str, Setting] = field(default_factory=dict)
    folders: list[PlanFolder] = field(default_factory=list)
    techniques: list[tuple[Declared, str]] = field(default_factory=list)  # technique, why it is used
    variant: Declared | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def value(self, name: str, default: Any = None) -> Any:
        setting = self.settings.get(name)
        return setting.value if setting is not None else default

    def set(self, name: str, value: Any, source: str) -> None:
        self.settings[name] = Setting(value, source)

    @property
    def multi_concept(self) -> bool:
        return len(self.survey.concepts()) > 1


def lineage(knowledge: Knowledge, model: Declared | None):
    """A model, then the model it is based on (`based_on`), and so on."""
    seen: set[str] = set()
    while model is not None and model.name not in seen:
        yield model
        seen.add(model.name)
        model = knowledge.models.get(model.get("based_on") or "")


def model_value(knowledge: Knowledge, model: Declared, key: str) -> tuple[Any, Declared]:
    """A model's property, or the one of the model it is based on; with the model that gave it."""
    return next(((m.props[key], m) for m in lineage(knowledge, model) if key in m.props), (None, None))


def find_gpu(knowledge: Knowledge, name: str | None, vram: float | None) -> tuple[Declared | None, bool, str | None]:
    """The VRAM table's row for a card name, or for an amount of VRAM (the
    largest card at or under it; the first listed when two have as much):
    (row, whether the VRAM is below every card, a note on the choice)."""
    if name:
        wanted = _squash(name)
        for gpu in knowledge.gpus.values():
            names = (gpu.name, gpu.get("title", ""), *gpu.get("aliases", ()))
            if any(_squash(n) == wanted for n in names):
                return gpu, False, None
        titles = [g.get("title", g.name) for g in knowledge.gpus.values()]
        hint = did_you_mean(name, titles)
        raise LoraLintError(f"unknown GPU '{name}' (the VRAM table has {', '.join(titles)}; or give --vram GB){hint}")
    if vram is None:
        return None, False, None
    fitting = [g for g in knowledge.gpus.values() if g.get("vram", (0, 0))[0] <= vram]
    if not fitting:
        smallest = min(knowledge.gpus.values(), key=lambda g: g.get("vram", (0, 0))[0])
        low = smallest.get("vram")[0]
        return smallest, True, f"{vram:g} GB is below the VRAM table's smallest card ({smallest.get('title')}, {low:g} GB): treated as that card at its limit, and nothing is sure to fit"
    best = max(fitting, key=lambda g: g.get("vram")[0])
    if best.get("vram")[0] == vram:
        return best, False, None
    return best, False, f"{vram:g} GB: planned as the VRAM table's {best.get('title')} ({best.get('vram')[0]:g} GB), the largest card at or under it"


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def check_request(request: Request) -> None:
    """Raise on numbers no card or batch can have."""
    if request.vram is not None and request.vram <= 0:
        raise LoraLintError(f"--vram takes the card's memory in GB, not {request.vram:g}")
    if request.gpu and request.vram is not None:
        raise LoraLintError("give --gpu or --vram, not both")
    if request.batch is not None and request.batch < 1:
        raise LoraLintError("--batch takes a whole number of at least 1")


def make_plan(survey: Survey, knowledge: Knowledge, request: Request) -> Plan:
    """The plan: every setting the trainer needs, each with its source."""
    check_request(request)
    model, lora = _model_and_lora(survey, knowledge, request)
    gpu, below, said = find_gpu(knowledge, request.gpu, request.vram)
    if "defaults" not in knowledge.training:
        raise LoraLintError("the packs declare no 'training defaults': nothing to plan with")
    plan = Plan(survey, model, lora, gpu)
    if said:
        (plan.warnings if below else plan.notes).append(said)
    fit = _Fit(plan, knowledge, below)
    _capacity(plan, knowledge, fit, request)
    _schedule(plan, knowledge, request)
    _learning_rate(plan, knowledge)
    _memory(plan, knowledge, fit)
    _video(plan, knowledge)
    _concept_checks(plan, knowledge)
    _size_check(plan)
    order = {key: number for number, key in enumerate(PLAN_SETTINGS)}  # the order people read them in
    plan.settings = dict(sorted(plan.settings.items(), key=lambda item: order.get(item[0], len(order))))
    return plan


def _model_and_lora(survey: Survey, knowledge: Knowledge, request: Request) -> tuple[Declared, Declared]:
    settings = survey.settings
    names = {"model": request.model or settings.model, "lora": request.lora or settings.lora}
    tables = {"model": knowledge.models, "lora": knowledge.loras}
    found = []
    for what, name in names.items():
        flag = "--model" if what == "model" else "--type"
        if not name:
            raise LoraLintError(f"no {what} given: pass {flag} or set '{what}:' in .lora-lint.yaml", str(survey.root))
        if name not in tables[what]:
            hint = did_you_mean(name, tables[what])
            raise LoraLintError(f"unknown {what} '{name}' ({what}s: {', '.join(tables[what])}){hint}")
        found.append(tables[what][name])
    return found[0], found[1]


class _Fit:
    """What the VRAM table says of this model on this card."""

    def __init__(self, plan: Plan, knowledge: Knowledge, below: bool) -> None:
        self.gpu = plan.gpu
        self.row: dict | None = None
        self.unfit = below
        self.unknown = self.gpu is None
        self.full = False
        if self.gpu is None:
            return
        title = self.gpu.get("title", self.gpu.name)
        table_model = _table_model(knowledge, plan.model, self.gpu)
        if table_model is None:
            self.unknown = True
            plan.warnings.append(f"the VRAM table has no column for {plan.model.get('title', plan.model.name)}: rank and batch come from the training table, and whether they fit {title} is unknown")
            return
        self.full = table_model in self.gpu.get("full", ())
        if table_model in self.gpu.get("unfit", ()):
            self.unfit = True
            plan.warnings.append(
                f"the VRAM table: {knowledge.models[table_model].get('title')} on {title} ({gb(self.gpu)}) is not recommended; "
                "this plan is the smallest that might run (expect out-of-memory errors or very slow steps)"
            )
        self.row = self.gpu.get("fit", {}).get(table_model)
        self.where = f"VRAM table: {title}, {knowledge.models[table_model].get('title')}"


def _table_model(knowledge: Knowledge, model: Declared, gpu: Declared) -> str | None:
    """The VRAM table column a model uses: its own, or its base model's."""
    for candidate in lineage(knowledge, model):
        if any(candidate.name in g.get("fit", {}) or candidate.name in (*g.get("unfit", ()), *g.get("full", ())) for g in knowledge.gpus.values()):
            return candidate.name
    return None


def gb(gpu: Declared) -> str:
    """A card's VRAM as the table gives it: `12 GB`, `40-80 GB`."""
    low, high = gpu.get("vram", (0, 0))
    return f"{low:g} GB" if low == high else f"{low:g}-{high:g} GB"


def _span(value: tuple) -> str:
    low, high = (number_text(v) for v in value)
    return low if low == high else f"{low}..{high}"


def number_text(value: float) -> str:
    """A number as a person reads it: `7.1e-5` for a learning rate, `2550` for steps."""
    if 0 < abs(value) < 1e-3:
        mantissa, exponent = f"{value:.1e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return f"{value:g}"


def _pow2_middle(low: float, high: float) -> int:
    """The largest power of two at or under the geometric middle, kept in the range."""
    middle = math.sqrt(low * high)
    value = 2 ** int(math.floor(math.log2(middle))) if middle >= 1 else 1
    return int(min(max(value, low), high))


def _capacity(plan: Plan, knowledge: Knowledge, fit: _Fit, request: Request) -> None:
    """Rank, alpha, batch and accumulation, and the variant."""
    model = plan.model
    ranks, rank_from = model_value(knowledge, model, "rank")
    defaults = knowledge.training["defaults"]
    if ranks is None:
        raise LoraLintError(f"model '{model.name}' has no 'rank' range (nor a model it is based on): nothing to plan with")
    source = f"model {rank_from.name}: rank {_span(ranks)}"
    if plan.multi_concept and defaults.get("concept_rank"):
        ranks = defaults.get("concept_rank")
        source = f"training defaults: concept_rank {_span(ranks)} (a multi-concept LoRA needs more capacity)"
    wanted = _pow2_middle(*ranks)
    rank, rank_source = wanted, f"{source}; the power of two at its geometric middle"
    short = False  # the card cannot hold even the lowest rank wanted
    if fit.row is not None and fit.row["rank"][1] < wanted:
        rank = fit.row["rank"][1]
        rank_source = f"{fit.where}: rank {rank} fits (wanted {wanted}, from {source})"
        short = rank < ranks[0]
        if short:
            plan.warnings.append(f"{fit.gpu.get('title')} fits rank {rank} of {model.get('title')}, below the {_span(ranks)} wanted")
    elif fit.unfit:
        rank = int(ranks[0])
        rank_source = f"{source}; its lowest, as the card is below what the model needs"
    elif fit.full:
        plan.notes.append(f"{fit.gpu.get('title')} can fully fine-tune {model.get('title')} (VRAM table); this plan is for a LoRA")
    plan.set("rank", rank, rank_source)
    alpha_share = defaults.get("alpha", (100, 100))[0]
    plan.set("alpha", max(1, round(rank * alpha_share / 100)), f"training defaults: alpha {alpha_share:g}% of the rank")
    _batch(plan, knowledge, fit, request)
    _variant(plan, knowledge, fit, short, request)


def _batch(plan: Plan, knowledge: Knowledge, fit: _Fit, request: Request) -> None:
    """The batch the card holds and the accumulation that makes up an effective batch asked for."""
    batches, batch_from = model_value(knowledge, plan.model, "batch")
    batches = batches or (1, 1)
    where = f"model {batch_from.name}: batch {_span(batches)}" if batch_from else "no batch range: 1"
    if fit.row is not None:
        holds = (int(min(fit.row["batch"][0], batches[1])), int(min(fit.row["batch"][1], batches[1])))
        source = f"{fit.where}: batch {_span(fit.row['batch'])}, its lowest, within {where}"
    elif fit.unfit:
        holds, source = (1, 1), f"{where}; 1, as the card is below what the model needs"
    else:
        holds, source = (int(batches[0]), int(batches[0])), f"{where}; its lowest"
    batch, accumulation, accumulation_source = holds[0], 1, "the batch is the effective batch"
    wanted = request.batch
    if wanted:
        if wanted > batches[1]:
            plan.warnings.append(f"--batch {wanted} is above {plan.model.get('title')}'s batch {_span(batches)} (training table)")
        if wanted <= holds[1]:
            batch, source = wanted, f"--batch {wanted}, which the card holds ({source})"
        else:  # the largest batch the card holds that divides the one asked for, the rest accumulated
            batch = next((b for b in range(holds[1], holds[0] - 1, -1) if wanted % b == 0), holds[1])
            accumulation = math.ceil(wanted / batch)
            accumulation_source = f"--batch {wanted}: batch {batch} x {accumulation} accumulated (a smaller batch needs gradient accumulation)"
    plan.set("batch", batch, source)
    plan.set("accumulation", accumulation, accumulation_source)


def _variant(plan: Plan, knowledge: Knowledge, fit: _Fit, short: bool, request: Request) -> None:
    """The variant asked for, or the one the variant advice gives for this card and goal."""
    variants = knowledge.variants
    by_choice = {choice: v for v in variants.values() for choice in v.get("choose", ())}
    limited = "lowest_vram" if fit.unfit else "low_vram" if short else None
    if request.variant:
        if request.variant not in variants:
            hint = did_you_mean(request.variant, variants)
            raise LoraLintError(f"unknown variant '{request.variant}' (variants: {', '.join(variants)}){hint}")
        chosen, why = variants[request.variant], f"--variant {request.variant}"
        lighter = by_choice.get(limited) if limited else None
        if lighter is not None and chosen.get("vram") in ("medium", "medium_high"):
            plan.warnings.append(f"{chosen.get('title')} needs {chosen.get('vram').replace('_', '-')} VRAM and this card is at its limit: {lighter.get('title')} would fit better ({lighter.get('reason')})")
    else:
        case = limited or request.goal or "default"
        if limited and request.goal:
            plan.notes.append(f"--goal {request.goal} gave way: the card is at its limit, so the variant is for low VRAM")
        chosen = by_choice.get(case) or by_choice.get("default") or next(iter(variants.values()), None)
        why = chosen.get("reason", case) if chosen is not None else ""
    plan.variant = chosen
    if chosen is not None:
        plan.set("variant", chosen.name, f"LoRA variants: {why}")


def _steps_range(plan: Plan, knowledge: Knowledge) -> tuple[tuple[float, float], str]:
    steps, steps_from = model_value(knowledge, plan.model, "steps")
    steps = steps or {}
    lora = plan.lora.name
    if lora not in steps and plan.lora.get("steps_like") in steps:
        like = plan.lora.get("steps_like")
        return steps[like], f"model {steps_from.name}: steps {like} {_span(steps[like])} (lora {lora} trains like {like})"
    if lora not in steps:
        raise LoraLintError(f"model '{plan.model.name}' gives no steps for lora '{lora}' (nor one it trains like): nothing to plan with")
    return steps[lora], f"model {steps_from.name}: steps {lora} {_span(steps[lora])}"


def _target_steps(plan: Plan, knowledge: Knowledge, items: int) -> tuple[int, str]:
    """One concept's steps at batch 1: its image count's place in the type's
    image range, mapped onto the model's step range (more images, more steps
    to see them)."""
    (low, high), where = _steps_range(plan, knowledge)
    images = plan.lora.get("images") or (items, items)
    span = images[1] - images[0]
    place = min(1.0, max(0.0, (items - images[0]) / span)) if span else 0.5
    steps = int(round((low + place * (high - low)) / 50) * 50)
    return steps, f"{where}, at {items} images' place in lora {plan.lora.name}'s {_span(images)}"


def _schedule(plan: Plan, knowledge: Knowledge, request: Request) -> None:
    """Steps, epochs and each folder's repeats: concepts balanced, steps exact.

    The training table's steps are taken at batch 1: a larger effective
    batch shows as many images in fewer steps, so the target is divided by it.
    """
    concepts = plan.survey.concepts()
    targets = [_target_steps(plan, knowledge, c.items) for c in concepts]
    views = sum(t for t, _ in targets)
    source = targets[0][1] if len(targets) == 1 else f"{' + '.join(str(t) for t, _ in targets)}: each concept's steps ({targets[0][1]})"
    epochs_range = knowledge.training["defaults"].get("epochs", (1, 20))
    per_step = plan.value("batch") * plan.value("accumulation")
    target = max(1, round(views / per_step))
    if per_step > 1:
        source = f"{views} at batch 1 / effective batch {per_step} ({source})"
    reg = bool(plan.survey.reg) and not plan.model.get("video")
    if plan.survey.reg and plan.model.get("video"):
        plan.notes.append("video trainers (musubi-tuner) take no regularization folders: they are left out")
    counts = [c.items for c in concepts]
    base, epochs, steps, repeats = _best_schedule(counts, target, per_step, 2 if reg else 1, epochs_range)
    plan.set("steps", steps, f"target {target}: {source}")
    plan.set("epochs", epochs, f"training defaults: epochs {_span(epochs_range)}, the one whose steps come closest to {target}")
    formula = " + ".join(f"{n} x {r}" for n, r in zip(counts, repeats))
    doubled = " x 2 (regularization: kohya trains as many class images as training images each epoch)" if reg else ""
    divisor = f" / {per_step}" if per_step > 1 else ""
    plan.set("repeats", repeats[0] if len(repeats) == 1 else repeats, f"steps = epochs x (images x repeats){doubled}{divisor} = {epochs} x ({formula}){doubled and ' x 2'}{divisor} = {steps}")
    for concept, concept_repeats in zip(concepts, repeats):
        why = "each concept contributes about the same images x repeats" if len(concepts) > 1 else "reaches the steps"
        for folder in concept.folders:
            plan.folders.append(PlanFolder(folder, concept_repeats, why, folder.trigger or plan.survey.settings.trigger, folder.klass or plan.survey.settings.klass))
            if folder.repeats is not None and folder.repeats != concept_repeats:
                plan.notes.append(
                    f"'{folder.relative}' is named for {folder.repeats} repeats; the plan uses {concept_repeats} "
                    "(the written trainer configs set it; kohya without a config reads the folder name)"
                )
    if reg:
        for folder in plan.survey.reg:
            plan.folders.append(PlanFolder(folder, 1, "regularization: kohya repeats class images only as far as the training images go", None, folder.klass or plan.survey.settings.klass))
    warmup = knowledge.training["defaults"].get("warmup", (0, 0))[0]
    plan.set("warmup_steps", int(round(steps * warmup / 100)), f"training defaults: warmup {warmup:g}% of {steps} steps")
    plan.set("scheduler", knowledge.training["defaults"].get("scheduler", "cosine"), "training defaults: scheduler (domain: cosine with warmup)")
    low, high = (v * len(concepts) / per_step for v in _steps_range(plan, knowledge)[0])
    if not low * 0.9 <= steps <= high * 1.1:
        plan.warnings.append(f"{steps} steps is outside {low:.0f}..{high:.0f} ({plan.model.name}'s range for lora {plan.lora.name} at this batch): the dataset's size is far from what the type wants")


def _best_schedule(counts: list[int], target: int, per_step: int, factor: int, epochs_range: tuple) -> tuple[int, int, int, list[int]]:
    """(base repeats, epochs, steps, repeats per concept) closest to the target.

    The largest concept gets the base repeats and the others proportionally
    more, so images x repeats is about equal. Ties prefer schedules whose
    images divide evenly into batches, then epochs near the range's middle;
    fewer epochs than the range's lowest are tried only for datasets too big
    for it.
    """
    largest = max(counts)
    low, high = int(epochs_range[0]), int(epochs_range[1])
    middle = math.sqrt(low * high)
    best, best_score = None, None
    for base in range(1, 201):
        repeats = [max(1, round(base * largest / n)) for n in counts]
        samples = sum(n * r for n, r in zip(counts, repeats)) * factor
        per_epoch = math.ceil(samples / per_step)
        for epochs in range(1, high + 1):
            steps = epochs * per_epoch
            outside = 0.5 * (low - epochs) / low if epochs < low else 0.0
            score = abs(steps - target) / target + 0.02 * abs(math.log(epochs / middle)) + (0.05 if samples % per_step else 0) + outside
            if best_score is None or score < best_score:
                best, best_score = (base, epochs, steps, repeats), score
        if per_epoch * low > target * 2:
            break
    return best


def _learning_rate(plan: Plan, knowledge: Knowledge) -> None:
    rates, rates_from = model_value(knowledge, plan.model, "learning_rate")
    if rates is None:
        raise LoraLintError(f"model '{plan.model.name}' has no 'learning_rate' (nor a model it is based on): nothing to plan with")
    value = float(f"{math.sqrt(rates[0] * rates[1]):.2g}")
    how = "" if rates[0] == rates[1] else "; its geometric middle (lower LR + more steps = safer)"
    plan.set("learning_rate", value, f"model {rates_from.name}: learning_rate {_span(rates)}{how}")


def _memory(plan: Plan, knowledge: Knowledge, fit: _Fit) -> None:
    """Precision, optimizer, attention, checkpointing and resolution from the techniques.

    The card is at its limit when the plan takes all the rank the VRAM table
    gives it, when the model is not recommended on it, or when the table has
    no column for the model (nothing says there is room).
    """
    tight = fit.unfit or (fit.unknown and fit.gpu is not None)
    if fit.row is not None:
        tight = tight or plan.value("rank") >= fit.row["rank"][1]
    for technique in knowledge.techniques.values():
        use = technique.get("use", "always")
        if use == "always" or (use == "tight" and tight) or (use == "unfit" and fit.unfit):
            why = {"always": "no cost worth avoiding", "tight": "the card is at its limit for this plan", "unfit": "the model is not recommended on this card"}[use]
            plan.techniques.append((technique, why))
    used = {t.name: t for t, _ in plan.techniques}
    defaults = knowledge.training["defaults"]

    def said(name: str, verb: str) -> str:
        technique = used.get(name) or knowledge.techniques.get(name)
        return f"technique {name}: {verb}" + (f" ({technique.get('title')} saves {technique.get('saves')}, costs {technique.get('cost')})" if technique else "")

    plan.set("precision", defaults.get("precision", "bf16"), "training defaults: precision; " + said("mixed_precision", "always"))
    optimizer = defaults.get("optimizer", "AdamW") + ("8bit" if "adam8bit" in used else "")
    plan.set("optimizer", optimizer, said("adam8bit", "the card is at its limit") if "adam8bit" in used else "training defaults: optimizer")
    checkpointing = "gradient_checkpointing" in used
    plan.set("gradient_checkpointing", checkpointing, said("gradient_checkpointing", "the card is at its limit" if checkpointing else "not needed on this card"))
    unet = _unet(knowledge, plan.model)
    plan.set("attention", "xformers" if unet else "sdpa", said("attention", "xformers for a UNet" if unet else "PyTorch's flash attention (sdpa) for a transformer"))
    sizes, sizes_from = model_value(knowledge, plan.model, "resolution")
    sizes = sizes or ((1024, 1024), (1024, 1024))
    small = "lower_resolution" in used or (plan.model.get("video") and fit.unknown)
    size = sizes[0] if small else sizes[1]
    why = "its lowest: a lower resolution saves VRAM" if small and sizes[0] != sizes[1] else "its highest" if sizes[0] != sizes[1] else ""
    plan.set("resolution", size, f"model {sizes_from.name}: resolution {'x'.join(map(str, sizes[0]))}" + (f"..{'x'.join(map(str, sizes[1]))}; {why}" if why else ""))
    area = plan.survey.median_area
    if area is not None and area < size[0] * size[1] * BUCKET_AREA:  # 832x1216 fills an SDXL bucket unscaled
        plan.warnings.append(
            f"half the training images have fewer pixels than the {'x'.join(map(str, size))} buckets hold "
            f"(median short side {plan.survey.median_short_side} px): they are upscaled, which softens what the LoRA learns"
        )


def _unet(knowledge: Knowledge, model: Declared) -> bool:
    """Whether a model (or the one it is based on) is a UNet."""
    return any("UNet" in m.get("architecture", "") for m in lineage(knowledge, model))


def _video(plan: Plan, knowledge: Knowledge) -> None:
    if not plan.model.get("video"):
        return
    frames = plan.model.get("frames")
    if frames:
        most, where = int(frames[1]), f"model {plan.model.name}: frames {_span(frames)}"
        clips = plan.survey.clip_frames
        if clips and min(clips) < most:
            most, where = min(clips), f"{where}, and the shortest clip has {min(clips)}"
        elif not clips:
            plan.notes.append("clip lengths of video files are not read: frames assume clips of at least that many")
        count = max(1, most - (most - 1) % 4)
        plan.set("frames", count, f"{where}; the most of the form 4n+1 (musubi-tuner's target_frames for Wan and HunyuanVideo)")
    fps = plan.survey.settings.fps
    if fps:
        plan.set("fps", fps, ".lora-lint.yaml: fps")
    elif plan.model.get("fps"):
        plan.set("fps", plan.model.get("fps")[0], f"model {plan.model.name}: fps {_span(plan.model.get('fps'))}; its lowest")


def _size_check(plan: Plan) -> None:
    images = plan.lora.get("images")
    count = sum(c.items for c in plan.survey.concepts())
    if images and not images[0] <= count <= images[1] and not plan.multi_concept:
        side = "below" if count < images[0] else "above"
        plan.warnings.append(f"{count} training images is {side} lora {plan.lora.name}'s {_span(images)}: the steps are those of its {'smallest' if side == 'below' else 'largest'} size")


def _concept_checks(plan: Plan, knowledge: Knowledge) -> None:
    concepts = plan.survey.concepts()
    if len(concepts) < 2:
        return
    wanted = knowledge.training["defaults"].get("concept_images")
    for concept in concepts:
        if concept.trigger is None:
            folders = ", ".join(f"'{f.relative}'" for f in concept.folders)
            plan.warnings.append(f"{folders}: no trigger; each concept needs its own (a kohya folder name like 10_trigger class)")
        elif wanted and not wanted[0] <= concept.items <= wanted[1]:
            plan.warnings.append(f"concept '{concept.trigger}' has {concept.items} images; {_span(wanted)} per concept is advised")
    plan.notes.append("multi-concept: keep each concept's images free of the others (lora-lint check runs concept-overlap)")

