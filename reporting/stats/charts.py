"""Bar charts for the report as inline SVG: geometry here, markup in ``templates/stats/_charts.html``.

No chart library, no scripts, no fetched images. A chart only ever shows the protected table it sits
beside: a suppressed cell gets no bar (its length would give the hidden value away), just the mark the
table shows. Every chart carries ``<title>`` (WeasyPrint makes it the alternative text of the tagged
figure) and ``<desc>``; the template autoescapes every label.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 270
BAR_AREA = WIDTH - LABEL_WIDTH - 80
BAR_HEIGHT = 15
LINE_HEIGHT = 13
ROW_GAP = 7
FONT_SIZE = 11
LABEL_CHARS_PER_LINE = 40
BAR_COLOUR = "#8a1538"
AXIS_COLOUR = "#595959"


@dataclass(frozen=True)
class Bar:
    """One bar: ``value`` is ``None`` when the cell is suppressed; ``display`` is what the table shows."""

    label: str
    value: int | None
    display: str


@dataclass(frozen=True)
class LabelLine:
    text: str
    y: float


@dataclass(frozen=True)
class BarShape:
    label_lines: tuple[LabelLine, ...]
    bar_y: float
    bar_length: float
    value_x: float
    value_y: float
    display: str


@dataclass(frozen=True)
class BarChart:
    """Everything the SVG template needs, in SVG user units."""

    chart_id: str
    title: str
    description: str
    width: int
    height: float
    label_x: float
    bar_x: float
    bar_height: float
    font_size: int
    colour: str
    axis_colour: str
    bars: tuple[BarShape, ...]


def _label_lines(label: str) -> list[str]:
    lines = textwrap.wrap(label, LABEL_CHARS_PER_LINE) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), LABEL_CHARS_PER_LINE, placeholder="…")]
    return lines


def bar_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> BarChart:
    """Lay out a horizontal bar chart; bar lengths are relative to the largest printed value."""
    largest = max((bar.value for bar in bars if bar.value is not None), default=0)
    shapes: list[BarShape] = []
    y = 4.0
    for bar in bars:
        lines = _label_lines(bar.label)
        row_height = max(BAR_HEIGHT, LINE_HEIGHT * len(lines))
        first_line_y = y + (row_height - LINE_HEIGHT * len(lines)) / 2 + FONT_SIZE
        bar_y = y + (row_height - BAR_HEIGHT) / 2
        length = 0.0
        if bar.value is not None and bar.value > 0 and largest > 0:
            length = max(1.0, BAR_AREA * bar.value / largest)
        shapes.append(
            BarShape(
                label_lines=tuple(
                    LabelLine(text, round(first_line_y + index * LINE_HEIGHT, 1)) for index, text in enumerate(lines)
                ),
                bar_y=round(bar_y, 1),
                bar_length=round(length, 1),
                value_x=round(LABEL_WIDTH + length + 6, 1),
                value_y=round(bar_y + BAR_HEIGHT - 4, 1),
                display=bar.display,
            )
        )
        y += row_height + ROW_GAP
    return BarChart(
        chart_id=chart_id,
        title=title,
        description=description,
        width=WIDTH,
        height=round(y, 1),
        label_x=LABEL_WIDTH - 8,
        bar_x=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        font_size=FONT_SIZE,
        colour=BAR_COLOUR,
        axis_colour=AXIS_COLOUR,
        bars=tuple(shapes),
    )
