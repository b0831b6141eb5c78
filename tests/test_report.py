"""`lora-lint report`: one self-contained page whose findings and charts are
the check's own, and which works in a real browser (headless Chromium)."""
from __future__ import annotations

import os
import shutil
from html.parser import HTMLParser
from collections import Counter
from pathlib import Path

import pytest

from conftest import FOLDER
from lora_lint.report.collect import bucket_sizes, fit

FINDING_KEYS = ("rule", "severity", "path", "line", "column", "end_column", "message")


class Page(HTMLParser):
    """What the tests read back from a report: findings, bars, marks, images."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.findings: list[dict] = []
        self.bars: dict[str, list[tuple[str, float]]] = {}  # chart id -> (label, value)
        self.marks: dict[str, list[str]] = {}  # card path -> marked texts
        self.images: list[str] = []
        self.links: list[str] = []
        self._chart = self._card = None
        self._finding: dict | None = None
        self._in_message = self._in_mark = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "svg" and "chart" in classes:
            self._chart = a["id"]
            self.bars[self._chart] = []
        elif tag == "rect" and "bar" in classes:
            self.bars[self._chart].append((a["data-label"], float(a["data-value"])))
        elif tag == "article":
            self._card = a["data-path"]
        elif tag == "li" and "finding" in classes:
            self._finding = {k: a[f"data-{k.replace('_', '-')}"] for k in FINDING_KEYS[:-1]}
            self._finding["message"] = ""
        elif tag == "span" and "message" in classes:
            self._in_message = True
        elif tag == "mark":
            self._in_mark = True
            self.marks.setdefault(self._card, []).append("")
        elif tag == "img":
            self.images.append(a["src"])
        for key in ("src", "href"):
            if key in a and tag != "img":
                self.links.append(a[key])

    def handle_endtag(self, tag):
        if tag == "svg":
            self._chart = None
        elif tag == "span":
            self._in_message = False
        elif tag == "mark":
            self._in_mark = False
        elif tag == "li" and self._finding is not None:
            self.findings.append(self._finding)
            self._finding = None

    def handle_data(self, data):
        if self._in_message and self._finding is not None:
            self._finding["message"] += data
        if self._in_mark:
            self.marks[self._card][-1] += data


def _comparable(finding: dict) -> tuple:
    return tuple("" if finding[k] is None else str(finding[k]) for k in FINDING_KEYS)


@pytest.fixture
def report(dataset, run, tmp_path):
    """The example dataset's report, and its check as JSON."""
    out = tmp_path / "report.html"
    made = run("report", dataset, "--out", out)
    assert made.code == 0, made.err
    checked = run("check", dataset, "--format", "json").json
    return out, Page(out.read_text(encoding="utf-8")), checked


def test_report_findings_are_exactly_the_checks_json_findings(report):
    _, page, checked = report
    assert checked["findings"], "the example dataset has planted problems"
    assert sorted(map(_comparable, page.findings)) == sorted(map(_comparable, checked["findings"]))


def test_report_charts_draw_the_checks_distribution_numbers(report):
    _, page, checked = report
    measures = checked["summary"]["datasets"][0]["measures"]
    tables = measures["distribution"]["tables"]
    for table in ("shot", "background"):
        drawn = page.bars[f"distribution-{table}"]
        assert drawn == [(row["row"].rsplit(".", 1)[-1].replace("_", " "), row["share"]) for row in tables[table]["rows"]]
    for field, numbers in measures["variety"]["fields"].items():
        drawn = page.bars[f"variety-{field}"]
        assert drawn == [(t["term"], t["count"]) for t in numbers["terms"][:15]]
    outfits = measures["clothing-repeat"]["concepts"]["ohwx"]
    assert page.bars["clothing-repeat-ohwx"][0] == ("distinct outfits", outfits["distinct"])


