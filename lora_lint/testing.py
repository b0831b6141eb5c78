"""Pack fixtures: captions that must fire a rule and captions that must stay clean.

Beside `NAME.lora`, a pack may ship `NAME.fixtures.yaml`:

    settings: {lora: character, model: sdxl, trigger: ohwx, class: woman}
    cases:
      - caption: "ohwx woman, asian, smiling"
        fires: [identity-leak]            # each must report at least once
        spans: {identity-leak: [asian]}   # optional: exactly these matched texts
      - caption: "ohwx woman, front view, laughing, ..."
        passes: all                       # no finding at all (or a list of rules)

A case may override `settings` (and `subset: reg`). Every rule's `bad` and
`good` examples are cases too: `bad` must fire the rule, `good` must not;
`examples: {rule-name: {lora: style}}` gives a rule's examples their settings.

A case with `files` instead of `caption` is a whole dataset, written to a
temporary folder and checked like any other, for the dataset rules:

      - files:
          "img/10_ohwx woman/{n}.txt": "ohwx woman, {pick:smiling|laughing}, ..."
          "img/10_ohwx woman/{n}.png": {image: 1024x1024}
          "dataset_config.toml": "[general]\nshuffle_caption = true\n"
        count: 12                 # names with {n} are written this many times
        fires: [clothing-repeat]
        at: {clothing-repeat: ["img/10_ohwx woman/001.txt"]}   # optional paths

`{n}` is 000, 001, ...; `{pick:a|b|c}` takes the n-th choice in turn. An
image is `{image: WxH}` with optional `seed` (the same seed draws the same
picture), `mode` (RGB, RGBA, CMYK) and `quality` (JPEG).
`lora-lint test-pack PATH` runs them; `pack_cases` gives them to pytest.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import LoraLintError, did_you_mean
from .settings import Settings

_SETTING_KEYS = {"lora", "model", "trigger", "class", "hairstyles", "subset", "features", "fps"}


@dataclass
class Case:
    """One caption and what the pack's rules must say about it."""

    source: str  # where the case is written, for messages
    caption: str
    settings: dict[str, Any]
    fires: list[str] = field(default_factory=list)
    passes: list[str] | str = field(default_factory=list)
    spans: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, Any] | None = None  # a dataset case: relative path -> text or image spec
    count: int = 1
    at: dict[str, list[str]] = field(default_factory=dict)
    packs: list[Path] = field(default_factory=list)  # packs to load besides the registered ones


def fixtures_path(pack: Path) -> Path:
    """`NAME.fixtures.yaml` beside `NAME.lora`."""
    return pack.with_name(pack.stem + ".fixtures.yaml")


