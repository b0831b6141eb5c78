"""`--format junit`: JUnit XML, which CI systems (GitLab, Jenkins, Azure)
show as test results: a test suite a file, a failing test case a finding."""
from __future__ import annotations

import os
from itertools import groupby
from typing import IO, Any
from xml.etree import ElementTree as ET

from ..errors import one_line as _xml  # control characters escaped: XML 1.0 cannot hold most of them
from .locations import file_and_line


def report(result, stream: IO[str], options: dict[str, Any]) -> None:
    """Write the findings as JUnit XML (a clean run is one passing case)."""
    cwd = os.getcwd()
    root = ET.Element("testsuites", name="lora-lint", tests=str(max(len(result.findings), 1)), failures=str(len(result.findings)))
    for path, group in groupby(result.findings, key=lambda f: f.path):
        findings = list(group)
        suite = ET.SubElement(root, "testsuite", name=_xml(file_and_line(result, findings[0], cwd)[0]), tests=str(len(findings)), failures=str(len(findings)), errors="0")
        for finding in findings:
            file, line, column, _ = file_and_line(result, finding, cwd)
            file = _xml(file)
            where = f"{line}:{column}" if line and column else str(line or "-")
            case = ET.SubElement(suite, "testcase", classname=file, name=f"{finding.rule} at {where}", file=file)
            if line:
                case.set("line", str(line))
            failure = ET.SubElement(case, "failure", message=_xml(finding.message), type=finding.severity)
            failure.text = f"{file}:{where}: {finding.severity} [{finding.rule}] {_xml(finding.message)}"
    if not result.findings:
        suite = ET.SubElement(root, "testsuite", name="lora-lint", tests="1", failures="0", errors="0")
        captions = sum(d.captions for d in result.datasets)
        ET.SubElement(suite, "testcase", classname="lora-lint", name=f"check ({captions} captions)")
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")
