"""The HTML class report from results made by hand: its statistics, the grouping of the same
diagnosis across students, and the page (well-formed, escaped, one self-contained file)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from grader.report.class_stats import common_max, histogram, scores, spread, tallies
from grader.report.diagnosis_groups import grouped, normalised
from grader.report.html_report import html_report
from grader.results import BuildSummary, SubmissionResult
from grader.verdict import CheckResult, Finding, Verdict

P, F, E, B = Verdict.PASS, Verdict.FAIL, Verdict.GRADER_ERROR, Verdict.BUILD_FAILED
LEAK = "pipe descriptors leaked into programs you started: `sleep` (pid {}) fd {} (read end)"


def check(cid: str, verdict: Verdict, *diagnosis: str, points: float = 2) -> CheckResult:
    finding = None if verdict is P else Finding(f"{cid} went wrong", diagnosis=list(diagnosis))
    return CheckResult(cid, f"title of {cid}", "correctness", "visible", points, verdict, finding)


def student(name: str, *checks: CheckResult, built: bool = True) -> SubmissionResult:
    build = BuildSummary(built, 0 if built else 2, errors="" if built else "x.c:1: error: `<`")
    return SubmissionResult(name, f"/{name}", "hw1", "docker", build, list(checks))


CLASS = [
    student("alice", check("a", P), check("b", P), check("c", P)),
    student("bob", check("a", P), check("b", F, LEAK.format(143, 3)), check("c", P)),
    student(
        "carol", check("a", F, LEAK.format(98, 4)), check("b", F, LEAK.format(7, 3)), check("c", E)
    ),
    student(
        "<img src=x onerror=alert(1)>", check("a", B), check("b", B), check("c", B), built=False
    ),
]


def test_spread_of_scores():
    s = spread([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
    assert (s.count, s.mean, s.median, s.stdev, s.low, s.high) == (8, 5.0, 4.5, 2.0, 2.0, 9.0)
    assert spread([]) is None


def test_scores_are_points_unless_the_maxima_differ():
    assert common_max(CLASS) == 6 and scores(CLASS, 6) == [6, 4, 0, 0]
    odd = [*CLASS, student("dave", check("a", P))]
    assert common_max(odd) is None and scores(odd, None)[-3:] == [0, 0, 100]
    assert "In percent of each one's maximum" in html_report(odd, "odd")


def test_histogram_puts_full_marks_in_the_last_tenth():
    assert histogram(CLASS) == [2, 0, 0, 0, 0, 0, 1, 0, 0, 1]
    assert histogram([student("nobody")]) == [1] + [0] * 9  # no checks: no division by zero


def test_pass_rate_leaves_grader_errors_out():
    by_id = {t.id: t for t in tallies(CLASS)}
    assert list(by_id) == ["a", "b", "c"]  # the suite's order
    c = by_id["c"]
    assert c.counts == {"passed": 2, "failed": 0, "not built": 1, "grader error": 1}
    assert c.pass_rate == 2 / 3
    assert by_id["b"].pass_rate == 1 / 4


@pytest.mark.parametrize(
    "one, other",
    [
        (LEAK.format(143, 3), LEAK.format(98, 4)),
        (
            "listen on the port it is given (here 8000)",
            "listen on the port it is given (here 41234)",
        ),
        ("never accepted a connection on port 8000", "never accepted a connection on port 41234"),
        ("only 4 of 3014 bytes came back", "only 65536 of 1048576 bytes came back"),
        ("line 1 differs at column 14 (byte 13)", "line 3 differs at column 2 (byte 70)"),
        ("51 exited child process(es)", "200 exited child process(es)"),
        ("no answer within 2.5 s", "no answer within 10 s"),
        (
            'the reference\'s begins "a\\"b"...; exit status 0',
            'the reference\'s begins "c"; exit status 0',
        ),
        ("`sleep` (pid 1), `sleep` (pid 2), `sleep` (pid 3); wait", "`sleep` (pid 9); wait"),
    ],
)
def test_run_specific_numbers_are_taken_out(one, other):
    assert normalised(one) == normalised(other)


@pytest.mark.parametrize(
    "one, other",
    [
        ("exit status 0 where the reference exits 1", "exit status 0 where the reference exits 2"),
        ("killed by SIGSEGV", "killed by SIGPIPE"),
        ("`sleep` (pid 1)", "`cat` (pid 1)"),
    ],
)
def test_what_tells_causes_apart_is_kept(one, other):
    assert normalised(one) != normalised(other)


def test_normalising_a_long_line_is_quick():
    assert normalised("y" * 300_000 + ' "' + "z" * 300_000) == "y" * 300_000 + ' "' + "z" * 300_000


def test_the_same_diagnosis_is_one_group_counted_by_student():
    groups = grouped(CLASS)
    assert len(groups) == 1  # build failures and grader errors give no diagnosis
    leak = groups[0]
    assert leak.students == {"bob", "carol"} and leak.times == 3 and list(leak.checks) == ["b", "a"]
    assert leak.text == LEAK.format("#", "#") and leak.example == LEAK.format(143, 3)


class Parsed(HTMLParser):
    """The page's elements, attributes and style sheet; asserts that every element is closed
    in order (void and self-closed ones aside)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.open: list[str] = []
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []
        self.style = ""
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.handle_startendtag(tag, attrs)
        if tag not in ("meta", "br"):
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += attrs

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, (tag, self.open[-3:])

    def handle_data(self, data):
        if self.open and self.open[-1] == "style":
            self.style += data