def _read_fixtures(path: Path) -> tuple[dict[str, Any], list[Case], dict[str, dict]]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as error:
        raise LoraLintError(f"cannot read fixtures: {error}", str(path)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise LoraLintError(f"broken YAML: {getattr(error, 'problem', error)}", where) from None
    if not isinstance(data, dict) or not isinstance(data.get("cases", []), list):
        raise LoraLintError("fixtures need 'settings' (a mapping) and 'cases' (a list)", str(path))
    defaults = data.get("settings") or {}
    examples = data.get("examples") or {}
    if not isinstance(examples, dict) or not all(isinstance(v, dict) for v in examples.values()):
        raise LoraLintError("'examples' maps rule names to the settings their bad/good examples need", str(path))
    cases = []
    for number, raw in enumerate(data.get("cases", []), 1):
        if not isinstance(raw, dict) or not (isinstance(raw.get("caption"), str) or isinstance(raw.get("files"), dict)):
            raise LoraLintError(f"case {number} needs a 'caption' text or a 'files' mapping", str(path))
        unknown = set(raw) - {"caption", "settings", "fires", "passes", "spans", "note", "files", "count", "at"}
        if unknown:
            raise LoraLintError(f"case {number} has unknown keys: {', '.join(sorted(unknown))}", str(path))
        cases.append(
            Case(
                f"{path.name} case {number}" + (f" ({raw['note']})" if raw.get("note") else ""),
                raw.get("caption", ""),
                {**defaults, **(raw.get("settings") or {})},
                list(raw.get("fires") or []),
                raw.get("passes") or [],
                dict(raw.get("spans") or {}),
                raw.get("files"),
                int(raw.get("count", 1)),
                dict(raw.get("at") or {}),
            )
        )
    return defaults, cases, examples


def pack_cases(pack: Path, knowledge) -> list[Case]:
    """The fixture cases and the rule examples of one pack."""
    fixtures = fixtures_path(pack)
    defaults, cases, examples = _read_fixtures(fixtures) if fixtures.is_file() else ({}, [], {})
    for rule in knowledge.rules.values():
        if Path(rule.path).resolve() != pack.resolve():
            continue
        settings = {**defaults, **examples.get(rule.name, {})}
        for example in rule.doc("bad", ()):
            cases.append(Case(f"{pack.name} rule {rule.name} (bad example)", example, settings, fires=[rule.name]))
        for example in rule.doc("good", ()):
            cases.append(Case(f"{pack.name} rule {rule.name} (good example)", example, settings, passes=[rule.name]))
    return cases


def _settings(values: dict[str, Any]) -> tuple[Settings, str]:
    unknown = set(values) - _SETTING_KEYS
    if unknown:
        raise LoraLintError(f"fixture settings have unknown keys: {', '.join(sorted(unknown))}")
    settings = Settings(
        lora=values.get("lora"),
        model=values.get("model"),
        trigger=values.get("trigger"),
        klass=values.get("class"),
        hairstyles=values.get("hairstyles", "single"),
        features=list(values.get("features") or []),
    )
    return settings, values.get("subset", "train")


def run_case(case: Case, knowledge, plugins) -> list[str]:
    """What is wrong with a case's outcome: an empty list when it holds."""
    from .engine import lint_caption

    settings, subset = _settings(case.settings)
    if case.files is not None:
        findings = _check_dataset(case, plugins)
    else:
        findings = lint_caption(case.caption, settings, knowledge, plugins, subset)
    fired = {f.rule for f in findings}
    problems = []
    if case.passes != "all" and not isinstance(case.passes, list):
        return ["'passes' takes 'all' or a list of rule names"]
    named = [*case.fires, *(case.passes if isinstance(case.passes, list) else []), *case.spans]
    problems += [f"names unknown rule '{rule}'{did_you_mean(rule, knowledge.rules)}" for rule in named if rule not in knowledge.rules]
    for rule in case.fires:
        if rule in knowledge.rules and rule not in fired:
            problems.append(f"expected {rule} to fire; it did not")
    unwanted = fired if case.passes == "all" else fired & set(case.passes)
    for finding in findings:
        if finding.rule in unwanted:
            problems.append(f"expected no {finding.rule}; got {finding.column}: {finding.message}")
    for rule, paths in case.at.items():
        got = sorted(f.path for f in findings if f.rule == rule)
        if got != sorted(paths):
            problems.append(f"expected {rule} at {sorted(paths)}; got {got}")
    for rule, texts in case.spans.items():
        got = sorted(case.caption[f.column - 1 : f.end_column - 1] for f in findings if f.rule == rule and f.column)
        if got != sorted(texts):
            problems.append(f"expected {rule} on {sorted(texts)}; got {got}")
    return problems


def _check_dataset(case: Case, plugins) -> list:
    """Write a dataset case to a temporary folder and check it."""
    import tempfile

    import yaml

    from .engine import Options, check

    with tempfile.TemporaryDirectory(prefix="lora-lint-case-") as temporary:
        root = Path(temporary)
        settings = {k: v for k, v in case.settings.items() if k != "subset" and v is not None}
        settings["packs"] = [str(p) for p in case.packs]
        (root / ".lora-lint.yaml").write_text(yaml.safe_dump(settings))
        materialize(case.files or {}, case.count, root)
        return check([root], plugins, Options()).findings


def materialize(files: dict[str, Any], count: int, root: Path) -> None:
    """Write a dataset case's files (see the module docstring) under `root`."""
    import re
    import zlib

    for name, content in files.items():
        for n in range(count if "{n}" in name else 1):
            def fill(text: str) -> str:
                text = text.replace("{n}", f"{n:03d}")
                return re.sub(r"\{pick:([^}]*)\}", lambda m: m.group(1).split("|")[n % len(m.group(1).split("|"))], text)

            path = root / fill(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, dict):
                _image(path, content, seed=content.get("seed", zlib.crc32(fill(name).encode())))
            else:
                path.write_text(fill(str(content)) + ("" if str(content).endswith("\n") else "\n"), encoding="utf-8")


def _image(path: Path, spec: dict, seed) -> None:
    """A picture of random blocks: the same seed draws the same picture."""
    import random

    from PIL import Image

    width, height = (int(v) for v in str(spec.get("image", "1024x1024")).split("x"))
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), tuple(rng.randrange(256) for _ in range(3)))
    for _ in range(6):
        left, top = rng.randrange(max(1, width - 40)), rng.randrange(max(1, height - 40))
        box = (left, top, left + rng.randrange(20, max(21, width // 2)), top + rng.randrange(20, max(21, height // 2)))
        image.paste(tuple(rng.randrange(256) for _ in range(3)), box)
    if spec.get("mode", "RGB") != "RGB":
        image = image.convert(spec["mode"])
    options = {"quality": spec["quality"]} if "quality" in spec else {}
    image.save(path, **options)


def run_pack_tests(paths: list[Path]) -> int:
    """`lora-lint test-pack`: run the cases of every pack under `paths`."""
    from .packs import load_knowledge
    from .plugins import load_plugins

    plugins = load_plugins()
    packs = []
    for path in paths:
        if path.is_dir():
            packs.extend(sorted(path.glob("*.lora")))
        elif path.is_file():
            packs.append(path)
        else:
            raise LoraLintError("no such file or folder", str(path))
    if not packs:
        raise LoraLintError("no rule packs (*.lora) found", ", ".join(map(str, paths)))
    registered = {p.resolve() for p in plugins.packs}
    extra = [p for p in packs if p.resolve() not in registered]
    knowledge = load_knowledge(plugins.packs, extra, plugins.kinds)
    failures = total = 0
    for pack in packs:
        cases = pack_cases(pack, knowledge)
        for case in cases:
            case.packs = [pack.resolve()] if pack.resolve() not in registered else []
        failed = [(case, problems) for case in cases if (problems := run_case(case, knowledge, plugins))]
        total += len(cases)
        failures += len(failed)
        print(f"{pack}: {len(cases) - len(failed)} of {len(cases)} cases pass" if cases else f"{pack}: no cases")
        for case, problems in failed:
            print(f"  FAIL {case.source}: {case.caption!r}" if case.files is None else f"  FAIL {case.source}: a dataset of {len(case.files)} file pattern(s)")
            for problem in problems:
                print(f"       {problem}")
    print(f"{total - failures} passed, {failures} failed")
    return 1 if failures else 0
