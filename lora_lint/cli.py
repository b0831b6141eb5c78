"""The `lora-lint` command line.

Exit status: 0 clean, 1 findings at or above `--fail-on`, 2 a usage,
settings, pack or input error (one line naming the file; a traceback only
with `--debug`).
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .errors import LoraLintError, did_you_mean


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lora-lint", description="Lint LoRA training datasets: captions, images, and the knowledge to build them.")
    parser.add_argument("--version", action="version", version=f"lora-lint {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="lint datasets (captions and images)")
    _lint_arguments(check)
    check.add_argument("--write-baseline", action="store_true", help="record today's findings in each dataset's .lora-lint-baseline.json: later checks report only new ones")

    fix = commands.add_parser("fix", help="apply the fixes findings carry (safe ones unless --unsafe-fixes)")
    _lint_arguments(fix)
    fix.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that remove content (leaked terms)")
    fix.add_argument("--diff", action="store_true", help="print what would change as a unified diff; change nothing")
    fix.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain (a pre-commit fix hook beside the check hook)")

    report = commands.add_parser("report", help="one self-contained HTML page of the dataset: charts, thumbnails with their findings, vocabulary")
    report.add_argument("path", type=Path, metavar="PATH", help="the dataset (a folder, or a dataset file)")
    report.add_argument("--out", type=Path, default=Path("lora-lint-report.html"), metavar="FILE", help="where to write the page (default: lora-lint-report.html)")
    report.add_argument("--limit", type=_count, default=500, metavar="N", help="items the grid shows, those with findings first (default 500; 0: all)")
    report.add_argument("--force", action="store_true", help="write over a file that is not a lora-lint report")
    report.add_argument("--select", default="", metavar="RULES", help="only these rules (comma-separated names)")
    report.add_argument("--ignore", default="", metavar="RULES", help="skip these rules (comma-separated names)")
    report.add_argument("--config", type=Path, help="settings file to use instead of the nearest .lora-lint.yaml")
    report.add_argument("--no-baseline", dest="baseline", action="store_false", help="show findings the dataset's .lora-lint-baseline.json holds too")
    _lang_argument(report)
    report.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")

    init = commands.add_parser("init", help="write a commented .lora-lint.yaml, from what the dataset's folders and images say")
    init.add_argument("path", nargs="?", type=Path, default=Path("."), metavar="PATH", help="the dataset's root (default: here)")
    init.add_argument("--lora", metavar="TYPE", help="the LoRA type (character, style, object, concept, scene, video)")
    init.add_argument("--model", metavar="MODEL", help="the base model (sd15, sdxl, pony, flux, sd3, kolors, wan, hunyuan, cogvideox)")
    init.add_argument("--trigger", metavar="WORD", help="the trigger word")
    init.add_argument("--class", dest="klass", metavar="WORD", help="the class word")
    init.add_argument("--force", action="store_true", help="write over an existing .lora-lint.yaml")
    init.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)

    tags = commands.add_parser("tags", help="turn tagger output (WD14 .txt, .json or .csv with confidences) into captions")
    tags.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="dataset folders holding images and tagger output")
    tags.add_argument("--general", type=float, default=0.35, help="lowest confidence of a general tag (default 0.35; 0.5 is strict)")
    tags.add_argument("--character", type=float, default=0.5, help="lowest confidence of a character tag (default 0.5)")
    tags.add_argument("--undesired", default="", metavar="TAGS", help="tags never to keep (comma-separated)")
    tags.add_argument("--first", default="", metavar="TAGS", help="tags to put first when present (comma-separated; the trigger always goes first)")
    tags.add_argument("--overwrite", action="store_true", help="replace caption files that are not the tagger's own output")
    tags.add_argument("--txt", action="store_true", help="read .txt files as kohya WD14 output and clean them in place")
    tags.add_argument("--tagger", metavar="NAME", help="tag images without tagger output with this tagger plugin (wd14)")
    tags.add_argument("--model", type=Path, metavar="DIR", help="the tagger's model folder (wd14: model.onnx, selected_tags.csv)")
    tags.add_argument("--unsafe-fixes", action="store_true", help="then also remove what the LoRA should bind (identity, style...)")
    tags.add_argument("--config", type=Path, help="settings file to use instead of the nearest .lora-lint.yaml")
    tags.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")

    prompts = commands.add_parser("prompts", help="generate training prompts and their paired captions for a LoRA type and model")
    _prompt_arguments(prompts)

    plan = commands.add_parser("plan", help="training settings for a dataset, model and GPU; writes trainer configs")
    plan.add_argument("path", type=Path, metavar="PATH", help="the dataset folder")
    _plan_arguments(plan)
    plan.add_argument("--write", action="append", default=[], metavar="TRAINER", help="write this trainer's config files: kohya, ai-toolkit, onetrainer, musubi (repeatable)")
    plan.add_argument("--out", type=Path, metavar="DIR", help="where --write puts the files (default: the dataset root)")
    plan.add_argument("--force", action="store_true", help="replace config files written before")

    doctor = commands.add_parser("doctor", help="causes and fixes of a training problem, checked on the dataset")
    doctor.add_argument("path", nargs="?", type=Path, metavar="PATH", help="the dataset folder to check for the causes")
    doctor.add_argument("--symptom", metavar="TEXT", help="what went wrong: 'loss not decreasing', overfitting, underfitting, 'CUDA OOM', 'color cast'... (omit to list them)")
    _plan_arguments(doctor)

    rules = commands.add_parser("rules", help="list the rules of every loaded pack")
    rules.add_argument("path", nargs="?", type=Path, metavar="PATH", help="include the packs of the dataset at or above PATH (default: here)")
    rules.add_argument("--format", default="rich", choices=("rich", "json"))
    _lang_argument(rules)
    rules.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)

    explain = commands.add_parser("explain", help="what a rule checks and why, with examples")
    explain.add_argument("rule")
    _lang_argument(explain)
    explain.add_argument("path", nargs="?", type=Path, metavar="PATH", help="include the packs of the dataset at or above PATH (default: here)")
    explain.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)

    test_pack = commands.add_parser("test-pack", help="run the fixtures shipped beside rule packs")
    test_pack.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="pack files or folders of packs")
    test_pack.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)

    plugins = commands.add_parser("plugins", help="list loaded plugins and what they provide")
    plugins.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
    return parser


def _lint_arguments(command: argparse.ArgumentParser) -> None:
    """The arguments `check` and `fix` share."""
    command.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="dataset root, a folder below one, or a caption file")
    command.add_argument("--format", default="rich", help="output format: rich, json, sarif, github, junit, or a plugin's (default: rich)")
    command.add_argument("--select", default="", metavar="RULES", help="only these rules (comma-separated names)")
    command.add_argument("--ignore", default="", metavar="RULES", help="skip these rules (comma-separated names)")
    command.add_argument("--fail-on", default="warning", choices=("error", "warning", "info"), help="lowest severity that makes the exit status 1 (default: warning)")
    command.add_argument("--config", type=Path, help="settings file to use instead of the nearest .lora-lint.yaml")
    command.add_argument("--jobs", type=_jobs, default=None, metavar="N", help="processes to check with (default: the machine's cores)")
    command.add_argument("--no-cache", dest="cache", action="store_false", help="neither read nor write the dataset's check cache (.lora-lint-cache/)")
    command.add_argument("--dask", metavar="ADDRESS", help="map and reduce on this Dask scheduler (tcp://host:8786); needs lora-lint[dask]")
    command.add_argument("--color", action=argparse.BooleanOptionalAction, default=None, help="force or disable colours")
    command.add_argument("--no-baseline", dest="baseline", action="store_false", help="report findings the dataset's .lora-lint-baseline.json holds too")
    _lang_argument(command)
    command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")


def _lang_argument(command: argparse.ArgumentParser) -> None:
    from .i18n import LANGS, from_environment

    command.add_argument("--lang", choices=LANGS, default=from_environment(), help="language of messages (default from LC_ALL, LC_MESSAGES, LANG: now %(default)s)")


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"takes a whole number of at least 1, not '{text}'")
    return int(text)


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"takes a whole number, not '{text}'")
    return int(text)


def _jobs_of(args) -> int:
    from .parallel import default_jobs

    return args.jobs or default_jobs()


# Inputs of the built-in recipes that get a flag of their own; a pack's other
# inputs are given with --input NAME=VALUE.
PROMPT_INPUTS = {
    "age": "character: age, as a number (25)",
    "ethnicity": "character: ethnicity (asian)",
    "gender": "character: gender (woman)",
    "face": "character: face shape (oval)",
    "eyes": "character: eye features (single eyelid, brown eyes)",
    "hair": "character: hair (shoulder length black straight hair)",
    "skin": "character: skin (fair skin)",
    "look": "character: style keywords (natural makeup)",
    "style": "style: the style's visual characteristics (watercolor, muted colors)",
    "features": "object: the object's key features (silver body, round logo)",
    "concept": "concept: the target concept (double exposure effect)",
    "scene": "scene: the scene's features (cozy cafe interior, hanging plants)",
    "subject": "video: the subject in motion (a woman with long black hair)",
}


def _prompt_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--type", dest="lora", metavar="TYPE", help="character, style, object, concept, scene or video")
    command.add_argument("--model", help="sd15, sdxl, pony, flux, sd3, kolors, wan, hunyuan, cogvideox")
    command.add_argument("--count", type=int, help="prompts to generate (default: the middle of the type's recommended size)")
    command.add_argument("--seed", type=int, help="the same seed gives the same set (default 0)")
    command.add_argument("--trigger", help="the trigger word of the captions (default ohwx)")
    command.add_argument("--class", dest="klass", metavar="CLASS", help="the class word: woman, handbag (regularization prompts use it)")
    command.add_argument("--anchor", help="a ready appearance anchor instead of the attribute flags")
    for name, text in PROMPT_INPUTS.items():
        command.add_argument(f"--{name}", dest=f"input_{name}", metavar="TEXT", help=text)
    command.add_argument("--input", action="append", default=[], metavar="NAME=VALUE", help="an input of a pack's recipe that has no flag")
    command.add_argument("--lang", choices=("en", "zh-TW", "zh-CN"), help="language of the prompts and captions (Chinese for Kolors)")
    command.add_argument("--phrasing", help="tags, hybrid or natural (default: the model's first caption style)")
    command.add_argument("--reference", action="store_true", default=None, help="IPAdapter/reference mode: a reduced anchor")
    command.add_argument("--regularization", type=float, metavar="TIMES", help="class prompts per training prompt (default: the type's lowest, 0 for style)")
    command.add_argument("--spec", type=Path, metavar="FILE", help="a YAML file with any of these settings (flags win)")
    command.add_argument("--pack", action="append", type=Path, default=[], metavar="FILE", help="an extra rule pack (vocabulary, recipes)")
    command.add_argument("--format", default="text", choices=("text", "json", "csv"), help="stdout: one prompt a line, JSON or CSV (default text)")
    command.add_argument("--out", type=Path, metavar="DIR", help="write a dataset skeleton: prompts, captions in a kohya folder, .lora-lint.yaml")
    command.add_argument("--repeats", type=int, default=None, help="kohya repeats in the folder name (default 10)")
    command.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    command.add_argument("--color", action=argparse.BooleanOptionalAction, default=None, help="force or disable colours")
    command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")


def _plan_arguments(command: argparse.ArgumentParser) -> None:
    """The arguments `plan` and `doctor` share."""
    command.add_argument("--model", help="base model (default: the dataset's .lora-lint.yaml)")
    command.add_argument("--type", dest="lora", metavar="TYPE", help="LoRA type, as for prompts (default: the dataset's .lora-lint.yaml)")
    command.add_argument("--gpu", metavar="NAME", help="the training card, as the VRAM table names it: 'RTX 3060', 'RTX 4090', A100")
    command.add_argument("--vram", type=float, metavar="GB", help="the card's VRAM, when it is not in the table")
    command.add_argument("--variant", help="lora, loha, lokr, dora, oft or boft (default: what the card and goal advise)")
    command.add_argument("--goal", choices=("quality", "preserve"), help="quality: DoRA; preserve the base model's abilities: OFT")
    command.add_argument("--batch", type=int, metavar="N", help="the effective batch wanted (gradient accumulation makes up the rest)")
    command.add_argument("--config", type=Path, help="settings file to use instead of the nearest .lora-lint.yaml")
    command.add_argument("--format", default="rich", choices=("rich", "json"))
    command.add_argument("--color", action=argparse.BooleanOptionalAction, default=None, help="force or disable colours")
    command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        with _fewer_collections():
            return _COMMANDS[args.command](args)
    except LoraLintError as error:
        if args.debug:
            raise
        print(f"lora-lint: error: {error.render()}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print("lora-lint: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # never a traceback for a user unless asked
        if args.debug:
            raise
        print(f"lora-lint: internal error: {type(error).__name__}: {error} (run with --debug for the traceback)", file=sys.stderr)
        return 2


# A check makes millions of short-lived objects and almost no reference cycles.
# CPython collects its youngest generation every 700 new objects, which on
# 100k captions cost 10-20% of a run (`gc.disable()` measured the same); a
# young generation of 100k objects collects the rare cycle all the same.
YOUNG_OBJECTS = 100_000


@contextmanager
def _fewer_collections():
    """The cyclic collector run less often while a command runs (then as it was)."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(YOUNG_OBJECTS, threshold[0]), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _check(args) -> int:
    from .baseline import stale_note
    from .engine import Options, check
    from .plugins import load_plugins

    plugins = load_plugins()
    if args.format not in plugins.reporters:
        raise LoraLintError(f"unknown format '{args.format}' (formats: {', '.join(sorted(plugins.reporters))})")
    texts = args.format not in ("json", "sarif", "github", "junit")  # formats that never show caption text
    options = Options(
        select=_names(args.select), ignore=_names(args.ignore), config=args.config, jobs=_jobs_of(args), cache=args.cache, texts=texts,
        baseline=args.baseline, write_baseline=args.write_baseline, lang=args.lang,
    )
    if getattr(args, "dask", None):
        result = _check_on_dask(args, options)
    elif args.format == "rich" and sys.stderr.isatty():
        from .progress import Progress

        with Progress() as progress:
            options.progress = progress.update
            result = check(args.paths, plugins, options)
    else:
        result = check(args.paths, plugins, options)
    plugins.reporters[args.format](result, sys.stdout, {"color": args.color})
    for dataset in result.datasets:
        if dataset.stale_baseline:  # DESIGN: a warning for entries that no longer match
            print(f"lora-lint: warning: {dataset.path}: {stale_note(dataset.stale_baseline)}", file=sys.stderr)
    if result.errors:  # a rule kind failed: the rest was checked and reported, but the check is not whole
        for error in result.errors:
            print(f"lora-lint: error: {error}", file=sys.stderr)
        return 2
    if args.write_baseline:
        return 0  # every finding is now the baseline's
    return 1 if result.failed(args.fail_on) else 0


