"""The report as one self-contained HTML page (Jinja2, autoescaped).

The page holds its styles, its script (the filters, a few lines of plain
JavaScript) and its thumbnails; it asks the network for nothing.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from markupsafe import Markup, escape

from .. import __version__
from ..errors import LoraLintError
from ..findings import SEVERITY_ORDER, Finding
from ..tokens import normalize, segments
from .charts import Bar, bar_chart
from .collect import CROPPED, Report, always_named, label

GENERATOR = '<meta name="generator" content="lora-lint">'  # how a page says it is a report (and may be replaced)
TABLE_TITLES = {"shot": "Shot split", "background": "Backgrounds: simple vs contextual", "content": "Subjects (what the style is shown on)"}
SHOWN_TERMS = 60  # rows of the tag frequency table
DRAWN = 15  # bars of a chart of terms or outfits, the most named first


@dataclass
class Chart:
    """A chart of the page: its heading, the SVG, and a sentence on how to read it."""

    title: str
    svg: Markup
    note: str = ""


def render(report: Report) -> str:
    """The page's HTML."""
    from jinja2 import Environment, PackageLoader

    folder = resources.files(__package__)
    env = Environment(loader=PackageLoader(__package__, ""), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    counts = report.result.counts()
    findings = [f for e in report.entries for f in e.findings] + report.dataset_findings + report.past_findings
    return env.get_template("page.html.j2").render(
        report=report,
        dataset=report.dataset,
        counts=counts,
        verdict=verdict(report),
        rules=sorted({f.rule for f in findings}),
        worst=worst,
        has_reg=any(e.subset != "train" for e in report.entries),
        mix=mix_charts(report),
        buckets=bucket_chart(report),
        changed=[e for e in report.entries if e.fit and (e.fit.upscaled or e.fit.cut)],
        vocabulary=vocabulary(report),
        terms=report.terms[:SHOWN_TERMS],
        always={t[0] for t in always_named(report)},
        highlighted=highlighted,
        rule_docs=report.result.rules,
        style=Markup((folder / "page.css").read_text(encoding="utf-8")),
        script=Markup((folder / "page.js").read_text(encoding="utf-8")),
        generator=Markup(GENERATOR),
        version=__version__,
        made=datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"),
    )


def writable(out: Path, force: bool = False) -> None:
    """Refuse an --out that is not a file lora-lint may (re)write: a folder,
    a link, a missing folder, or a file other than an earlier report (a
    caption, the settings) without --force."""
    if not out.name:
        raise LoraLintError("not a file name", str(out))
    if out.is_symlink():
        raise LoraLintError("is a link: not written", str(out))
    if out.is_dir():
        raise LoraLintError("is a folder: name the report's file", str(out))
    if not out.parent.is_dir():
        raise LoraLintError("no such folder to write the report in", str(out.parent))
    if out.exists() and not force:
        try:
            with open(out, "rb") as handle:
                head = handle.read(4096)
        except OSError as error:
            raise LoraLintError(f"cannot read it to see what it is: {error.strerror}", str(out)) from None
        if GENERATOR.encode() not in head:
            raise LoraLintError("exists and is not a lora-lint report: --force replaces it", str(out))


def verdict(report: Report) -> tuple[str, str]:
    """(class, sentence) of the header's verdict."""
    counts, dataset = report.result.counts(), report.dataset
    if report.result.errors:
        return "error", f"Not fully checked: {len(report.result.errors)} rule(s) failed (see the notes)"
    if not dataset.captions:
        return "error", "Nothing to train on: no captions found"
    if counts.get("error"):
        level, said = "error", f"Not ready to train: {counts['error']} error(s) to fix first"
    elif counts.get("warning"):
        level, said = "warning", f"Trainable, with {counts['warning']} warning(s) worth a look"
    else:
        level, said = "ok", "Ready to train: no errors or warnings"
    if not dataset.lora:  # the type's rules did not run: "ready" would claim too much
        level = "error" if level == "error" else "warning"
        said += "; but no LoRA type is set, so its rules did not run ('lora:' in .lora-lint.yaml)"
    return level, said


def worst(findings: list[Finding]) -> str:
    """The most severe severity among findings ("" for none)."""
    return max((f.severity for f in findings), key=SEVERITY_ORDER.__getitem__, default="")


def mix_charts(report: Report) -> list[Chart]:
    """The packs' distributions, variety fields, outfits, concept balance and
    field coverage, from the numbers the check judged."""
    drawers = {"distribution": _distribution, "variety": _variety, "outfits": _outfits}  # in the page's order
    measures = report.dataset.measures
    kinds = {name: report.result.rules[name].kind for name in measures if name in report.result.rules}
    charts: list[Chart] = []
    for kind, draw in drawers.items():
        for name in (n for n, k in kinds.items() if k == kind):
            charts += draw(name, measures[name])
    if report.fields and report.captioned:
        bars = [Bar(field, round(n * 100 / report.captioned, 1), f"{n} of {report.captioned}", 100, 100, n < report.captioned) for field, n in report.fields]
        charts.append(Chart("Required fields: captions naming each", Markup(bar_chart("fields", "Required fields", bars, 100, "%")),
                            "What missing-field judged. A field the captions leave out is bound to the trigger: the LoRA draws whatever the images happened to show."))
    return charts


def _distribution(name: str, measure: dict) -> list[Chart]:
    charts = []
    tolerance = measure.get("tolerance", 0)
    for table, numbers in measure["tables"].items():
        if not numbers["classified"]:
            continue
        bars = [
            Bar(label(row["row"]), row["share"], f"{row['share']:g}% ({row['count']})", row["low"], row["high"], row["outside"])
            for row in numbers["rows"]
        ]
        note = f"{numbers['classified']} images classified; the bands are the LoRA type's targets (±{tolerance:g} points allowed)."
        if not numbers["judged"]:
            note += " Too few images to judge yet."
        scale = min(100, max(max(b.value for b in bars), max(b.high for b in bars)) * 1.25)
        charts.append(Chart(TABLE_TITLES.get(table, f"{label(table).capitalize()} mix"), Markup(bar_chart(f"{name}-{table}", table, bars, scale, "%")), note))
    folders = measure.get("folders", [])
    if len(folders) > 1:
        weights = [f["images"] * f["repeats"] for f in folders]
        bars = [Bar(f["folder"], w, f"{f['images']} x {f['repeats']} = {w}") for f, w in zip(folders, weights)]
        charts.append(Chart("Concept folders: images x repeats", Markup(bar_chart(f"{name}-folders", "concept folders", bars, max(weights))),
                            "Each concept should contribute about the same: adjust the folder's repeats."))
    return charts


def _variety(name: str, measure: dict) -> list[Chart]:
    images, dominant = measure["images"], measure.get("dominant")
    charts = []
    for field, numbers in measure["fields"].items():
        if not numbers["terms"] or not images:
            continue
        bars = [Bar(t["term"], t["count"], f"{t['count']} ({round(t['count'] * 100 / images)}%)", flagged=t["dominant"] and measure["judged"])
                for t in numbers["terms"][:DRAWN]]
        note = f"{len(numbers['terms'])} distinct terms in {images} captions; {numbers['needed']} or more keep the {label(field)} controllable."
        if len(numbers["terms"]) > DRAWN:
            note += f" The {DRAWN} most named are drawn."
        if dominant:
            note += f" A term in more than {dominant:g}% of captions is bound."
        charts.append(Chart(f"{label(field).capitalize()} variety", Markup(bar_chart(f"{name}-{field}", label(field), bars, images)), note))
    return charts


def _outfits(name: str, measure: dict) -> list[Chart]:
    charts = []
    for concept, numbers in measure["concepts"].items():
        images, needed = numbers["images"], numbers.get("needed")
        if not images:
            continue
        repeated = [o for o in numbers["outfits"] if o["count"] > 1][:DRAWN]
        distinct = Bar("distinct outfits", numbers["distinct"], f"{numbers['distinct']} of {images}", needed, images if needed else None,
                       flagged=bool(needed and numbers["distinct"] < needed))
        bars = [distinct] + [Bar(o["outfit"], o["count"], f"{o['count']} images", flagged=True) for o in repeated]
        title = "Outfits" if concept == "." else f"Outfits of {concept}"
        note = f"{numbers['distinct']} distinct outfits in {images} captions" + (f" ({needed} or more wanted)" if needed else "")
        note += "; the outfits below repeat, and repeats are bound to the character." if repeated else "; none repeats."
        charts.append(Chart(title, Markup(bar_chart(f"{name}-{concept}", title, bars, images)), note))
    return charts


def bucket_chart(report: Report) -> Chart | None:
    """Which aspect-ratio bucket each training image lands in."""
    if not report.buckets or not report.base:
        return None
    most = max(b.images for b in report.buckets)
    bars = []
    for bucket in report.buckets:
        said = [f"{bucket.images}"]
        said += [f"{bucket.upscaled} upscaled"] if bucket.upscaled else []
        said += [f"{bucket.cut} cropped"] if bucket.cut else []
        bars.append(Bar(f"{bucket.width}x{bucket.height}", bucket.images, ", ".join(said), flagged=bool(bucket.upscaled or bucket.cut)))
    width, height = report.base
    note = (f"kohya buckets of the model's {width}x{height}: sides in steps of 64 from 256 to {2 * max(width, height)}, area at most {width}x{height}. "
            f"Upscaled images are smaller than their bucket (they soften); cropped ones lose {round(CROPPED * 100)}% or more of the picture.")
    return Chart("Aspect-ratio buckets", Markup(bar_chart("buckets-chart", "aspect-ratio buckets", bars, most)), note)


def vocabulary(report: Report) -> list[dict] | None:
    """The vocabulary in use (vocab-mixing's measure): a term written several
    ways, or not in its canonical form, is flagged. None when no mixing rule ran."""
    for name, measure in report.dataset.measures.items():
        if name in report.result.rules and report.result.rules[name].kind == "mixing":
            rows = []
            for term in measure["terms"]:
                mixed = len(term["forms"]) > 1
                variant = any(f["form"] != term["canonical"] for f in term["forms"])
                rows.append({**term, "mixed": mixed, "variant": variant})
            return sorted(rows, key=lambda r: (not r["mixed"], not r["variant"], r["category"], r["canonical"]))
    return None


def highlighted(text: str, findings: list[Finding]) -> Markup:
    """The caption text with each finding's span in a <mark>. A span on one
    tag or clause (a leaked term, a variant, an empty tag) is marked; one
    across several (a missing field, the caption's length) is about the
    caption as a whole: it is listed, not marked."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    pieces = segments(normalize(text))
    spans = []
    for finding in findings:
        if finding.line is None or finding.column is None or finding.line > len(starts):
            continue
        start = starts[finding.line - 1] + finding.column - 1
        end = starts[finding.line - 1] + (finding.end_column or finding.column + 1) - 1
        if start < end and sum(1 for a, b in pieces if a < end and start < b) <= 1:
            spans.append((start, end, finding))
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out = []
    for left, right in zip(cuts, cuts[1:]):
        piece = escape(text[left:right])
        covering = [f for s, e, f in spans if s <= left and right <= e]
        if not covering:
            out.append(piece)
            continue
        keys = " ".join(sorted({f"{f.rule}:{f.severity}" for f in covering}))
        said = "; ".join(f"{f.rule}: {f.message}" for f in covering)
        out.append(Markup('<mark class="sev-{}" data-keys="{}" title="{}">{}</mark>').format(worst(covering), keys, said, piece))
    return Markup("").join(out)
