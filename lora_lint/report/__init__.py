"""`lora-lint report`: the dataset's health as one self-contained HTML page.

`build_report` checks the dataset (the same check, findings and numbers as
`check --format json`) and gathers what the page shows; `render` writes it.
"""
from .collect import Report, build_report
from .page import GENERATOR, render, writable

__all__ = ["GENERATOR", "Report", "build_report", "render", "writable"]