def _report(args) -> int:
    from .engine import Options
    from .files import write_texts
    from .plugins import load_plugins
    from .report import build_report, render, writable

    writable(args.out, args.force)  # before the check: a bad --out costs nothing
    plugins = load_plugins()
    options = Options(select=_names(args.select), ignore=_names(args.ignore), config=args.config, baseline=args.baseline, lang=args.lang)
    report = build_report(args.path, plugins, options, args.limit)
    try:
        write_texts({args.out: render(report)})
    except OSError as error:
        raise LoraLintError(f"cannot write the report: {error.strerror or error}", str(args.out)) from None
    counts = report.result.counts()
    said = ", ".join(f"{n} {severity}(s)" for severity, n in counts.items() if n) or "no findings"
    print(f"lora-lint: wrote {args.out}: {report.items} items, {said}", file=sys.stderr)
    for error in report.result.errors:
        print(f"lora-lint: error: {error}", file=sys.stderr)
    return 2 if report.result.errors else 0


def _check_on_dask(args, options):
    try:
        from dask.distributed import Client
    except ImportError:
        raise LoraLintError("--dask needs Dask: pip install 'lora-lint[dask]'") from None
    from .distributed import check_with_dask

    try:
        client = Client(args.dask, timeout=10)
    except (OSError, TimeoutError, ValueError) as error:
        raise LoraLintError(f"cannot reach the Dask scheduler at {args.dask}: {error}") from None
    with client:
        return check_with_dask(args.paths, options, client)