def test_report_marks_the_exact_span_of_each_finding(report, dataset):
    _, page, checked = report
    text = (dataset / FOLDER / "003.txt").read_text()
    leaks = [f for f in checked["findings"] if f["path"].endswith("003.txt") and f["rule"] == "identity-leak"]
    assert page.marks[f"{FOLDER}/003.txt"] == [text[f["column"] - 1 : f["end_column"] - 1] for f in leaks] == ["asian", "black hair"]


def test_report_is_one_file_that_asks_the_network_for_nothing(report):
    out, page, _ = report
    html = out.read_text(encoding="utf-8")
    assert page.images and all(src.startswith("data:image/jpeg;base64,") for src in page.images)
    assert len(page.images) == 52  # every training and regularization image has its thumbnail
    assert all(link.startswith("#") for link in page.links)
    assert "<link" not in html and "url(" not in html and "@import" not in html
    assert "default-src 'none'" in html  # the browser refuses any request the page might make


def test_report_escapes_caption_text(dataset, run, tmp_path):
    (dataset / FOLDER / "001.txt").write_text("ohwx woman, <script>alert(1)</script>, close-up\n")
    out = tmp_path / "report.html"
    assert run("report", dataset, "--out", out).code == 0
    html = out.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_report_keeps_going_past_a_broken_image(dataset, run, tmp_path):
    (dataset / FOLDER / "002.png").write_bytes(b"not a png at all")
    out = tmp_path / "report.html"
    made = run("report", dataset, "--out", out)
    assert made.code == 0, made.err
    page = Page(out.read_text(encoding="utf-8"))
    assert len(page.images) == 51
    assert any(f["path"] == f"{FOLDER}/002.png" and f["rule"] == "image-quality" for f in page.findings)


def test_report_refuses_bad_paths_in_one_line(run, tmp_path, dataset):
    missing = run("report", tmp_path / "nowhere", "--out", tmp_path / "r.html")
    assert missing.code == 2 and missing.err.count("\n") == 1 and "nowhere" in missing.err
    link = tmp_path / "link.html"
    link.symlink_to(tmp_path / "elsewhere.html")
    linked = run("report", dataset, "--out", link)
    assert linked.code == 2 and "is a link" in linked.err and not (tmp_path / "elsewhere.html").exists()
    repository = tmp_path / "repository"
    shutil.copytree(dataset, repository / "one")
    shutil.copytree(dataset, repository / "two")
    several = run("report", repository, "--out", tmp_path / "r.html")
    assert several.code == 2 and "a report is of one dataset" in several.err


def test_buckets_are_kohyas_and_say_what_is_upscaled_or_cropped():
    sizes = bucket_sizes((1024, 1024))
    assert {(1024, 1024), (832, 1216), (1216, 832), (896, 1152), (768, 1344), (640, 1536)} <= set(sizes)
    assert all(w % 64 == 0 and h % 64 == 0 and w * h <= 1024 * 1024 for w, h in sizes)
    portrait = fit((1024, 1536), sizes)
    assert portrait.bucket == (832, 1216) and not portrait.upscaled and not portrait.cut
    small = fit((512, 512), sizes)
    assert small.bucket == (1024, 1024) and small.upscaled and small.scale == 2
    assert not fit((1500, 1000), sizes).cut  # 1216x832: the buckets come close to common shapes
    strip = fit((10000, 1000), sizes)
    assert strip.bucket == (2048, 256) and strip.cut and round(strip.cropped, 2) == 0.2  # the widest bucket is 8:1


# --- in a real browser -------------------------------------------------------

BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    """The Chromium to drive, or a skip saying how to get one."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]' installs it)")
    found = os.environ.get("LORA_LINT_CHROMIUM") or next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    if not found:
        pytest.skip("no Chromium here: .ci/run installs Debian's chromium package (apt-get install chromium)")
    return found


@pytest.fixture
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield launched
        launched.close()


def test_report_renders_and_filters_in_chromium(browser, report, tmp_path):
    out, page_data, checked = report
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: errors.append(request.url) if not request.url.startswith(("file:", "data:")) else None)
    page.goto(out.as_uri())

    # the charts are drawn: every chart has bars, a bar's width follows its value
    charts = page.eval_on_selector_all("svg.chart", "svgs => svgs.map(s => [s.id, s.getBoundingClientRect().width, s.querySelectorAll('rect.bar').length])")
    assert charts and all(width > 300 and bars > 0 for _, width, bars in charts)
    widths = page.eval_on_selector_all("#distribution-shot rect.bar", "bars => bars.map(b => [Number(b.dataset.value), b.getBBox().width])")
    assert sorted(widths) == sorted(widths, key=lambda bar: bar[1])
    # the thumbnails are decoded images (those below the fold load lazily: ask for them now)
    page.eval_on_selector_all("img", "images => Promise.all(images.map(i => { i.loading = 'eager'; return i.decode(); }))")
    assert page.eval_on_selector_all("img", "images => images.every(i => i.complete && i.naturalWidth > 0)")
    assert page.eval_on_selector_all("img", "images => images.length") == len(page_data.images)

    every = len(page_data.findings)
    assert page.text_content("#shown") == f"52 of 52 items shown, {every} findings"
    # keyboard: Tab order reaches the filters, Space toggles one
    page.focus("input[name=severity][value=error]")
    page.keyboard.press("Space")
    errors_only = sum(1 for f in checked["findings"] if f["severity"] == "error")
    assert page.text_content("#shown").endswith(f"{every - errors_only} findings")
    assert page.is_hidden(f"article[data-path='{FOLDER}/003.txt'] li[data-severity=error]")
    assert "off" in page.get_attribute(f"article[data-path='{FOLDER}/003.txt'] mark", "class")
    # only one rule: the cards without it go, clean ones stay unless asked
    page.click("button[type=reset]")
    for name in {f["rule"] for f in checked["findings"]} - {"identity-leak"}:
        page.uncheck(f"input[name=rule][value='{name}']")
    page.uncheck("input[name=clean]")
    page.uncheck("input[name=reg]")
    visible = page.eval_on_selector_all("article.card:not([hidden])", "cards => cards.map(c => c.dataset.path)")
    assert visible == [f"{FOLDER}/003.txt"]

    page.click("button[type=reset]")
    shot = Path(os.environ.get("LORA_LINT_SCREENSHOT") or tmp_path / "report.png")
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    assert errors == []


def test_report_follows_the_dark_mode_of_the_system(browser, report):
    out, _, _ = report
    colours = []
    for scheme in ("light", "dark"):
        page = browser.new_page(color_scheme=scheme)
        page.goto(out.as_uri())
        colours.append(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        page.close()
    assert colours == ["rgb(255, 255, 255)", "rgb(18, 21, 27)"]


def test_readme_shows_what_report_prints(run, tmp_path, monkeypatch):
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = readme.split("$ lora-lint report examples/character-dataset --out report.html\n", 1)[1].split("\n", 1)[0]
    monkeypatch.chdir(tmp_path)
    made = run("report", REPO / "examples" / "character-dataset", "--out", "report.html")
    assert made.err.strip() == shown
    for picture in ("docs/report-top.png", "docs/report-captions.png"):
        assert f"]({picture})" in readme and (REPO / picture).stat().st_size > 20_000


def test_report_never_writes_over_a_file_that_is_not_a_report(dataset, run, tmp_path):
    caption = dataset / FOLDER / "001.txt"
    before = caption.read_bytes()
    refused = run("report", dataset, "--out", caption)
    assert refused.code == 2 and "is not a lora-lint report: --force replaces it" in refused.err
    assert caption.read_bytes() == before
    out = tmp_path / "report.html"
    assert run("report", dataset, "--out", out).code == 0
    assert run("report", dataset, "--out", out).code == 0  # an earlier report is replaced
    for bad, said in ((tmp_path, "is a folder"), (tmp_path / "missing" / "r.html", "no such folder")):
        made = run("report", dataset, "--out", bad)
        assert made.code == 2 and said in made.err and made.err.count("\n") == 1
    assert not (tmp_path / "missing").exists()


def test_report_marks_spans_on_one_tag_and_lists_whole_caption_findings(dataset, run, tmp_path):
    (dataset / FOLDER / "001.txt").write_text("ohwx woman, close-up, blue eyes,\nsmiling,  looking at viewer ,, \n")
    out = tmp_path / "report.html"
    assert run("report", dataset, "--out", out).code == 0
    page = Page(out.read_text(encoding="utf-8"))
    on_001 = [f for f in page.findings if f["path"] == f"{FOLDER}/001.txt"]
    assert {"identity-leak", "missing-field"} <= {f["rule"] for f in on_001}
    marked = page.marks[f"{FOLDER}/001.txt"]
    assert "blue eyes" in marked and all("," not in text.strip(", ") for text in marked)


def test_required_fields_chart_is_what_missing_field_judged(report):
    _, page, checked = report
    bars = dict(page.bars["fields"])
    captioned = checked["summary"]["datasets"][0]["captions"]  # each has its image in the example (020.png has no caption)
    missing = Counter(f["message"].split("caption names no ", 1)[1].split(":", 1)[0] for f in checked["findings"] if f["rule"] == "missing-field")
    assert missing  # one caption names no lighting
    assert bars == {field: round((captioned - missing[field]) * 100 / captioned, 1) for field in bars}
    assert set(bars) == {"expression", "eye direction", "clothing", "background", "lighting"}


def test_report_draws_only_what_ran(dataset, run, tmp_path):
    out = tmp_path / "report.html"
    assert run("report", dataset, "--out", out, "--select", "identity-leak").code == 0
    html = out.read_text(encoding="utf-8")
    page = Page(html)
    assert "fields" not in page.bars and not any(chart.startswith("distribution-") for chart in page.bars)
    assert {f["rule"] for f in page.findings} == {"identity-leak"}
    assert "No rule of kind <code>mixing</code>" in html


def test_report_grid_has_a_limit_but_every_finding_is_listed(report, dataset, run, tmp_path):
    _, _, checked = report
    out = tmp_path / "limited.html"
    assert run("report", dataset, "--out", out, "--limit", "3").code == 0
    page = Page(out.read_text(encoding="utf-8"))
    assert len(page.images) == 3  # thumbnails only for the cards shown
    assert sorted(map(_comparable, page.findings)) == sorted(map(_comparable, checked["findings"]))
    assert "The grid shows 3 of 52 items" in out.read_text(encoding="utf-8")


def test_report_verdict_and_base_resolution_follow_the_settings(dataset, run, tmp_path):
    settings = dataset / ".lora-lint.yaml"
    settings.write_text(settings.read_text().replace("model: sdxl", "model: flux"))
    out = tmp_path / "flux.html"
    assert run("report", dataset, "--out", out).code == 0
    assert "flux (1024x1024)" in out.read_text(encoding="utf-8")  # Flux trains at the top of 512..1024
    settings.write_text("model: sdxl\n")
    out = tmp_path / "untyped.html"
    assert run("report", dataset, "--out", out).code == 0
    html = out.read_text(encoding="utf-8")
    assert "but no LoRA type is set, so its rules did not run" in html
    terms = [row.split("</th>")[0] for row in html.split('<th scope="row">')[1:]]
    assert "a" not in terms and "of" not in terms  # function words are no tags


def test_report_in_chinese_has_the_checks_chinese_findings(dataset, run, tmp_path):
    out = tmp_path / "zh.html"
    assert run("report", dataset, "--out", out, "--lang", "zh-TW").code == 0
    html = out.read_text(encoding="utf-8")
    checked = run("check", dataset, "--format", "json", "--lang", "zh-TW").json
    assert sorted(map(_comparable, Page(html).findings)) == sorted(map(_comparable, checked["findings"]))
    assert '<span class="message" lang="zh-TW">' in html
