"""The editors' input rules: what is accepted, and what a user reads when it is not."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal as D
from typing import TypeVar

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from budgettui.domain.budget import Cap
from budgettui.domain.validation import (
    DURATION_ALIASES,
    DURATION_PRESETS,
    RULES,
    BudgetDraft,
    Problem,
    ValidationError,
    budget_changes,
    describe_change,
    parse_amount,
    parse_duration,
    parse_reset_value,
    validate_budget_form,
)


def problems_of(call: object, *args: object) -> list[Problem]:
    assert callable(call)
    with pytest.raises(ValidationError) as caught:
        call(*args)
    assert caught.value.problems, "a ValidationError must say what is wrong"
    return caught.value.problems


def only_problem(call: object, *args: object) -> Problem:
    problems = problems_of(call, *args)
    assert len(problems) == 1, problems
    return problems[0]


# --- amounts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250", D("250")),
        ("99.50", D("99.5")),
        ("  $75 ", D("75")),
        (".5", D("0.5")),  # a leading dot is unambiguous: fifty cents
        ("5.", D("5")),
        ("007", D("7")),
        ("0.000001", D("0.000001")),  # six places: sub-cent caps are real in token pricing
        ("5.1000000", D("5.1")),  # trailing zeros are not extra precision
        ("1000000", D("1000000")),
        ("999999.999999", D("999999.999999")),
    ],
)
def test_amounts_a_person_types_are_accepted(text: str, expected: D) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_amount_means_no_cap(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "rule", "fragment"),
    [
        ("0", "amount.positive", "budget must be more than 0"),
        ("0.00", "amount.positive", "budget must be more than 0"),
        ("-5", "amount.positive", "budget must be more than 0: got -5"),
        ("-0", "amount.positive", "budget must be more than 0: got -0"),
        ("1000000.01", "amount.max", "budget must be at most 1,000,000: got 1,000,000.01"),
        ("NaN", "number.finite", "must be a finite number"),
        ("inf", "number.finite", "must be a finite number"),
        ("-inf", "number.finite", "must be a finite number"),
        ("Infinity", "number.finite", "must be a finite number"),
        ("1e309", "number.exponent", "no exponents: write the number in full, e.g. 1000 not 1e3"),
        ("2E3", "number.exponent", "no exponents"),
        ("1,000", "number.separator", "no thousands separators or commas: write 1000 or 1.5"),
        ("1,5", "number.separator", "no thousands separators or commas"),
        ("10_000", "number.separator", "no thousands separators or commas"),
        ("١٢٣", "number.ascii_digits", "use the digits 0-9"),
        ("１０", "number.ascii_digits", "use the digits 0-9"),
        ("²", "number.ascii_digits", "use the digits 0-9"),
        ("\x00", "number.control", "control or invisible characters are not allowed"),
        ("10\n", "number.control", "control or invisible characters are not allowed"),
        ("1\u200b0", "number.control", "control or invisible characters are not allowed"),
        ("5" * 10_000, "number.length", "at most 32 characters: got 10,000"),
        ("+5", "number.plus", "no plus sign: write 5, not +5"),
        ("5.1234567", "number.decimals", "at most 6 decimal places: got 7"),
        ("abc", "number.format", "not a number: use digits and one decimal point, e.g. 250"),
        ("1.2.3", "number.format", "not a number"),
        ("$", "number.format", "not a number"),
        (".", "number.format", "not a number"),
        ("$ 5", "number.format", "not a number"),
        ("5 $", "number.format", "not a number"),
        ("−5", "number.format", "not a number"),  # U+2212, not an ASCII hyphen
    ],
)
def test_bad_amounts_are_refused_naming_the_rule(text: str, rule: str, fragment: str) -> None:
    problem = only_problem(parse_amount, text)
    assert (problem.field, problem.rule) == ("amount", rule)
    assert fragment in problem.message


# --- durations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", "30s"),
        ("30m", "30m"),  # minutes, as in LiteLLM
        ("24h", "24h"),
        ("7d", "7d"),
        ("2w", "2w"),
        ("1mo", "1mo"),
        (" 30d ", "30d"),
        ("07d", "7d"),
        ("daily", "daily"),  # stored as LiteLLM stores it
        ("Monthly", "monthly"),
        ("1y", "365d"),  # LiteLLM has no year unit and only 1mo; the preset becomes days
        ("3650d", "3650d"),
    ],
)
def test_durations_litellm_accepts_are_accepted(text: str, expected: str) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "  ", "none", "None", "NONE"])
def test_no_duration(text: str) -> None:
    assert parse_duration(text) is None


def test_every_preset_is_accepted_and_none_comes_first() -> None:
    assert DURATION_PRESETS[0] == "none"
    assert set(DURATION_PRESETS) >= {"1d", "7d", "30d", "1mo", "1y"}
    for preset in DURATION_PRESETS[1:]:
        assert parse_duration(preset)


@pytest.mark.parametrize(
    ("text", "rule", "fragment"),
    [
        ("30", "duration.format", "not a duration: '30'; use none, <n>s, <n>m (minutes)"),
        ("1D", "duration.format", "not a duration"),
        ("1dx", "duration.format", "not a duration"),  # LiteLLM would take it as 1d
        ("1h30m", "duration.format", "not a duration"),
        ("1.5d", "duration.format", "not a duration"),
        ("-1d", "duration.format", "not a duration"),
        ("2y", "duration.format", "1y (sent as 365d)"),
        ("١d", "duration.format", "not a duration"),  # LiteLLM would accept it
        ("0d", "duration.positive", "duration must be more than 0"),
        ("12mo", "duration.months", "only 1mo is supported for months: LiteLLM rejects 12mo"),
        ("2mo", "duration.months", "use 1mo or days, e.g. 60d"),
        ("3651d", "duration.max", "duration must be at most 10 years: at most 3,650d"),
        ("9" * 32 + "s", "duration.length", "at most 32 characters"),
        ("1d\n", "duration.control", "control or invisible characters are not allowed"),
    ],
)
def test_bad_durations_are_refused_naming_the_rule(text: str, rule: str, fragment: str) -> None:
    problem = only_problem(parse_duration, text)
    assert (problem.field, problem.rule) == ("duration", rule)
    assert fragment in problem.message


def test_a_format_error_lists_every_accepted_form() -> None:
    message = only_problem(parse_duration, "soon").message
    for form in ("<n>s", "<n>m (minutes)", "<n>h", "<n>d", "<n>w", "1mo", "1y", "hourly", "daily"):
        assert form in message


# --- spend reset ----------------------------------------------------------------------------


def test_an_empty_reset_value_resets_to_zero() -> None:
    assert parse_reset_value("", D("12.5"), D("50")) == D("0")


def test_reset_values_within_the_rules_are_accepted() -> None:
    assert parse_reset_value("$3.25", D("12.5"), D("50")) == D("3.25")
    assert parse_reset_value("12.5", D("12.5"), None) == D("12.5")  # to the current spend
    assert parse_reset_value("12.345678", D("12.3456789"), None) == D("12.345678")


@pytest.mark.parametrize(
    ("text", "spend", "cap", "rule", "message"),
    [
        ("-1", D("10"), None, "reset.negative", "reset value must be >= 0"),
        ("-0", D("10"), None, "reset.negative", "reset value must be >= 0"),
        (
            "11",
            D("10"),
            None,
            "reset.above_spend",
            "reset value (11) must be <= current spend (10)",
        ),
        ("8", D("10"), D("5"), "reset.above_budget", "reset value (8) must be <= budget (5)"),
    ],
)
def test_reset_follows_litellms_rules(
    text: str, spend: D, cap: D | None, rule: str, message: str
) -> None:
    problem = only_problem(parse_reset_value, text, spend, cap)
    assert (problem.field, problem.rule, problem.message) == ("reset_to", rule, message)


def test_a_reset_value_breaking_two_rules_reports_both() -> None:
    problems = problems_of(parse_reset_value, "20", D("10"), D("5"))
    assert [p.rule for p in problems] == ["reset.above_spend", "reset.above_budget"]


@pytest.mark.parametrize(
    ("text", "rule"),
    [("1,000", "number.separator"), ("1e2", "number.exponent"), ("0.0000001", "number.decimals")],
)
def test_reset_values_use_the_amount_syntax(text: str, rule: str) -> None:
    problem = only_problem(parse_reset_value, text, D("5000"), None)
    assert (problem.field, problem.rule) == ("reset_to", rule)


# --- the budget form ------------------------------------------------------------------------


def test_the_form_gives_a_draft() -> None:
    assert validate_budget_form("75", "1mo") == BudgetDraft(D("75"), "1mo")
    assert validate_budget_form("75", "") == BudgetDraft(D("75"), None)


def test_removing_the_cap_clears_the_duration_without_complaint() -> None:
    assert validate_budget_form("", "30d") == BudgetDraft(None, None)
    assert validate_budget_form(" ", "nonsense") == BudgetDraft(None, None)


def test_the_form_reports_both_fields_at_once() -> None:
    problems = problems_of(validate_budget_form, "0", "30")
    assert [(p.field, p.rule) for p in problems] == [
        ("amount", "amount.positive"),
        ("duration", "duration.format"),
    ]


def test_a_bad_amount_with_a_good_duration_blames_only_the_amount() -> None:
    problems = problems_of(validate_budget_form, "abc", "7d")
    assert [p.field for p in problems] == ["amount"]


# --- what gets sent, and the preview --------------------------------------------------------

BEFORE = Cap(spend=D("20"), max_budget=D("50"), budget_duration="30d")


@pytest.mark.parametrize(
    ("draft", "body", "preview"),
    [
        (
            BudgetDraft(D("75"), "1mo"),
            {"max_budget": 75.0, "budget_duration": "1mo"},
            "budget $50.00 → $75.00, duration 30d → 1mo",
        ),
        (
            BudgetDraft(None, None),
            {"max_budget": None, "budget_duration": None},
            "budget $50.00 → no cap, duration 30d → none",
        ),
        (BudgetDraft(D("60"), "30d"), {"max_budget": 60.0}, "budget $50.00 → $60.00"),
        (BudgetDraft(D("50"), "7d"), {"budget_duration": "7d"}, "duration 30d → 7d"),
        (BudgetDraft(D("50.00"), "30d"), {}, "no change"),
        (BudgetDraft(D("50.001"), "30d"), {"max_budget": 50.001}, "budget $50.00 → $50.001"),
    ],
)
def test_only_changed_fields_are_sent_and_previewed(
    draft: BudgetDraft, body: dict[str, object], preview: str
) -> None:
    assert budget_changes(BEFORE, draft) == body
    assert describe_change(BEFORE, draft) == preview


def test_setting_a_first_cap() -> None:
    uncapped = Cap(spend=D("3"), max_budget=None)
    draft = validate_budget_form("1234.5", "7d")
    assert budget_changes(uncapped, draft) == {"max_budget": 1234.5, "budget_duration": "7d"}
    assert describe_change(uncapped, draft) == "budget no cap → $1,234.50, duration none → 7d"


# --- arbitrary text -------------------------------------------------------------------------

EXAMPLES = [
    "NaN", "inf", "-inf", "1e309", "-0", "0", "1,000", "١٢٣", "１０", "\x00", "10\n",
    "x" * 10_000, "9" * 10_000, "$5", "5.1234567", "-0.0", "+5", "$", ".", " ", "1_0",
    "0.000001", "0.0000001", "1000000", "1000000.000001", "-0.000001", "sNaN", "Infinity",
]  # fmt: skip
DURATION_EXAMPLES = [
    "0s", "1s", "315360000s", "315360001s", "5256001m", "87601h", "3651d", "522w", "0mo",
    "1mo", "2mo", "1y", "1Y", "1M", "daily", " Weekly ", "none", "1d\n", "9" * 10_000,
]  # fmt: skip
T = TypeVar("T", bound=Callable[..., None])


def with_examples(texts: list[str]) -> Callable[[T], T]:
    def apply(test: T) -> T:
        for text in texts:
            test = example(text)(test)
        return test

    return apply


def decimal_text(places: int) -> st.SearchStrategy[str]:
    """Decimals written out in full (`f`), some beyond 1,000,000 or 6 places, some negative."""
    numbers = st.decimals(min_value=-2_000_000, max_value=2_000_000, places=places)
    return numbers.map(lambda d: f"{d:f}")


DECIMAL_TEXT = st.one_of(*(decimal_text(places) for places in (0, 2, 6, 7, 9)))
# Anything Python's Decimal can print: NaN, sNaN, Infinity, 1E+999, -0E-7…
ANY_DECIMAL = st.decimals().map(str)
NUMBERISH = st.builds(
    "".join,
    st.tuples(
        st.sampled_from(["", " ", "$", "-", "-$", "+", "$-"]),
        DECIMAL_TEXT | ANY_DECIMAL,
        st.sampled_from(["", " ", "\n", "e3", ",000", "x"]),
    ),
)
ARBITRARY = st.one_of(st.text(), st.text(alphabet="0123456789.,$-+eE _"), NUMBERISH)
DURATIONISH = st.builds(
    "".join,
    st.tuples(
        st.sampled_from(["", " ", "0", "-", "+"]),
        st.integers(0, 10**12).map(str),
        st.sampled_from(["s", "m", "h", "d", "w", "mo", "y", "M", "D", "Mo", ""]),
        st.sampled_from(["", " ", "\n", "x"]),
    ),
)
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
SIX_PLACES = D("0.000001")


def assert_names_a_rule(error: ValidationError, field: str) -> None:
    assert error.problems
    for problem in error.problems:
        assert problem.field == field
        assert RULES[problem.rule] in problem.message, problem


def is_plain_text(text: str) -> bool:
    return len(text) <= 32 and all(ch in "0123456789.$- " for ch in text)


@given(ARBITRARY)
@with_examples(EXAMPLES)
def test_any_text_as_an_amount(text: str) -> None:
    try:
        value = parse_amount(text)
    except ValidationError as error:
        assert_names_a_rule(error, "amount")
        return
    assert is_plain_text(text)
    if value is None:
        assert text.strip(" ") == ""
        return
    assert value.is_finite()
    assert not value.is_signed()
    assert D(0) < value <= D(1_000_000)
    assert value == value.quantize(SIX_PLACES)  # at most 6 decimal places
    assert D(repr(float(value))) == value  # what LiteLLM stores is what was typed


@given(DECIMAL_TEXT)
@with_examples(["0", "-0", "0.000001", "1000000", "1000000.000001", "0.0000001"])
def test_a_written_out_number_is_an_amount_exactly_when_it_is_in_range(text: str) -> None:
    number = D(text)
    valid = D(0) < number <= D(1_000_000) and number == number.quantize(SIX_PLACES)
    try:
        value = parse_amount(text)
    except ValidationError:
        assert not valid
    else:
        assert valid
        assert value == number


@given(st.one_of(st.text(), DURATIONISH))
@with_examples(DURATION_EXAMPLES + EXAMPLES)
def test_any_text_as_a_duration(text: str) -> None:
    try:
        duration = parse_duration(text)
    except ValidationError as error:
        assert_names_a_rule(error, "duration")
        return
    if duration is None:
        assert text.strip(" ").lower() in ("", "none")
        return
    if duration in DURATION_ALIASES:
        return
    match = re.fullmatch(r"([1-9][0-9]*)(mo|[smhdw])", duration)
    assert match is not None, duration
    n, unit = int(match[1]), match[2]
    if unit == "mo":
        assert n == 1  # LiteLLM 1.108.7 refuses any other month count
    else:
        assert n * SECONDS[unit] <= 3650 * 86400


def check_reset(text: str, spend: D, cap: D | None) -> D | None:
    """The reset value, or None when refused for a stated rule; an accepted value obeys all."""
    try:
        value = parse_reset_value(text, spend, cap)
    except ValidationError as error:
        assert_names_a_rule(error, "reset_to")
        return None
    assert is_plain_text(text)
    assert value.is_finite()
    assert not value.is_signed()
    assert D(0) <= value <= spend
    assert cap is None or value <= cap
    return value


SPEND = st.decimals(min_value=0, max_value=10_000, places=6)


@given(ARBITRARY, SPEND, st.none() | SPEND)
@example("", D("3"), D("2"))
def test_any_text_as_a_reset_value(text: str, spend: D, cap: D | None) -> None:
    check_reset(text, spend, cap)


@given(SPEND, st.none() | SPEND, st.sampled_from([-SIX_PLACES, D(0), SIX_PLACES]))
def test_a_reset_value_is_accepted_exactly_up_to_spend_and_cap(
    spend: D, cap: D | None, nudge: D
) -> None:
    limit = spend if cap is None else min(spend, cap)
    for target in (spend + nudge, limit + nudge):
        valid = D(0) <= target <= limit
        assert (check_reset(f"{target:f}", spend, cap) == target) is valid


def test_the_rules_module_loads_without_the_ui_or_the_network() -> None:
    code = (
        "import sys, budgettui.domain.validation\n"
        "print([m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'httpx')])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
