"""Money: `Decimal` everywhere in the domain, turned into text in this one place."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def format_money(amount: Decimal | None, *, none: str = "—") -> str:
    """`$1,234.57`; amounts under a cent but above zero show as `<$0.01`, so they don't read 0."""
    if amount is None:
        return none
    if Decimal(0) < abs(amount) < CENT:
        return "<$0.01" if amount > 0 else "-<$0.01"
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded):,.2f}"


def money_number(amount: Decimal | None) -> float | None:
    """Money for JSON output (the contract wants numbers), rounded to 1/10,000 of a cent."""
    if amount is None:
        return None
    return float(amount.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP))
