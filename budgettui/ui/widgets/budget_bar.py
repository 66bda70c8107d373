"""Budget bars: the inline bar of the tenants table and the labelled bar of the tenant screen.

Colours carry the alert level (ok, warning, critical, exceeded) in the theme's own shades; the
percentage is always written out too, so the bar reads without colour (and over a monochrome SSH
session).
"""

from __future__ import annotations

from decimal import Decimal

from textual.content import Content
from textual.widgets import Static

from budgettui.domain.budget import DEFAULT_WARNING_THRESHOLD, Alert
from budgettui.domain.caps import CapScope, ScopedCap, cap_alert
from budgettui.domain.money import format_money
from budgettui.ui.widgets.theme_styles import ALERT_STYLE, MUTED, NOTICE

FULL, EMPTY = "█", "░"
NO_BAR = "—"
BINDS_FIRST = "◀ binds first"
SPEND_NOT_REPORTED = "spend not reported by LiteLLM"
LABEL_WIDTH = 8  # a longer label takes a line of its own: every bar starts in the same column


def bar(fraction: Decimal | None, width: int, alert: Alert, *, marker: str = "") -> Content:
    """`████░░░░ 52%`; `—` without a cap. Over 100 % the bar is full and the number says how far."""
    if fraction is None:
        return Content.styled(NO_BAR, MUTED)
    filled = max(0, min(width, round(float(fraction) * width)))
    style = ALERT_STYLE[alert]
    return Content.assemble(
        (FULL * filled, style),
        (EMPTY * (width - filled), MUTED),
        (_percent(fraction, marker), style),
    )


def bar_width(fraction: Decimal | None, width: int, *, marker: str = "") -> int:
    """How many cells `bar` takes, without drawing it (the table measures every row)."""
    return len(NO_BAR) if fraction is None else width + len(_percent(fraction, marker))


def _percent(fraction: Decimal, marker: str) -> str:
    return f" {float(fraction) * 100:>3.0f}%{marker}"


def cap_label(cap: ScopedCap, org_name: str | None) -> str:
    """What a cap is called on the tenant screen: whose budget it is, and which window or model."""
    match cap.scope:
        case CapScope.KEY:
            return "Key"
        case CapScope.TEAM:
            return "Org"
        case CapScope.USER:
            return "User (owner)"
        case CapScope.TEAM_MEMBER:
            return f"Member in {org_name or 'its team'}"
        case CapScope.WINDOW:
            return f"Window {cap.name}"
        case CapScope.MODEL:
            return f"Model {cap.name}"


class BudgetBar(Static):
    """One cap, labelled: `Key  ██████░░░░ 62%  ◀ binds first` over `$31.00 of $50.00 · $19.00
    left`; or one line saying there is no cap, it cannot be read, or its spend is not told."""

    DEFAULT_CSS = """
    BudgetBar { height: auto; }
    """

    def show(
        self,
        label: str,
        cap: ScopedCap,
        *,
        binds: bool = False,
        threshold: Decimal = DEFAULT_WARNING_THRESHOLD,
        as_of: str = "",
    ) -> None:
        """A readable cap without `max_budget` is the key's or the org's own "no cap" (its spend
        still shown). `as_of` ("today: ") heads the figures when they are not the month on
        screen."""
        lines = self._lines(cap, binds=binds, threshold=threshold, as_of=as_of)
        indent = " " * (LABEL_WIDTH + 1)
        if len(label) <= LABEL_WIDTH:
            first = Content.assemble((f"{label:<{LABEL_WIDTH}} ", "bold"), lines[0])
            rest = lines[1:]
        else:  # "Member in acme": on a line of its own, so the bars still line up at 80 columns
            first, rest = Content.styled(label, "bold"), lines
        self.update(Content("\n").join([first, *(Content.assemble(indent, line) for line in rest)]))

    @staticmethod
    def _lines(cap: ScopedCap, *, binds: bool, threshold: Decimal, as_of: str) -> list[Content]:
        if not cap.readable:
            # The cap may well exist: "no cap" would be a false all-clear.
            return [Content.styled(f"cannot read: {cap.unreadable_reason}", NOTICE)]
        if cap.max_budget is None:
            spent = f"  {as_of}{format_money(cap.spend)} spent"
            return [Content.assemble(("no cap", MUTED), spent)]
        measured = cap.as_cap
        if measured is None:
            limit = f"max {format_money(cap.max_budget)}"
            return [Content.assemble(limit, (f" · {SPEND_NOT_REPORTED}", MUTED))]
        alert = cap_alert(cap, threshold)
        remaining = measured.remaining
        left: tuple[str, str] = ("", "")
        if remaining is not None:
            left = (f" · {format_money(remaining)} left", "")
            if remaining <= 0:
                left = (" · none left", ALERT_STYLE[alert])
        return [
            Content.assemble(
                bar(measured.fraction_used, 10, alert),
                (f"  {BINDS_FIRST}", "bold") if binds else "",
            ),
            Content.assemble(
                f"{as_of}{format_money(measured.spend)} of {format_money(measured.max_budget)}",
                left,
            ),
        ]