def _fix(args) -> int:
    from .engine import Options, check
    from .fixer import Fixer
    from .plugins import load_plugins

    plugins = load_plugins()
    if args.format not in plugins.reporters:
        raise LoraLintError(f"unknown format '{args.format}' (formats: {', '.join(sorted(plugins.reporters))})")
    fixer = Fixer(unsafe=args.unsafe_fixes, diff=args.diff)
    options = Options(select=_names(args.select), ignore=_names(args.ignore), config=args.config, fixer=fixer, lang=args.lang)
    check(args.paths, plugins, options)
    report = fixer.report
    if args.diff:
        sys.stdout.write("".join(report.diffs))
        print(f"{report.fixed} finding(s) would be fixed in {report.files} file(s)", file=sys.stderr)
        return 1 if report.files else 0
    remaining = check(args.paths, plugins, Options(select=options.select, ignore=options.ignore, config=args.config, jobs=_jobs_of(args), cache=args.cache, baseline=args.baseline, lang=args.lang))
    unsafe = sum(1 for f in remaining.findings if f.fix is not None and not f.fix.safe)
    summary = f"fixed {report.fixed} finding(s) in {report.files} file(s); {len(remaining.findings)} remain"
    if unsafe and not args.unsafe_fixes:
        summary += f" ({unsafe} fixable with --unsafe-fixes)"
    for path, why in report.refused:
        print(f"lora-lint: not fixed: {path}: {why}", file=sys.stderr)
    print(f"lora-lint: {summary}", file=sys.stderr)
    plugins.reporters[args.format](remaining, sys.stdout, {"color": args.color})
    return 1 if remaining.failed(args.fail_on) and not args.exit_zero else 0


