"""JUnit XML for the CI gate: one test case per task, so CI systems (GitHub, GitLab, Jenkins)
list each benchmark as a test and show the failing ones with their message.

Warnings (a drop beyond the threshold that is not significant) are passing cases whose
message is in ``system-out``: the build stays green but the numbers are one click away.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from llmselect.gate import GateResult


def junit_xml(result: GateResult, suite_name: str = "llmselect gate") -> str:
    """``suite_name`` names the testsuite: ``llmselect test`` passes its own."""
    failures = sum(c.status == "fail" for c in result.cases)
    root = ET.Element("testsuites", name=suite_name, tests=str(len(result.cases)),
                      failures=str(failures), errors="0")
    suite = ET.SubElement(root, "testsuite", name=suite_name, tests=str(len(result.cases)),
                          failures=str(failures), errors="0", skipped="0")
    for case in result.cases:
        el = ET.SubElement(suite, "testcase", name=case.name, classname=case.classname, time="0")
        if case.status == "fail":
            failure = ET.SubElement(el, "failure", message=case.message, type="regression")
            failure.text = case.detail or case.message
        out = ET.SubElement(el, "system-out")
        out.text = case.message if case.status != "fail" else case.detail
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(result: GateResult, path: Path) -> None:
    write_junit_cases(result, path, "llmselect gate")


def write_junit_cases(result: GateResult, path: Path, suite_name: str) -> None:
    from llmselect.errors import EnvironmentProblem
    from llmselect.fileio import atomic_write_text

    text = junit_xml(result, suite_name)
    ET.fromstring(text.split("\n", 1)[1])  # what we write must parse
    try:
        atomic_write_text(Path(path), text)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write JUnit file {path}: {exc.strerror}") from None
