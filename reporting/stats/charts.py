"""Bar charts for the report as inline SVG: geometry here, markup in ``templates/stats/_charts.html``.

No chart library, no scripts, no fetched images. A chart only ever shows published values: a
suppressed cell gets no bar (its length would give the hidden value away), just the mark the tables
show. Every chart carries ``<title>`` (WeasyPrint makes it the alternative text of the tagged figure)
and ``<desc>``; the template autoescapes every label.

Legible in black and white: every bar carries its value as a direct label, the colour is dark enough
to stand out in grayscale (at least 3:1 against the white page), and where two series share a chart
(the year before and the year) they differ by pattern, solid against hatched, not by colour alone.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 270
BAR_AREA = WIDTH - LABEL_WIDTH - 80
BAR_HEIGHT = 15
GROUPED_BAR_HEIGHT = 8
LINE_HEIGHT = 13
ROW_GAP = 7
FONT_SIZE = 11
LABEL_CHARS_PER_LINE = 40
BAR_COLOUR = "#8a1538"
"""Dark red: relative luminance about 0.06, so 8:1 against white, in colour and in grayscale."""
AXIS_COLOUR = "#595959"
LEGEND_HEIGHT = 22
SOLID = "solid"
HATCHED = "hatched"


@dataclass(frozen=True)
class Bar:
    """One bar: ``value`` is ``None`` when the cell is suppressed; ``display`` is what the tables show."""

    label: str
    value: int | None
    display: str


@dataclass(frozen=True)
class Group:
    """One row of a chart with several series: a label and one bar per series (value, display)."""

    label: str
    values: tuple[tuple[int | None, str], ...]


@dataclass(frozen=True)
class LabelLine:
    text: str
    y: float


@dataclass(frozen=True)
class BarShape:
    bar_y: float
    bar_length: float
    value_x: float
    value_y: float
    display: str
    style: str = SOLID


@dataclass(frozen=True)
class RowShape:
    label_lines: tuple[LabelLine, ...]
    bars: tuple[BarShape, ...]


@dataclass(frozen=True)
class LegendEntry:
    """A swatch in the style of its series and the series' name (a year), placed where the marks are."""

    label: str
    style: str
    x: float
    y: float


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
    rows: tuple[RowShape, ...]
    legend: tuple[LegendEntry, ...] = ()
    top: float = 0.0

    @property
    def bars(self) -> tuple[BarShape, ...]:
        return tuple(bar for row in self.rows for bar in row.bars)

    @property
    def hatched(self) -> bool:
        return any(entry.style == HATCHED for entry in self.legend)


def _label_lines(label: str) -> list[str]:
    lines = textwrap.wrap(label, LABEL_CHARS_PER_LINE) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), LABEL_CHARS_PER_LINE, placeholder="…")]
    return lines


def _length(value: int | None, largest: int) -> float:
    if value is None or value <= 0 or largest <= 0:
        return 0.0
    return max(1.0, BAR_AREA * value / largest)


def _layout(
    groups: Sequence[Group], styles: Sequence[str], bar_height: float, top: float, row_gap: float = ROW_GAP
) -> tuple[tuple[RowShape, ...], float]:
    largest = max((value for group in groups for value, _ in group.values if value is not None), default=0)
    rows: list[RowShape] = []
    y = top + 4.0
    for group in groups:
        lines = _label_lines(group.label)
        bars_height = bar_height * len(group.values) + 2 * (len(group.values) - 1)
        row_height = max(bars_height, LINE_HEIGHT * len(lines))
        first_line_y = y + (row_height - LINE_HEIGHT * len(lines)) / 2 + FONT_SIZE
        bar_y = y + (row_height - bars_height) / 2
        bars = []
        for (value, display), style in zip(group.values, styles, strict=True):
            length = _length(value, largest)
            bars.append(
                BarShape(
                    bar_y=round(bar_y, 1),
                    bar_length=round(length, 1),
                    value_x=round(LABEL_WIDTH + length + 6, 1),
                    value_y=round(bar_y + bar_height / 2 + FONT_SIZE * 0.35, 1),
                    display=display,
                    style=style,
                )
            )
            bar_y += bar_height + 2
        rows.append(
            RowShape(
                label_lines=tuple(
                    LabelLine(text, round(first_line_y + index * LINE_HEIGHT, 1)) for index, text in enumerate(lines)
                ),
                bars=tuple(bars),
            )
        )
        y += row_height + row_gap
    return tuple(rows), round(y, 1)


def _chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: tuple[RowShape, ...],
    height: float,
    bar_height: float,
    legend: tuple[LegendEntry, ...] = (),
    top: float = 0.0,
) -> BarChart:
    return BarChart(
        chart_id=chart_id,
        title=title,
        description=description,
        width=WIDTH,
        height=height,
        label_x=LABEL_WIDTH - 8,
        bar_x=LABEL_WIDTH,
        bar_height=bar_height,
        font_size=FONT_SIZE,
        colour=BAR_COLOUR,
        axis_colour=AXIS_COLOUR,
        rows=rows,
        legend=legend,
        top=top,
    )


def bar_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> BarChart:
    """Lay out a horizontal bar chart; bar lengths are relative to the largest printed value."""
    groups = [Group(bar.label, ((bar.value, bar.display),)) for bar in bars]
    rows, height = _layout(groups, (SOLID,), BAR_HEIGHT, 0.0)
    return _chart(
        chart_id=chart_id, title=title, description=description, rows=rows, height=height, bar_height=BAR_HEIGHT
    )


def grouped_bar_chart(
    chart_id: str, title: str, description: str, series: Sequence[str], groups: Sequence[Group]
) -> BarChart:
    """Two series side by side per row (the year before hatched, the year solid), with their legend on
    top of the chart: one scale for both, so the lengths compare across years."""
    styles = (HATCHED, SOLID) if len(series) == 2 else (SOLID,) * len(series)
    legend = tuple(
        LegendEntry(name, style, LABEL_WIDTH + index * 110, 4.0)
        for index, (name, style) in enumerate(zip(series, styles, strict=True))
    )
    rows, height = _layout(groups, styles, GROUPED_BAR_HEIGHT, LEGEND_HEIGHT, row_gap=5)
    return _chart(
        chart_id=chart_id,
        title=title,
        description=description,
        rows=rows,
        height=height,
        bar_height=GROUPED_BAR_HEIGHT,
        legend=legend,
        top=LEGEND_HEIGHT,
    )
