"""Month charts by day: spend, and tokens in vs out. Each owns its own plotext instance
(`self.plt`), never the module-global one, and redraws with `refresh()` on new data."""

from __future__ import annotations

from typing import Any

from textual_plotext import PlotextPlot

from budgettui.domain.usage import MonthUsage


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
        self.replot()

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
        self.plt.bar(_day_labels(usage), values, color="cyan", width=0.6)
        self.plt.xticks(_sparse_ticks(usage))
        self.plt.ylim(0, max([*values, 0.01]) * 1.1)


class TokensChart(_UsageChart):
    def title_text(self) -> str:
        return "Tokens by day (in / out)"

    def draw(self, usage: MonthUsage) -> None:
        days = _day_labels(usage)
        inputs = [day.input_tokens for day in usage.daily]
        outputs = [day.output_tokens for day in usage.daily]
        # plotext's stub declares one colour and `label`; at run time it takes one colour per
        # series and `labels`.
        colors: Any = ["blue", "magenta"]
        self.plt.multiple_bar(  # type: ignore[call-arg]
            days, [inputs, outputs], labels=["in", "out"], color=colors
        )
        self.plt.xticks(_sparse_ticks(usage))


def _sparse_ticks(usage: MonthUsage) -> list[float]:
    """Every 5th day: thirty labels do not fit half an 80-column terminal."""
    return [float(day.day.day) for day in usage.daily if day.day.day == 1 or day.day.day % 5 == 0]