@pytest.fixture(scope="module")
def page() -> str:
    return html_report(CLASS, "hw1 <pipes>")


def test_page_is_well_formed_and_self_contained(page):
    parsed = Parsed(page)
    assert parsed.open == []
    assert {"svg", "details", "summary"} <= parsed.tags
    # Nothing is run or fetched: no script, no element that loads, no URL anywhere.
    assert not parsed.tags & {"script", "link", "img", "iframe", "object", "embed", "image"}
    assert not {name for name, _ in parsed.attrs} & {"src", "href", "xlink:href", "xmlns"}
    assert not [name for name, _ in parsed.attrs if name.startswith("on")]
    values = " ".join(value or "" for _, value in parsed.attrs)
    assert not re.search(r"url\(|@import|//", values + parsed.style)


def test_student_text_is_escaped(page):
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "hw1 &lt;pipes&gt;" in page and "`&lt;`" in page  # the build log


def test_page_shows_stats_charts_flags_groups_and_students(page):
    assert "<th>mean</th>" in page and "<td>everyone</td><td>4</td><td>2.5</td>" in page
    assert "<td>those that built</td><td>3</td><td>3.3</td>" in page
    assert page.count("<rect") >= 10 + 3  # ten bars of scores, a bar per check
    assert ">67%</text>" in page  # check c: 2 passed of the 3 judged
    flags = re.search(r"<h2>Build failures</h2>.*?<h2>", page, re.S)[0]
    assert "&lt;img src=x" in flags and "bob" not in flags
    ours = re.search(r"<h2>Grader errors</h2>.*?<h2>", page, re.S)[0]
    assert "<td>carol</td><td>c</td><td>c went wrong</td>" in ours
    row = re.search(r"<tr><td class=n>2</td><td class=n>3</td><td>b, a</td><td>(.*?)</td>", page)
    assert row[1].startswith("pipe descriptors leaked") and "(pid #) fd #" in row[1]
    carol = re.search(r"<details class='student'><summary><span>carol</span>.*?</details>", page)
    assert "0 / 6" in carol[0] and "1 grader error(s)" in carol[0]
    assert "a went wrong" in carol[0] and "(pid 98) fd 4" in carol[0]
    alice = re.search(r"<summary><span>alice</span>.*?</details>", page)[0]
    assert "all passed" in alice and "Every check passed" in alice


def test_an_empty_class_gives_a_page():
    for results in ([], [student("nobody")]):
        assert Parsed(html_report(results, "empty")).open == []
