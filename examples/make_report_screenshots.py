"""Remake the README's screenshots of `lora-lint report` on the example dataset.

Run from the repository root, with Chromium and playwright installed
(pip install -e '.[test]'; apt-get install chromium):

    python examples/make_report_screenshots.py

Writes docs/report-top.png (the header and the first charts) and
docs/report-captions.png (the caption grid with its filters).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "report.html"
        subprocess.run([str(Path(sys.executable).with_name("lora-lint")), "report", "examples/character-dataset", "--out", str(page_file)], check=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 980}, device_scale_factor=1)
            page.goto(page_file.as_uri())
            page.screenshot(path="docs/report-top.png")
            page.locator("#captions-h").scroll_into_view_if_needed()
            page.evaluate("document.getElementById('captions').scrollIntoView()")
            page.screenshot(path="docs/report-captions.png")
            browser.close()


if __name__ == "__main__":
    main()
