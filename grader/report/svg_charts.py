"""Charts as inline SVG, drawn here so that the class report stays one file that needs no
script, no library and no network. Labels may be student text: they are escaped."""

from __future__ import annotations

from .escape import html as escape

FONT = "font-family='sans-serif' font-size='12'"
LABEL_CHARS = 36  # a longer label is cut, whole in its tooltip
CHAR_WIDTH = 7  # roughly, at 12px: enough to leave room for the longest label


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f"<svg width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' {FONT}><title>{escape(title)}</title>"
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", fill: str = "#222") -> str:
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' fill='{fill}'>{escape(text)}</text>"
    )


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def histogram(counts: list[int], labels: list[str], marks: list[tuple[str, float]],
              title: str) -> str:  # fmt: skip
    """Bars of `counts` over `labels`, each bar's count above it, and vertical marks (mean,
    median) at a fraction of the axis's width."""
    width, height, left, top, bottom = 640, 270, 20, 48, 40
    plot_w, plot_h = width - 2 * left, height - top - bottom
    slot = plot_w / max(1, len(counts))
    most = max(counts, default=0) or 1
    base = top + plot_h
    body = [f"<line x1='{left}' y1='{base}' x2='{width - left}' y2='{base}' stroke='#888'/>"]
    for i, (count, label) in enumerate(zip(counts, labels, strict=True)):
        x, h = left + i * slot, plot_h * count / most
        body.append(
            f"<rect x='{x + 2:.1f}' y='{base - h:.1f}' width='{slot - 4:.1f}' height='{h:.1f}' "
            f"fill='#4a7fb5'><title>{escape(label)}: {count}</title></rect>"
        )
        if count:
            body.append(_text(x + slot / 2, base - h - 4, str(count), "middle"))
        body.append(_text(x + slot / 2, base + 16, label, "middle", "#555"))
    for row, (name, at) in enumerate(marks):  # each label on a line of its own, above all
        x, y = left + plot_w * min(1.0, max(0.0, at)), 12 + 13 * row
        body.append(
            f"<line x1='{x:.1f}' y1='{y + 2}' x2='{x:.1f}' y2='{base}' "
            f"stroke='#c0392b' stroke-dasharray='4 3'/>"
        )
        if x < width - 120:
            body.append(_text(x + 3, y, name, fill="#c0392b"))
        else:  # near the right edge: the label to the line's left
            body.append(_text(x - 3, y, name, "end", "#c0392b"))
    return _svg(width, height, title, body)


def stacked_bars(rows: list[tuple[str, list[int], str]], colours: list[str],
                 names: list[str], title: str) -> str:  # fmt: skip
    """A horizontal bar per row (label, counts, note at its end), each split into segments
    coloured as `colours` and named as `names` in a legend above."""
    longest = max((len(_cut(label)) for label, _, _ in rows), default=0)
    label_w = max(80, min(LABEL_CHARS, longest) * CHAR_WIDTH + 10)
    bar_w, note_w, row_h, top = 360, 60, 18, 28
    width, height = label_w + bar_w + note_w, top + row_h * len(rows) + 6
    body = []
    key_x = 0
    for colour, name in zip(colours, names, strict=True):  # the legend
        body.append(f"<rect x='{key_x}' y='4' width='12' height='12' fill='{colour}'/>")
        body.append(_text(key_x + 16, 14, name))
        key_x += 16 + len(name) * CHAR_WIDTH + 16
    for i, (label, counts, note) in enumerate(rows):
        y = top + i * row_h
        body.append(f"<g><title>{escape(label)}: {escape(_legend(counts, names))}</title>")
        body.append(_text(label_w - 8, y + 12, _cut(label), "end"))
        total, x = sum(counts) or 1, float(label_w)
        for count, colour in zip(counts, colours, strict=True):
            w = bar_w * count / total
            if w:
                body.append(
                    f"<rect x='{x:.1f}' y='{y + 2}' width='{w:.1f}' height='{row_h - 4}' "
                    f"fill='{colour}'/>"
                )
            x += w
        body.append(_text(label_w + bar_w + 6, y + 12, note))
        body.append("</g>")
    return _svg(max(width, key_x), height, title, body)


def _legend(counts: list[int], names: list[str]) -> str:
    return ", ".join(f"{n} {name}" for n, name in zip(counts, names, strict=True) if n)