def _tags(args) -> int:
    from .engine import Options, check
    from .fixer import Fixer, _write
    from .plugins import load_plugins
    from .settings import Settings, find_settings, load_settings
    from .tagging import caption_from, read_tags, tagger_files

    undesired = {t.replace("_", " ").strip().lower() for t in _names(args.undesired)}
    plugins = load_plugins()
    tagger = None
    if args.tagger:
        if args.tagger not in plugins.taggers:
            raise LoraLintError(f"unknown tagger '{args.tagger}' (taggers: {', '.join(sorted(plugins.taggers)) or 'none installed'})")
        tagger = plugins.taggers[args.tagger](args.model)
    written, kept = set(), 0
    skipped: list[tuple[Path, str]] = []
    for path in args.paths:
        if not path.is_dir():
            raise LoraLintError("not a folder", str(path))
        found = args.config or find_settings(path)
        settings = load_settings(found) if found else Settings()
        keep_characters = settings.lora != "style"
        for image, source in tagger_files(path, args.txt):
            target = image.with_suffix(settings.caption_extension)
            if source is None and tagger is None:
                continue
            if target.is_symlink():
                skipped.append((target, "a link: not written"))
                continue
            if target.exists() and target != source and not args.overwrite:
                kept += 1
                continue
            tags = read_tags(source) if source is not None else tagger.tag(image)
            text = caption_from(tags, args.general, args.character, undesired, keep_characters, tuple(_names(args.first)))
            if not text:
                skipped.append((target, "no tag above the thresholds: not written"))
                continue
            if target.exists():
                _write(str(target), (text + "\n").encode("utf-8"))
            else:
                target.write_text(text + "\n", encoding="utf-8")
            written.add(os.path.abspath(target))
    fixer = Fixer(unsafe=args.unsafe_fixes, only=written)
    check(args.paths, plugins, Options(config=args.config, fixer=fixer))
    report = fixer.report
    print(f"lora-lint: wrote {len(written)} caption(s), left {kept} existing one(s) alone; fixed {report.fixed} finding(s) in them")
    for target, why in skipped:
        print(f"lora-lint: {target}: {why}", file=sys.stderr)
    for where, why in report.refused:
        print(f"lora-lint: not fixed: {where}: {why}", file=sys.stderr)
    print("lora-lint: run 'lora-lint check' to see what is left for a person")
    return 0


