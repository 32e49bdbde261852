"""Text a student controls (program output, build logs, HTTP status lines, reasons that quote
them, submission names), made safe for each place a report puts it. Every report goes
through here: a result, fresh or stored, can hold any character, and none of them may act on
the reader's terminal, break a document's syntax or become a formula, a tag or a command."""

from __future__ import annotations

import html as _html
import re
from collections.abc import Callable

from rich.text import Text

# Characters that act instead of showing, or that an XML 1.0 or UTF-8 document cannot hold:
# C0 controls but tab and newline (ESC starts terminal sequences; CR overwrites a line), DEL,
# C1 controls (U+009B is a CSI to some terminals), the bidirectional overrides that reorder
# what is shown, lone surrogates (an undecodable byte of a file name) and U+FFFE/U+FFFF.
_UNSHOWABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff]"
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP's CSV injection rule
# What starts an inline construct in GitHub markdown: emphasis, code, links and images, HTML
# and entities, strikethrough, math, emoji, mentions, table cells, workflow commands.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>&~!|$:@#])")
# GitHub Actions runs a log line as a command when it starts with `::` (after blanks), or
# when it holds `##[` anywhere (the older syntax).
_COMMAND = re.compile(r"^([^\S\n]*):(?=:)|#(?=#\[)", re.MULTILINE)


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(value: object) -> str:
    """Any value as text that only shows: each unshowable character as a visible escape
    (`\\x1b`, `\\u202e`). Newlines and tabs stay; None is empty."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    return _UNSHOWABLE.sub(_shown, text)


def terminal(value: object, style: str = "") -> Text:
    """For rich: a Text is never read as markup, so `[/x]` shows as itself."""
    return Text(plain(value), style=style)


def xml(value: object) -> str:
    """For an XML text or attribute: ElementTree escapes & < > and quotes, and plain() has
    removed every character XML 1.0 forbids."""
    return plain(value)


def csv_cell(value: object) -> str:
    """For a spreadsheet cell: text that starts like a formula gets a leading quote, so
    `=HYPERLINK(...)` is shown, not run (the csv module does the quoting)."""
    text = plain(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def html(value: object) -> str:
    """For HTML text or a quoted attribute."""
    return _html.escape(plain(value), quote=True)


def markdown(value: object) -> str:
    """For one line of GitHub markdown (a heading, a table cell): each mark that could start
    a tag, link, image, mention, table cell or workflow command is \\-escaped."""
    one_line = " ".join(plain(value).splitlines())
    return _MARKDOWN_INLINE.sub(r"\\\1", one_line)


def markdown_block(value: object) -> str:
    """Lines of text in GitHub markdown, shown as they are: a <pre> block, whose text cannot
    close it."""
    return "<pre>" + _markdown_html(plain(value)) + "</pre>"


def markdown_html(value: object) -> str:
    """One line of text inside an HTML tag of GitHub markdown (a <summary>)."""
    return _markdown_html(" ".join(plain(value).splitlines()))


def _markdown_html(text: str) -> str:
    """HTML-escaped, and the characters that would start a workflow command as entities."""
    return _break_commands(_html.escape(text, quote=False), lambda mark: f"&#{ord(mark)};")


def log_text(value: object) -> str:
    """Plain text that GitHub Actions may print in a log: a workflow command in it is broken
    by an invisible word joiner, so it is shown and not run."""
    return _break_commands(plain(value), lambda mark: mark + "\u2060")


def _break_commands(text: str, written: Callable[[str], str]) -> str:
    """The first mark of each workflow command (`:` of `::`, `#` of `##[`) as written()."""
    return _COMMAND.sub(lambda m: (m.group(1) or "") + written(m.group()[-1]), text)
