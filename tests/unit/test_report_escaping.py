"""Every report, fed a result full of hostile student text: none raises, and each shows the
text without letting it act (markup, terminal sequences, XML, formulas, tags, commands)."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt
from rich.console import Console

from grader.report import escape, formats, terminal
from grader.report.github import classroom, step_summary
from grader.report.gradebook import gradebook
from grader.report.gradescope import gradescope
from grader.report.html_report import html_report
from grader.report.junit import junit
from grader.results import BuildSummary, SubmissionResult
from grader.verdict import CheckResult, Finding, Verdict

HOSTILE = (
    "[/x] [bold]bold?[/bold] [link=http://x]x[/link] :smile: "
    "\x1b[2J\x1b[H clear \x1b]0;set title\x07 \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ "
    "\x9b2J \x00nul\x01\x08\x7f \rover \u202eright-to-left \udcff \ud800 \ufffe "
    '=HYPERLINK("http://x") </script><script>alert(1)</script> <img src=x onerror=alert(1)> '
    "</pre></details> ``` |cell| \n::error::gotcha\n  ::add-mask::10\n##[error]legacy "
    "@someone ![img](http://x/i.png) [a link](http://x)"
)
LONG = "y" * 30_000  # a long line: rich wraps it, no report chokes on it
NAMES = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", HOSTILE]


def hostile_check(cid: str, verdict: Verdict, visibility: str = "visible") -> CheckResult:
    finding = Finding(
        reason=HOSTILE,
        expected=HOSTILE,
        actual=HOSTILE + LONG,
        divergence=HOSTILE,
        diagnosis=[HOSTILE, LONG],
        reproduce=HOSTILE,
    )
    return CheckResult(
        cid, HOSTILE, "correctness", visibility, 2, verdict, finding, HOSTILE, HOSTILE
    )


def hostile_result(name: str) -> SubmissionResult:
    checks = [
        hostile_check("plain-id", Verdict.FAIL),
        hostile_check(HOSTILE, Verdict.GRADER_ERROR),  # an odd stored result: even its id
        hostile_check("hidden", Verdict.TIMEOUT, "hidden"),
        hostile_check("built", Verdict.BUILD_FAILED),
        CheckResult("passed", "title", "correctness", "visible", 1, Verdict.PASS),
    ]
    build = BuildSummary(False, 2, 0.1, errors=HOSTILE + LONG)
    return SubmissionResult(name, HOSTILE, "hw1", "docker", build, checks, 1.0)


CLASS = [hostile_result(n) for n in NAMES]


def unshowable(text: str) -> list[str]:
    """The characters a reader's screen would act on instead of showing."""
    return sorted(set(escape._UNSHOWABLE.findall(text)))


def test_terminal_report_shows_markup_and_sequences_as_text():
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None, force_terminal=False)
    for r in CLASS:
        terminal.render(r, console)
        terminal.render(r, console, stored=True)  # a stored result is shown the same way
    terminal.summary(CLASS, console)
    text = out.getvalue()
    assert "\x1b" not in text and unshowable(text) == []
    assert "[/x]" in text and "[bold]bold?[/bold]" in text  # shown, not read as markup
    assert "\\x1b[2J" in text and "\\x9b" in text and "\\u202e" in text and "\\xff" in text


def test_terminal_report_in_colour_has_only_rich_own_sequences():
    out = io.StringIO()
    console = Console(file=out, width=120, color_system="truecolor", force_terminal=True)
    terminal.render(CLASS[-1], console)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())  # rich's own styling: SGR only
    assert unshowable(text) == []


def test_junit_is_well_formed_xml():
    doc = junit(CLASS)
    root = ET.fromstring(doc)
    assert len(root.findall("testsuite")) == len(CLASS)
    failure = root.find("testsuite/testcase/failure")
    assert "[/x]" in failure.get("message") and "\\x1b[2J" in failure.text
    assert "</script>" in failure.text  # as text: the XML escaped it


def test_gradebook_cells_never_start_a_formula():
    rows = list(csv.reader(io.StringIO(gradebook(CLASS))))
    assert len(rows) == 1 + len(CLASS)
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert rows[1][0] == "'" + NAMES[0]
    assert [r[0] for r in rows[1:3]] == ['\'=HYPERLINK("http://x")', "'+1"]
    assert unshowable("".join(cells)) == []


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)


