"""A listing's links beyond where they lead: the order of its entries, and each link as
written (an absolute path, percent-encoded, `/` after a folder, no `//`) with its text, the
plain name. Links are the agent's anchors: [href as written, text, target]."""

from __future__ import annotations

import re

from grader.verdict import Finding

# Characters a path may hold as they are (RFC 3986: unreserved, sub-delims, ":" and "@");
# any other is percent-encoded. An escape of one of these is the same link written raw.
PATH_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@"
)
ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
UNENCODED = re.compile(r"%(?![0-9A-Fa-f]{2})|[^%/" + re.escape("".join(sorted(PATH_CHARS))) + "]")
SHOWN = 8  # links shown in a finding's expected and actual


def order_finding(where: str, mine: list | None, ref: list | None) -> Finding | None:
    """The entries both pages link to, in the order of each page: the reference's is
    scandir()'s alphasort. Missing or extra links are the set's business (`links`)."""
    mine_order, ref_order = _targets(mine), _targets(ref)
    common = set(mine_order) & set(ref_order)
    want = [t for t in ref_order if t in common]
    got = [t for t in mine_order if t in common]
    if got == want:
        return None
    first = next(i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b)
    start = max(0, first - 2)
    return Finding(
        f"the listing for {where} lists its entries in another order than the reference's",
        expected=_some(want[start:], start),
        actual=_some(got[start:], start),
        diagnosis=[
            f"list the folder in scandir(path, &names, NULL, alphasort) order, the entries "
            f"sorted by name byte by byte ('B.txt' before 'a.txt', '#1.txt' before '..'), not in "
            f"readdir()'s order, which is the file system's: entry {first + 1} is "
            f"{got[first]}, the reference's {want[first]}"
        ],
    )


def written_finding(where: str, mine: list | None, ref: list | None) -> Finding | None:
    """Every link as written and its text against the reference's, in any order, each href
    in its canonical form (RFC 3986: escapes of characters a path may hold decoded, hex in
    capitals, `.` and `..` segments removed), so that only the handout's rules tell them
    apart: an absolute path, percent-encoded, `/` after a folder, no `//`, the plain name.
    Only the entries the student's page links to are expected: a missing one is the set's
    business (`links`); a link that leads elsewhere, or is written otherwise, is this one's."""
    linked = {target for _, _, target in mine or []}
    want = _written([anchor for anchor in ref or [] if anchor[2] in linked])
    got = _written(mine)
    if got == want:
        return None
    missing = [pair for pair in want if pair not in got]
    extra = [pair for pair in got if pair not in want]
    return Finding(
        f"the listing for {where} writes its links otherwise than the reference's",
        expected=_pairs(missing) or "no other links",
        actual=_pairs(extra) or "none of these links",
        diagnosis=_rules_broken(mine or [], ref or []) or [_shape()],
    )


def canonical(href: str) -> str:
    href = ESCAPE.sub(_escape, href)
    return _remove_dots(href) if href.startswith("/") and not href.startswith("//") else href


def _escape(m: re.Match) -> str:
    char = chr(int(m.group(1), 16))
    return char if char in PATH_CHARS else "%" + m.group(1).upper()


def _remove_dots(path: str) -> str:
    """RFC 3986 5.2.4: `.` and `..` segments resolved, empty ones (a `//`) kept."""
    out: list[str] = []
    segments = path.split("/")[1:]
    for number, segment in enumerate(segments, 1):
        if segment not in (".", ".."):
            out.append(segment)
            continue
        if segment == ".." and out:
            out.pop()
        if number == len(segments):
            out.append("")  # "/a/b/.." is "/a/": a folder
    return "/" + "/".join(out)


def _rules_broken(mine: list, ref: list) -> list[str]:
    """Which of the handout's rules the student's links break, each with an example."""
    folders = {target for href, _, target in ref if href.endswith("/")}
    texts = {target: text for _, text, target in ref}
    rules: dict[str, str] = {}
    for written, text, target in mine:
        if target is None:
            continue  # another site's
        form, href = canonical(written), written[:80]
        if not href.startswith("/") or href.startswith("//"):
            rules.setdefault(
                "absolute",
                f"write each link as an absolute path from the site root ({_example(ref)}), "
                f"so that it leads to the same place whether or not the request ended in /: "
                f"{href!r} is not one",
            )
        elif "//" in href:
            rules.setdefault(
                "doubled", f"never a doubled / in a link (/files// lists /files/): {href!r}"
            )
        if UNENCODED.search(href):
            rules.setdefault(
                "encoded",
                f"percent-encode each name in a link (a space is %20, % is %25, # is %23): "
                f"{href!r}",
            )
            continue  # such a link may lead elsewhere: nothing more to say of it
        if target in folders and not form.endswith("/"):
            rules.setdefault("folder", f"a folder's link ends with /: {href!r}")
        elif target in texts and target not in folders and form.endswith("/"):
            rules.setdefault("file", f"only a folder's link ends with /, not a file's: {href!r}")
        if target in texts and text != texts[target]:
            rules.setdefault(
                "text",
                f"a link's text is the plain name of the entry ({texts[target]!r}), not {text!r}",
            )
    return list(rules.values())


def _shape() -> str:
    return (
        "each entry's link is its absolute path from the site root, percent-encoded, with a "
        "/ after a folder and no //, and its text is the plain name (http_format_href)"
    )


def _example(ref: list) -> str:
    return next((href for href, _, _ in ref if href.count("/") > 1), "/files/notes.txt")


def _targets(anchors: list | None) -> list[str]:
    """The targets in page order, each once (a page may link to an entry twice)."""
    seen: dict[str, None] = {}
    for _, _, target in anchors or []:
        if target is not None:
            seen.setdefault(target)
    return list(seen)


def _written(anchors: list | None) -> list[tuple[str, str]]:
    """The listing's links (a link to another site is none of its entries), sorted."""
    return sorted((canonical(h), text) for h, text, target in anchors or [] if target is not None)


def _some(targets: list[str], start: int) -> str:
    shown = ", ".join(targets[:SHOWN]) + (", ..." if len(targets) > SHOWN else "")
    return ("... " if start else "") + shown


def _pairs(pairs: list[tuple[str, str]]) -> str:
    shown = [f'<a href="{href}">{text}</a>' for href, text in pairs[:SHOWN]]
    return " ".join(shown) + (" ..." if len(pairs) > SHOWN else "")
