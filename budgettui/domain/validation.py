"""The budget editors' input rules, shared by the modals (checked as the user types) and by the
headless `budget set` / `spend reset` commands, so both refuse the same things with the same words.

Pure: text in, values or `Problem`s out. Every problem has a stable rule id and a message that
contains the rule's sentence from `RULES`, so a user always learns *which* rule they broke.

The rules mirror what LiteLLM 1.108.7 will accept (docs/litellm.md, "Writes"), made stricter
where LiteLLM would silently accept something the admin probably did not mean (`1dx`, `1e3`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from budgettui.domain.budget import Cap
from budgettui.domain.money import CENT, format_money
from budgettui.errors import BudgettuiError

# Long enough for any amount or duration a person types; short enough that nothing downstream
# (int() of a huge digit string, the screen) ever sees pathological input.
MAX_TEXT_LENGTH: Final = 32
# LiteLLM stores budgets as floats and prices tokens in fractions of a cent, so cents alone would
# make "reset to exactly 12.345678" impossible. Six places is the precision the JSON output uses
# (`money_number`), and up to 1,000,000 it is 13 significant digits: a float round-trips it exactly.
MAX_DECIMALS: Final = 6
MAX_BUDGET: Final = Decimal(1_000_000)  # a typo guard (an extra zero or two), as in the product

# rule id → the sentence every message for that rule contains.
RULES: Final[dict[str, str]] = {
    "number.length": f"at most {MAX_TEXT_LENGTH} characters",
    "number.control": "control or invisible characters are not allowed",
    "number.ascii_digits": "use the digits 0-9",
    "number.finite": "must be a finite number",
    "number.exponent": "no exponents",
    "number.separator": "no thousands separators or commas",
    "number.plus": "no plus sign",
    "number.format": "not a number: use digits and one decimal point, e.g. 250 or 99.50",
    "number.decimals": f"at most {MAX_DECIMALS} decimal places",
    "amount.positive": "budget must be more than 0",
    "amount.max": "budget must be at most 1,000,000",
    "duration.length": f"at most {MAX_TEXT_LENGTH} characters",
    "duration.control": "control or invisible characters are not allowed",
    "duration.format": "not a duration",
    "duration.positive": "duration must be more than 0",
    "duration.months": "only 1mo is supported for months",
    "duration.max": "duration must be at most 10 years",
    "reset.negative": "must be >= 0",
    "reset.above_spend": "must be <= current spend",
    "reset.above_budget": "must be <= budget",
}


@dataclass(frozen=True)
class Problem:
    field: str  # "amount", "duration" or "reset_to": the input the message belongs next to
    rule: str  # a key of RULES
    message: str


class ValidationError(BudgettuiError, ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))


def _problem(field: str, rule: str, detail: str = "") -> Problem:
    """The rule's sentence, then what about the input broke it (when that helps)."""
    return Problem(field, rule, RULES[rule] + (f": {detail}" if detail else ""))


def _fail(field: str, rule: str, detail: str = "") -> ValidationError:
    return ValidationError([_problem(field, rule, detail)])


def _has_control(text: str) -> bool:
    # Category C* covers controls (\x00, \n, \t), format characters (zero-width space, RTL
    # marks) and unassigned code points: none belongs in a number or duration, and the
    # invisible ones would make "what you see" differ from what is sent.
    return any(unicodedata.category(ch).startswith("C") for ch in text)


# ---------------------------------------------------------------------------------------------
# Numbers


_NUMBER: Final = re.compile(r"(?P<neg>-)?\$?(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?", re.ASCII)
_EXPONENT: Final = re.compile(r"[-+]?\$?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]*", re.ASCII)
_NON_FINITE: Final = frozenset({"nan", "snan", "inf", "infinity"})