def _prompts(args) -> int:
    from .packs import load_knowledge
    from .plugins import load_plugins
    from .prompts import generate
    from .prompts.output import as_csv, as_lines, print_summary, to_json, write_dataset
    from .prompts.spec import request_from

    plugins = load_plugins()
    request, packs, repeats = request_from(args)
    knowledge = load_knowledge(plugins.packs, packs, plugins.kinds)
    prompt_set = generate(request, knowledge, plugins.prompt_styles)
    if args.out:
        written = write_dataset(prompt_set, args.out, repeats, args.force)
        print_summary(prompt_set, sys.stdout, args.color)
        print(f"wrote {len(written)} files to {args.out}")
        return 0
    if args.format == "json":
        import json

        json.dump(to_json(prompt_set), sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "csv":
        as_csv(prompt_set, sys.stdout)
    else:
        as_lines(prompt_set, sys.stdout)
        if prompt_set.negative:
            print(f"negative: {prompt_set.negative}", file=sys.stderr)
        print_summary(prompt_set, sys.stderr, args.color)
    return 0


def _plan_request(args):
    from .plan import Request
    from .plan.recommend import check_request

    request = Request(args.model, args.lora, args.gpu, args.vram, args.variant, args.goal, args.batch)
    check_request(request)
    return request


def _plan(args) -> int:
    import json

    from .files import write_texts
    from .packs import load_knowledge
    from .plan import make_plan, read_settings, survey
    from .plan.output import print_plan, to_json
    from .plugins import load_plugins

    plugins = load_plugins()
    writers = plugins.trainer_configs
    for name in args.write:
        if name not in writers:
            raise LoraLintError(f"unknown trainer '{name}' (trainers: {', '.join(writers)}){did_you_mean(name, writers)}")
    request = _plan_request(args)
    settings = read_settings(args.path, args.config)
    knowledge = load_knowledge(plugins.packs, settings.packs, plugins.kinds)
    plan = make_plan(survey(args.path, plugins, knowledge, settings), knowledge, request)
    out = args.out or plan.survey.root
    files = {out / name: text for writer in args.write for name, text in writers[writer].files(plan, out.resolve()).items()}
    written = write_texts(files, replace=args.force) if files else []
    if args.format == "json":
        document = to_json(plan)
        document["written"] = [str(path) for path in written]
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_plan(plan, sys.stdout, args.color)
        for path in written:
            print(f"wrote {path}")
    return 0


def _doctor(args) -> int:
    import json

    from .packs import load_knowledge
    from .plan import make_plan, read_settings, survey
    from .plan.doctor import diagnose, find_symptom, print_diagnosis, to_json
    from .plugins import load_plugins
    from .settings import Settings

    plugins = load_plugins()
    request = _plan_request(args)
    settings = read_settings(args.path, args.config) if args.path is not None else Settings()
    knowledge = load_knowledge(plugins.packs, settings.packs, plugins.kinds)
    if not args.symptom:
        if args.format == "json":
            json.dump([{"name": s.name, "title": s.get("title"), "aliases": list(s.get("aliases", ()))} for s in knowledge.symptoms.values()], sys.stdout, ensure_ascii=False, indent=2)
            print()
        else:
            for symptom in knowledge.symptoms.values():
                print(f"{symptom.name}: {symptom.get('title', '')}")
        return 0
    symptom = find_symptom(knowledge, args.symptom)
    plan = None
    if args.path is None:
        given = [flag for flag, value in (("--gpu", args.gpu), ("--vram", args.vram), ("--model", args.model), ("--type", args.lora)) if value]
        if given:
            print(f"lora-lint: {', '.join(given)}: give a dataset PATH to plan for it", file=sys.stderr)
    elif (args.model or settings.model) and (args.lora or settings.lora) and symptom.get("shows"):
        plan = make_plan(survey(args.path, plugins, knowledge, settings), knowledge, request)
    diagnosis = diagnose(symptom, args.path, plugins, args.config, plan)
    if args.format == "json":
        json.dump(to_json(diagnosis), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_diagnosis(diagnosis, sys.stdout, args.color)
    return 1 if diagnosis.failed() else 0


def _rules(args) -> int:
    from .docs import print_rules

    print_rules(args.format, args.path, args.lang)
    return 0


def _explain(args) -> int:
    from .docs import explain

    explain(args.rule, args.path, args.lang)
    return 0


def _test_pack(args) -> int:
    from .testing import run_pack_tests

    return run_pack_tests(args.paths)


def _plugins(args) -> int:
    from .docs import print_plugins

    print_plugins()
    return 0


def _init(args) -> int:
    from .init import init
    from .packs import load_knowledge
    from .plugins import load_plugins

    plugins = load_plugins()
    knowledge = load_knowledge(plugins.packs, [], plugins.kinds)
    given = {"lora": args.lora, "model": args.model, "trigger": args.trigger, "class": args.klass}
    target, choices = init(args.path, given, args.force, plugins, knowledge)
    for key, choice in choices.items():
        said = f"{choice.value}" if choice.value is not None else "not set"
        why = f" ({choice.reason})" if choice.reason else ""
        print(f"  {key}: {said}{why}", file=sys.stderr)
    print(f"lora-lint: wrote {target}; now run: lora-lint check {args.path}", file=sys.stderr)
    return 0


_COMMANDS = {"check": _check, "fix": _fix, "report": _report, "init": _init, "tags": _tags, "prompts": _prompts, "plan": _plan, "doctor": _doctor, "rules": _rules, "explain": _explain, "test-pack": _test_pack, "plugins": _plugins}
