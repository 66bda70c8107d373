"""Budget bars: the inline bar of the tenants table and the labelled bar of the tenant screen.

Colours carry the alert level (ok, warning, critical, exceeded) in the theme's own shades; the
percentage is always written out too, so the bar reads without colour (and over a monochrome SSH
session).
"""

from __future__ import annotations

from decimal import Decimal

from textual.content import Content
from textual.widgets import Static

from budgettui.domain.budget import DEFAULT_WARNING_THRESHOLD, Alert, Cap, alert_level
from budgettui.domain.money import format_money
from budgettui.ui.widgets.theme_styles import ALERT_STYLE, MUTED

ALERT_LABEL: dict[Alert, str] = {
    Alert.NONE: "no cap",
    Alert.OK: "ok",
    Alert.WARNING: "warning",
    Alert.CRITICAL: "critical",
    Alert.EXCEEDED: "EXCEEDED",
}
FULL, EMPTY = "█", "░"


def bar(fraction: Decimal | None, width: int, alert: Alert, *, marker: str = "") -> Content:
    """`████░░░░ 52%`; `—` without a cap. Over 100 % the bar is full and the number says how far."""
    if fraction is None:
        return Content.styled("—", MUTED)
    filled = max(0, min(width, round(float(fraction) * width)))
    style = ALERT_STYLE[alert]
    return Content.assemble(
        (FULL * filled, style),
        (EMPTY * (width - filled), MUTED),
        (f" {float(fraction) * 100:>3.0f}%{marker}", style),
    )


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
        as_of: str = "",
    ) -> None:
        """`as_of` ("today: ") heads the figures when they are not the month on screen."""
        heading = (f"{label:<8} ", "bold")
        if cap is None or cap.max_budget is None:
            spent = format_money(cap.spend) if cap else "—"
            self.update(Content.assemble(heading, ("no cap", MUTED), f"  {as_of}{spent} spent"))
            return
        alert = alert_level(cap.fraction_used, threshold)
        remaining = cap.remaining
        left: tuple[str, str] = ("", "")
        if remaining is not None:
            left = (f" · {format_money(remaining)} left", "")
            if remaining <= 0:
                left = (" · none left", ALERT_STYLE[alert])
        self.update(
            Content.assemble(
                heading,
                bar(cap.fraction_used, 10, alert),
                ("  ◀ binds first", "bold") if binds else "",
                f"\n{'':<9}{as_of}{format_money(cap.spend)} of {format_money(cap.max_budget)}",
                left,
            )
        )