def _parse_number(text: str, field: str) -> Decimal | None:
    """Plain ASCII decimals only: `250`, `99.50`, `.5`, `5.`, `$250`, with spaces around.

    Everything that Python or a locale would also read as a number but a person might mean
    differently is refused rather than guessed: `1,000` (thousands, or 1.0 in a comma-decimal
    locale?), `1e3`, `١٢٣`, `+5`. A leading `-` is parsed so the caller can say "must be more
    than 0" / "must be >= 0" instead of "not a number"; the sign survives (`-0` is signed).
    Blank means "no value" (None).
    """
    if len(text) > MAX_TEXT_LENGTH:
        raise _fail(field, "number.length", f"got {len(text):,}")
    if _has_control(text):
        raise _fail(field, "number.control")
    body = text.strip(" ")
    if not body:
        return None
    if any((ch.isdigit() or ch.isnumeric()) and not ("0" <= ch <= "9") for ch in body):
        raise _fail(field, "number.ascii_digits", f"{body!r}")
    if body.lstrip("+-$").casefold() in _NON_FINITE:
        raise _fail(field, "number.finite", f"{body!r}")
    if _EXPONENT.fullmatch(body):
        raise _fail(field, "number.exponent", "write the number in full, e.g. 1000 not 1e3")
    if any(ch in ",_'" for ch in body):
        raise _fail(field, "number.separator", "write 1000 or 1.5, not 1,000 or 1,5")
    if body.lstrip("$").startswith("+"):
        raise _fail(field, "number.plus", "write 5, not +5")
    match = _NUMBER.fullmatch(body)
    if match is None or not (match["int"] or match["frac"]):
        raise _fail(field, "number.format")
    frac = (match["frac"] or "").rstrip("0")  # 5.100 is 5.1: trailing zeros lose nothing
    if len(frac) > MAX_DECIMALS:
        raise _fail(field, "number.decimals", f"got {len(frac)}")
    sign = "-" if match["neg"] else ""
    return Decimal(f"{sign}{match['int'] or '0'}" + (f".{frac}" if frac else ""))


def _plain(amount: Decimal) -> str:
    """A number as LiteLLM's messages show it: no rounding, no exponent."""
    return format(amount, "f")


def parse_amount(text: str) -> Decimal | None:
    """A budget cap: > 0 and ≤ 1,000,000; blank means "no cap" (None)."""
    value = _parse_number(text, "amount")
    if value is None:
        return None
    # LiteLLM would take 0, but a 0 cap locks the key out at once: never what an edit means.
    if value <= 0 or value.is_signed():
        raise _fail("amount", "amount.positive", f"got {_plain(value)}")
    if value > MAX_BUDGET:
        raise _fail("amount", "amount.max", f"got {value:,f}")
    return value


def parse_reset_value(text: str, current_spend: Decimal, max_budget: Decimal | None) -> Decimal:
    """The spend to reset a key to; blank means 0. LiteLLM's `reset_spend` rules, all of them
    reported at once: ≥ 0, ≤ the current spend, ≤ the key's cap when it has one."""
    value = _parse_number(text, "reset_to")
    if value is None:
        value = Decimal(0)
    problems: list[Problem] = []
    if value < 0 or value.is_signed():  # "-0" too: a sign is a typo worth pointing out
        problems.append(Problem("reset_to", "reset.negative", "reset value must be >= 0"))
    if value > current_spend:
        problems.append(
            Problem(
                "reset_to",
                "reset.above_spend",
                f"reset value ({_plain(value)}) must be <= current spend ({_plain(current_spend)})",
            )
        )
    if max_budget is not None and value > max_budget:
        problems.append(
            Problem(
                "reset_to",
                "reset.above_budget",
                f"reset value ({_plain(value)}) must be <= budget ({_plain(max_budget)})",
            )
        )
    if problems:
        raise ValidationError(problems)
    return value


# ---------------------------------------------------------------------------------------------
# Durations

# LiteLLM 1.108.7 has no year unit ("1y" is rejected) and refuses every "<n>mo" but "1mo"
# (`_handle_month_reset` raises for n != 1), so "12mo" is no way out either. The product's "1y"
# preset is therefore sent as "365d": LiteLLM resets it every 365 days from the midnight it was
# set (not on 1 January, and a leap year drifts it by a day).
YEAR_PRESET: Final = "1y"
YEAR_AS_SENT: Final = "365d"
DURATION_PRESETS: Final[tuple[str, ...]] = ("none", "1d", "7d", "30d", "1mo", YEAR_PRESET)

# LiteLLM's word aliases (duration_parser._BUDGET_DURATION_WORD_ALIASES). They are passed
# through, lowercased: LiteLLM stores the word as sent and reads it as 1h/24h/7d/30d, so a key set
# to "daily" elsewhere still reads "daily" here, and re-saving it is not a change.
DURATION_ALIASES: Final = frozenset({"hourly", "daily", "weekly", "monthly"})

