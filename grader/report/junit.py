"""JUnit XML, which every CI shows: a test suite per submission, a test case per check."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..results import SubmissionResult
from ..verdict import CheckResult, Verdict
from .escape import xml
from .shown import details


def junit(results: list[SubmissionResult]) -> str:
    suites = ET.Element("testsuites", name="grader")
    for r in results:
        failures = sum(c.verdict not in (Verdict.PASS, Verdict.GRADER_ERROR) for c in r.checks)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=xml(f"{r.assignment}.{r.submission}"),
            tests=str(len(r.checks)),
            failures=str(failures),
            errors=str(r.grader_errors),
            time=f"{r.duration:.3f}",
        )
        for c in r.checks:
            suite.append(_case(r, c))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _case(r: SubmissionResult, c: CheckResult) -> ET.Element:
    case = ET.Element(
        "testcase",
        classname=xml(f"{r.assignment}.{r.submission}"),
        name=xml(c.id),
        time=f"{c.duration or 0:.3f}",
    )
    if c.verdict is Verdict.PASS:
        return case
    tag = "error" if c.verdict is Verdict.GRADER_ERROR else "failure"
    element = ET.SubElement(case, tag, message=xml(f"{c.verdict}: {c.reason}"), type=str(c.verdict))
    element.text = xml(details(c))
    return case
