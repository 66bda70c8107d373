"""Budget bars: the inline bar of the tenants table and the labelled bar of the tenant screen.

Colours carry the alert level (ok, warning, critical, exceeded); the percentage is always
written out too, so the bar reads without colour (and over a monochrome SSH session).
"""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.widgets import Static

from budgettui.domain.budget import DEFAULT_WARNING_THRESHOLD, Alert, Cap, alert_level
from budgettui.domain.money import format_money

ALERT_STYLE: dict[Alert, str] = {
    Alert.NONE: "dim",
    Alert.OK: "green",
    Alert.WARNING: "yellow",
    Alert.CRITICAL: "dark_orange",
    Alert.EXCEEDED: "bold red",
}
ALERT_LABEL: dict[Alert, str] = {
    Alert.NONE: "no cap",
    Alert.OK: "ok",
    Alert.WARNING: "warning",
    Alert.CRITICAL: "critical",
    Alert.EXCEEDED: "EXCEEDED",
}
FULL, EMPTY = "█", "░"


def bar(fraction: Decimal | None, width: int, alert: Alert, *, marker: str = "") -> Text:
    """`████░░░░ 52%`; `—` without a cap. Over 100 % the bar is full and the number says how far."""
    if fraction is None:
        return Text("—", style="dim")
    filled = max(0, min(width, round(float(fraction) * width)))
    text = Text()
    text.append(FULL * filled, style=ALERT_STYLE[alert])
    text.append(EMPTY * (width - filled), style="grey30")
    text.append(f" {float(fraction) * 100:>3.0f}%{marker}", style=ALERT_STYLE[alert])
    return text


class BudgetBar(Static):
    """One cap, labelled: `Key cap  ██████░░░░ 62%  $31.00 of $50.00 · $19.00 left`."""

    DEFAULT_CSS = """
    BudgetBar { height: auto; }
    """

    def show(
        self,
        label: str,
        cap: Cap | None,
        *,
        binds: bool,
        threshold: Decimal = DEFAULT_WARNING_THRESHOLD,
    ) -> None:
        line = Text(f"{label:<8} ", style="bold")
        if cap is None or cap.max_budget is None:
            spent = format_money(cap.spend) if cap else "—"
            line.append("no cap", style="dim")
            line.append(f"  {spent} spent")
            self.update(line)
            return
        alert = alert_level(cap.fraction_used, threshold)
        line.append_text(bar(cap.fraction_used, 10, alert))
        if binds:
            line.append("  ◀ binds first", style="bold")
        line.append(f"\n{'':<9}{format_money(cap.spend)} of {format_money(cap.max_budget)}")
        remaining = cap.remaining
        if remaining is not None:
            left = f" · {format_money(remaining)} left" if remaining > 0 else " · none left"
            line.append(left, style=ALERT_STYLE[alert] if remaining <= 0 else "")
        self.update(line)