def test_html_report_has_no_live_tag():
    page = html_report(CLASS, HOSTILE)
    parsed = Tags()
    parsed.feed(page)
    ours = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "table", "tr"}
    ours |= {"th", "td", "span", "code", "pre", "ul", "li", "br", "div", "details", "summary"}
    ours |= {"svg", "g", "rect", "line", "text"}
    assert parsed.tags <= ours
    drawn = {"x", "y", "x1", "y1", "x2", "y2", "width", "height", "viewbox", "fill", "stroke"}
    drawn |= {"stroke-dasharray", "text-anchor", "font-family", "font-size", "role"}
    assert parsed.attrs <= {"charset", "class", "style", "lang"} | drawn
    assert "&lt;/script&gt;&lt;script&gt;" in page and unshowable(page) == []


def markdown_tokens(doc: str) -> list:
    parser = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    return [t for block in parser.parse(doc) for t in [block, *(block.children or [])]]


def test_github_summary_shows_text_and_runs_nothing():
    doc = step_summary(CLASS)
    tokens = markdown_tokens(doc)
    kinds = {t.type for t in tokens}
    assert not kinds & {"link_open", "image", "html_inline", "code_inline", "em_open", "s_open"}
    blocks = "".join(t.content for t in tokens if t.type == "html_block")
    assert "<" not in re.sub(r"</?(details|summary|pre)>", "", blocks)  # only our own tags
    assert doc.count("<pre>") == doc.count("</pre>") == blocks.count("</pre>")
    # Each row keeps its four cells, whatever pipes and newlines the reason holds.
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == sum(1 + len(r.checks) for r in CLASS)
    assert_no_workflow_command(doc)
    assert unshowable(doc) == []


def assert_no_workflow_command(text: str) -> None:
    """No line that GitHub Actions would run: `::` first (after blanks), or `##[` anywhere."""
    for line in text.split("\n"):
        assert not line.strip().startswith("::") and "##[" not in line, line[:80]


def test_github_classroom_result_runs_nothing():
    doc = json.loads(base64.b64decode(classroom(CLASS[-1])))
    for test in doc["tests"]:
        for field in ("name", "message", "test_code"):
            assert_no_workflow_command(test[field])
            assert unshowable(test[field]) == []


def test_gradescope_results_load_and_are_plain_text():
    for r in CLASS:
        doc = json.loads(gradescope(r))
        assert doc["output_format"] == "text"
        assert {t["output_format"] for t in doc["tests"]} == {"text"}
        texts = [
            doc["output"],
            *(t["output"] for t in doc["tests"]),
            *(t["name"] for t in doc["tests"]),
        ]
        assert unshowable("".join(texts)) == []


@pytest.mark.parametrize("fmt", ["csv", "junit", "html", "github"])
def test_every_run_document_is_written(tmp_path, fmt, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    doc = formats.for_run(fmt, CLASS, tmp_path, HOSTILE)
    assert (tmp_path / formats.FILE_NAMES[fmt]).read_text() == doc


def test_inside_github_actions_commands_stop_until_the_end(monkeypatch, capsys):
    resumes = []
    monkeypatch.setattr(formats.atexit, "register", resumes.append)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    formats.stop_workflow_commands()
    assert resumes == [] and capsys.readouterr().err == ""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    formats.stop_workflow_commands()
    token = re.fullmatch(r"::stop-commands::([0-9a-f]{32})\n", capsys.readouterr().err)[1]
    resumes[0]()
    assert capsys.readouterr().err == f"::{token}::\n"


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("a\x00b", "a\\x00b"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("\r", "\\x0d"),
        ("\x9b", "\\x9b"),
        ("\udcff", "\\xff"),  # a file name's byte that is not UTF-8
        ("\ud800", "\\ud800"),
        ("\u202e", "\\u202e"),
        (None, ""),
        (3.5, "3.5"),
        ("é ✅ 日本", "é ✅ 日本"),
    ],
)
def test_plain_shows_every_unshowable_character(given, shown):
    assert escape.plain(given) == shown


def test_workflow_commands_are_broken_where_they_start():
    assert escape.log_text("  ::error::x") == "  :\u2060:error::x"
    assert escape.log_text("a ##[error] b") == "a #\u2060#[error] b"
    assert escape.log_text("a::b and # [x]") == "a::b and # [x]"  # not a command: as is
    assert escape.markdown_block("::x\n##[y]") == "<pre>&#58;:x\n&#35;#[y]</pre>"
