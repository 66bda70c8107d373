"""The `:` command line, as in k9s and vim: `:ctx prod`, `:org acme`, `:month 2026-08`, `:risk`,
`:audit`, `:q`. The rest of a word is suggested as it is typed (Tab or → takes it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input

# Each verb with what it takes and what it does, for the suggestions and the help screen.
VERBS: dict[str, str] = {
    "ctx": "ctx NAME: switch to another proxy (a context of the config file)",
    "org": "org NAME: open an org",
    "month": "month YYYY-MM: open the selected tenant (or org) at that month",
    "risk": "risk: every tenant and org at risk, worst first",
    "audit": "audit: the journal of writes, newest first",
    "q": "q: quit",
}


@dataclass(frozen=True)
class Command:
    verb: str
    argument: str


def parse_command(text: str) -> Command | None:
    """`ctx prod` → Command("ctx", "prod"); a unique prefix of a verb is the verb (`au`);
    None when the verb is unknown or ambiguous."""
    words = text.strip().removeprefix(":").strip().split(maxsplit=1)
    if not words:
        return None
    verb = _verb(words[0])
    if verb is None:
        return None
    return Command(verb, words[1].strip() if len(words) > 1 else "")


def _verb(word: str) -> str | None:
    if word in VERBS:
        return word
    matches = [verb for verb in VERBS if verb.startswith(word)]
    return matches[0] if len(matches) == 1 else None


class CommandSuggester(Suggester):
    """The verb, then the argument: `candidates(verb)` gives what the verb can take (contexts,
    org names, months), asked afresh each time so a new org shows at once."""

    def __init__(self, candidates: Callable[[str], Sequence[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.candidates = candidates

    async def get_suggestion(self, value: str) -> str | None:
        if " " not in value:
            return next((verb for verb in VERBS if verb.startswith(value) and value), None)
        verb, _, typed = value.partition(" ")
        full_verb = _verb(verb)
        if full_verb is None:
            return None
        folded = typed.casefold()
        for candidate in self.candidates(full_verb):
            if candidate.casefold().startswith(folded) and candidate != typed:
                return f"{verb} {candidate}"
        return None


class CommandLine(Input):
    DEFAULT_CSS = """
    CommandLine { display: none; height: 3; margin: 0 1; }  /* shown by `:` */
    """
    BINDINGS = [
        Binding("tab", "cursor_right", "Complete", show=False),
        Binding("escape", "close", "Close", show=False),
    ]

    class Closed(Message):
        """Escape: the line goes away and the table has the keys again."""

    def __init__(self, candidates: Callable[[str], Sequence[str]], *, id: str) -> None:
        super().__init__(
            placeholder="ctx NAME · org NAME · month YYYY-MM · risk · audit · q",
            suggester=CommandSuggester(candidates),
            id=id,
        )

    def action_close(self) -> None:
        self.value = ""
        self.post_message(self.Closed())
