"""Month charts by day: spend, and tokens in vs out. Each owns its own plotext instance
(`self.plt`), never the module-global one, and redraws with `refresh()` on new data and on a
change of theme.

textual-plotext's `auto` theme follows the app's theme for the canvas, axes and ticks only; the
bars take their colours from the theme here, as RGB (plotext knows nothing of `$variables`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.color import Color
from textual.theme import Theme
from textual_plotext import PlotextPlot

from budgettui.domain.usage import MonthUsage

# The `$text-*` shades: bars are thin glyphs, and these stay readable on the theme's background.
SPEND = TOKENS_IN = "text-primary"
TOKENS_OUT = "text-accent"


class _UsageChart(PlotextPlot):
    DEFAULT_CSS = """
    _UsageChart { height: 1fr; min-height: 8; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._usage: MonthUsage | None = None

    def show(self, usage: MonthUsage) -> None:
        self._usage = usage
        self.replot()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self.replot()

    def _theme_changed(self, _theme: Theme) -> None:
        self.replot()

    def theme_rgb(self, variable: str) -> tuple[int, int, int]:
        """A colour of the active theme, e.g. `text-primary`, as plotext's RGB triple."""
        return Color.parse(self.app.theme_variables[variable]).rgb

    def replot(self) -> None:
        self.plt.clear_figure()
        self.plt.title(self.title_text())
        if self._usage is not None:
            self.draw(self._usage)
        self.refresh()

    def title_text(self) -> str:
        raise NotImplementedError

    def draw(self, usage: MonthUsage) -> None:
        raise NotImplementedError


def _day_labels(usage: MonthUsage) -> list[int]:
    return [day.day.day for day in usage.daily]


class SpendChart(_UsageChart):
    def title_text(self) -> str:
        return "Spend by day ($)"

    def draw(self, usage: MonthUsage) -> None:
        values = [float(day.spend) for day in usage.daily]
        self.plt.bar(_day_labels(usage), values, color=self.theme_rgb(SPEND), width=0.6)
        self.plt.xticks(_sparse_ticks(usage))
        _y_ticks(self, max(values, default=0), lambda v: f"${v:,.2f}")


class TokensChart(_UsageChart):
    def title_text(self) -> str:
        return "Tokens by day (in / out)"

    def draw(self, usage: MonthUsage) -> None:
        days = _day_labels(usage)
        inputs = [day.input_tokens for day in usage.daily]
        outputs = [day.output_tokens for day in usage.daily]
        # plotext's stub declares one colour and `label`; at run time it takes one colour per
        # series and `labels`.
        colors: Any = [self.theme_rgb(TOKENS_IN), self.theme_rgb(TOKENS_OUT)]
        self.plt.multiple_bar(  # type: ignore[call-arg]
            days, [inputs, outputs], labels=["in", "out"], color=colors
        )
        self.plt.xticks(_sparse_ticks(usage))
        _y_ticks(self, max([*inputs, *outputs], default=0), _compact)


def _sparse_ticks(usage: MonthUsage) -> list[float]:
    """Every 5th day: thirty labels do not fit half an 80-column terminal."""
    return [float(day.day.day) for day in usage.daily if day.day.day == 1 or day.day.day % 5 == 0]


def _compact(value: float) -> str:
    """150000 → 150k: axis labels stay narrow enough for half of an 80-column screen."""
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def _y_ticks(chart: PlotextPlot, top: float, label: Callable[[float], str]) -> None:
    """Four labelled ticks from 0 to the top of the data, in our words rather than plotext's."""
    top = top or 1.0
    ticks = [top * n / 4 for n in range(5)]
    chart.plt.ylim(0, top * 1.05)
    chart.plt.yticks(ticks, [label(t) for t in ticks])
