"""Month charts by day: spend, and tokens in vs out, with a day cursor.

Drawn here cell by cell rather than by plotext: plotext places bars at fractional columns, so
at dashboard widths neighbouring days merge into one block and no day can be pointed at. Here
every day owns a column (two when the width allows, the second left as a gap), the cursor's day
is marked `▲` under its bar, and tokens in and out are stacked in two different glyphs, named in
the title, so they read apart without colour (NO_COLOR, a monochrome SSH session).

Colours are the active theme's `$text-*` shades, read again at every draw, so a theme switch
recolours the chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.theme import Theme
from textual.widget import Widget

from budgettui.domain.display import compact_money
from budgettui.domain.usage import DayUsage, MonthUsage

SPEND = TOKENS_IN = "text-primary"
TOKENS_OUT = "text-accent"
CURSOR = "text-secondary"
EIGHTHS = " ▁▂▃▄▅▆▇█"
IN_GLYPH, OUT_GLYPH = "█", "░"
CURSOR_MARK = "▲"
LABELLED_DAYS = (1, 5, 10, 15, 20, 25, 30)
AXIS_ROWS = 3  # title, axis line, day numbers
# Rich styles, not style strings: the chart is a rich Text, compared by colour in the tests.
DIM, BOLD = Style(dim=True), Style(bold=True)
TICK_WIDTH = 7  # "$22.5k": an axis label needs no cents


@dataclass(frozen=True)
class Series:
    """One stacked part of each day's bar."""

    values: Sequence[float]
    glyph: str  # fills whole cells
    colour: str  # a theme variable
    # A lone series is drawn to an eighth of a cell (▁▂▃…); stacked parts in whole cells, since
    # one cell cannot show where one part ends and the next begins.
    fractional: bool = False


class _DayChart(Widget):
    DEFAULT_CSS = """
    _DayChart { height: 1fr; min-height: 8; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.usage: MonthUsage | None = None
        self.cursor_day: int | None = None  # day of the month, 1-based

    def show(self, usage: MonthUsage, cursor_day: int | None) -> None:
        self.usage = usage
        self.cursor_day = cursor_day
        self.refresh()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: Theme) -> None:
        self.refresh()

    def _style(self, variable: str) -> Style:
        return Style(color=Color.parse(self.app.theme_variables[variable]).rich_color)

    def title(self) -> Text:
        raise NotImplementedError

    def series(self, daily: list[DayUsage]) -> list[Series]:
        raise NotImplementedError

    def tick_label(self, value: float) -> str:
        raise NotImplementedError

    def render(self) -> Text:
        width, height = self.size
        text = self.title()
        text.truncate(width)
        if self.usage is None or height < AXIS_ROWS + 1:
            return text
        series = self.series(self.usage.daily)
        top = max(
            (sum(s.values[i] for s in series) for i in range(len(self.usage.daily))), default=0
        )
        top = top or 1.0
        rows = height - AXIS_ROWS
        ticks = {0: self.tick_label(top), rows // 2: self.tick_label(top / 2)}
        ticks[rows - 1] = self.tick_label(0)
        margin = max(cell_len(label) for label in ticks.values())
        days = len(self.usage.daily)
        step = 2 if width - margin - 1 >= 2 * days else 1
        columns = [self._column(series, day, top, rows) for day in range(days)]
        for row in range(rows):
            text.append("\n")
            label = ticks.get(row, "")
            text.append(f"{label:>{margin}}{'┤' if label else '│'}", DIM)
            for day, column in enumerate(columns):
                glyph, colour = column[row]
                if not colour:
                    text.append(glyph)
                    continue
                text.append(glyph, self._style(CURSOR if day + 1 == self.cursor_day else colour))
                if step == 2:
                    text.append(" ")
        text.append("\n")
        text.append(" " * margin + "└", DIM)
        for day in range(1, days + 1):
            mark = CURSOR_MARK if day == self.cursor_day else "─"
            text.append(mark, BOLD if mark == CURSOR_MARK else DIM)
            if step == 2:
                text.append("─", DIM)
        text.append("\n" + self._day_numbers(margin + 1, step, days))
        return text

    def _column(
        self, series: list[Series], day: int, top: float, rows: int
    ) -> list[tuple[str, str]]:
        """The day's bar as (glyph, colour) per row, top row first."""
        cells: list[tuple[str, str]] = []
        for part in series:
            eighths = round(part.values[day] / top * rows * 8)
            if part.values[day] > 0 and eighths == 0:
                eighths = 1  # spend under the first step still shows, as the lowest sliver
            if part.fractional:
                cells += [(part.glyph, part.colour)] * (eighths // 8)
                if eighths % 8:
                    cells.append((EIGHTHS[eighths % 8], part.colour))
            else:
                cells += [(part.glyph, part.colour)] * round(eighths / 8)
        cells = cells[:rows]
        return [(" ", "")] * (rows - len(cells)) + cells[::-1]

    @staticmethod
    def _day_numbers(offset: int, step: int, days: int) -> str:
        line = [" "] * (offset + days * step)
        end = 0
        for day in LABELLED_DAYS:
            if day > days:
                break
            label = str(day)
            start = offset + (day - 1) * step
            if start < end:
                continue  # too close to the last label at this width
            line[start : start + len(label)] = label
            end = start + len(label) + 1
        return "".join(line).rstrip()


class SpendChart(_DayChart):
    def title(self) -> Text:
        return Text("Spend by day ($)", style=BOLD)

    def series(self, daily: list[DayUsage]) -> list[Series]:
        return [Series([float(d.spend) for d in daily], EIGHTHS[-1], SPEND, fractional=True)]

    def tick_label(self, value: float) -> str:
        return compact_money(Decimal(str(value)), TICK_WIDTH) if value else "$0"


class TokensChart(_DayChart):
    def title(self) -> Text:
        return Text.assemble(
            ("Tokens by day  ", BOLD),
            (IN_GLYPH, self._style(TOKENS_IN)),
            " in  ",
            (OUT_GLYPH, self._style(TOKENS_OUT)),
            " out",
        )

    def series(self, daily: list[DayUsage]) -> list[Series]:
        return [
            Series([float(d.input_tokens) for d in daily], IN_GLYPH, TOKENS_IN),
            Series([float(d.output_tokens) for d in daily], OUT_GLYPH, TOKENS_OUT),
        ]

    def tick_label(self, value: float) -> str:
        return compact_count(value)


def compact_count(value: float) -> str:
    """150000 → 150k: axis labels stay narrow enough for half of an 80-column terminal."""
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"