# ≤ 10 years in every unit: LiteLLM overflows its date math around 8,000 years, and anything
# past a decade is a typo, not a budget cadence.
_UNIT_MAX: Final[dict[str, int]] = {
    "s": 315_360_000,
    "m": 5_256_000,
    "h": 87_600,
    "d": 3_650,
    "w": 521,
    "mo": 1,
}
_DURATION: Final = re.compile(r"(?P<n>[0-9]+)(?P<unit>mo|[smhdw])", re.ASCII)
DURATION_FORMS: Final = (
    "none, <n>s, <n>m (minutes), <n>h, <n>d, <n>w, 1mo (a calendar month), 1y (sent as 365d), "
    "or hourly, daily, weekly, monthly; e.g. 30d"
)


def parse_duration(text: str) -> str | None:
    """How often the budget resets, as LiteLLM will store it; blank or "none" means never."""
    if len(text) > MAX_TEXT_LENGTH:
        raise _fail("duration", "duration.length", f"got {len(text):,}")
    if _has_control(text):
        raise _fail("duration", "duration.control")
    body = text.strip(" ")
    word = body.lower()
    if not body or word == "none":
        return None
    if word in DURATION_ALIASES:
        return word
    if body == YEAR_PRESET:
        return YEAR_AS_SENT
    # Units stay case-sensitive, as in LiteLLM: "1M" could mean a month but would be minutes.
    match = _DURATION.fullmatch(body)
    if match is None:
        raise _fail("duration", "duration.format", f"{body!r}; use {DURATION_FORMS}")
    n, unit = int(match["n"]), match["unit"]  # ≤ 32 digits, so int() is cheap
    if n == 0:
        raise _fail("duration", "duration.positive", "e.g. 1d")
    if unit == "mo" and n != 1:
        raise _fail(
            "duration", "duration.months", f"LiteLLM rejects {body}; use 1mo or days, e.g. 60d"
        )
    if n > _UNIT_MAX[unit]:
        raise _fail("duration", "duration.max", f"at most {_UNIT_MAX[unit]:,}{unit}")
    return f"{n}{unit}"  # "07d" → "7d": LiteLLM reads them alike, and this is what it shows


# ---------------------------------------------------------------------------------------------
# The budget form


@dataclass(frozen=True)
class BudgetDraft:
    max_budget: Decimal | None
    budget_duration: str | None


def validate_budget_form(amount_text: str, duration_text: str) -> BudgetDraft:
    """Both fields at once, every problem reported together. An empty amount means "no cap",
    and a reset cadence on an unlimited budget means nothing, so the duration is cleared (and
    whatever is in its field is not judged)."""
    problems: list[Problem] = []
    amount: Decimal | None = None
    amount_valid = True
    try:
        amount = parse_amount(amount_text)
    except ValidationError as error:
        problems += error.problems
        amount_valid = False
    if amount_valid and amount is None:
        return BudgetDraft(None, None)
    duration: str | None = None
    try:
        duration = parse_duration(duration_text)
    except ValidationError as error:
        problems += error.problems
    if problems:
        raise ValidationError(problems)
    return BudgetDraft(amount, duration)


def budget_changes(before: Cap, draft: BudgetDraft) -> dict[str, object]:
    """The `/key/update` or `/team/update` body fields that differ, `None` meaning "clear".

    Decimal equality is numeric, so 50 and 50.00 are no change. A new duration needs nothing
    else: LiteLLM recomputes `budget_reset_at` itself and keeps the spend (docs/litellm.md,
    "Writes").
    """
    changes: dict[str, object] = {}
    if before.max_budget != draft.max_budget:
        changes["max_budget"] = None if draft.max_budget is None else float(draft.max_budget)
    if before.budget_duration != draft.budget_duration:
        changes["budget_duration"] = draft.budget_duration
    return changes


def _money(amount: Decimal | None) -> str:
    if amount is None:
        return "no cap"
    if amount == amount.quantize(CENT):
        return format_money(amount)
    # format_money rounds to cents, which would show $50.001 → $50.00 as no change at all.
    return f"${amount:,f}"


def describe_change(before: Cap, draft: BudgetDraft) -> str:
    """The preview line: "budget $50.00 → $75.00, duration 30d → 1mo", or "no change"."""
    changes = budget_changes(before, draft)
    parts: list[str] = []
    if "max_budget" in changes:
        parts.append(f"budget {_money(before.max_budget)} → {_money(draft.max_budget)}")
    if "budget_duration" in changes:
        old, new = before.budget_duration or "none", draft.budget_duration or "none"
        parts.append(f"duration {old} → {new}")
    return ", ".join(parts) or "no change"
