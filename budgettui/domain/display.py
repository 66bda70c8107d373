"""How dates, amounts and names are shortened for a screen or a table, without losing what a
reader needs: the year of a far date, every digit of an amount that fits, and the end of a name
that tells two tenants apart. One vocabulary for the TUI and the headless output."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from budgettui.domain.budget import Alert
from budgettui.domain.caps import StopState
from budgettui.domain.money import format_money

if TYPE_CHECKING:  # read for its fields only: tenants builds on what this module shows
    from budgettui.domain.tenants import Tenant

# A date further than this from today shows its year: "Dec 05" ten months out would read as
# next week to someone glancing at a table.
YEAR_SHOWN_BEYOND_DAYS = 300
# A runway further out than this is not a date anyone plans by.
RUNWAY_HORIZON_DAYS = 365
ELLIPSIS = "…"

# The words a tenant's state is told in, the same in the table, the plain output, CSV and JSON
# (JSON's `alert` keeps LiteLLM-neutral machine values; `status` carries these words).
ALERT_WORDS: dict[Alert, str] = {
    Alert.NONE: "no cap",
    Alert.OK: "ok",
    Alert.WARNING: "warning",
    Alert.CRITICAL: "critical",
    Alert.EXCEEDED: "exceeded",
}
PROVISIONING = "provisioning"
# No cap could be measured, yet one exists that this key cannot read (or whose spend LiteLLM
# does not tell): "no cap" would be a false all-clear.
CAP_UNKNOWN = "cap unknown"


def status_word(
    alert: Alert,
    *,
    provisioning: bool = False,
    state: StopState | None = None,
    unmeasured: bool = False,
) -> str:
    """Provisioning, then a state that refuses the key whatever its money (blocked, expired),
    then the alert of the cap that binds first."""
    if provisioning:
        return PROVISIONING
    if state is not None:
        return state.value
    if alert is Alert.NONE and unmeasured:
        return CAP_UNKNOWN
    return ALERT_WORDS[alert]


def tenant_status_word(tenant: Tenant) -> str:
    """A tenant's status word, the same in the table, the filter, and every export."""
    return status_word(
        tenant.alert,
        provisioning=tenant.provisioning,
        state=tenant.state,
        unmeasured=bool(tenant.unmeasured_caps),
    )


def day_label(day: date, today: date) -> str:
    """`Dec 05`, or `Dec 05 2028` when the day is in another year or far from today."""
    far = abs((day - today).days) > YEAR_SHOWN_BEYOND_DAYS
    return day.strftime("%b %d %Y" if far or day.year != today.year else "%b %d")


def runway_label(runway: date, today: date) -> str:
    """The day a cap runs out: `now`, a day label, or `> 1 year`."""
    if runway <= today:
        return "now"
    if (runway - today).days > RUNWAY_HORIZON_DAYS:
        return "> 1 year"
    return day_label(runway, today)


def shorten_middle(text: str, width: int) -> str:
    """Cut `text` to `width` cells with `…` in the middle, keeping more of the end than the
    start: tenants are often named `team-service-region-2`, and the end tells them apart."""
    if len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    kept = width - 1
    head = kept * 2 // 5
    tail = kept - head
    return f"{text[:head]}{ELLIPSIS}{text[len(text) - tail :]}"


_UNITS = ((Decimal(1_000_000_000), "B"), (Decimal(1_000_000), "M"), (Decimal(1_000), "k"))


def compact_money(amount: Decimal | None, width: int, *, none: str = "—") -> str:
    """The exact amount when it fits in `width` cells; otherwise `$22.5k`, `$1.2M`: never an
    amount with its last digits cut off."""
    exact = format_money(amount, none=none)
    if amount is None or len(exact) <= width:
        return exact
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    for scale, unit in _UNITS:
        if size >= scale:
            for places in (2, 1, 0):
                step = Decimal(1).scaleb(-places)
                figure = (size / scale).quantize(step, rounding=ROUND_HALF_UP)
                text = f"{sign}${figure}{unit}"
                if len(text) <= width:
                    return text
            return f"{sign}${(size / scale).quantize(Decimal(1), rounding=ROUND_HALF_UP)}{unit}"
    return exact
