"""What each colour means, written as the active theme's variables, never as fixed colours.

Textual resolves `$text-error` and the rest against the theme each time it draws, so every theme
reads well (textual-light included) and switching theme from the palette recolours what is on
screen. The `$text-*` shades are the theme's colours tuned for text on its own background:
`$warning` itself is the same amber in textual-dark and textual-light, unreadable as text on the
light one.

These styles work in `textual.content.Content` (a Static, a DataTable cell, a Rich table cell),
never in `rich.text.Text`, which cannot resolve a variable. Colour never carries meaning alone:
every styled word also says what it means, so NO_COLOR (monochrome) loses nothing.
"""

from __future__ import annotations

from budgettui.domain.budget import Alert

# `dim`, not `$text-muted`: that variable is `auto 60%`, which needs the background underneath,
# and DataTable cells are drawn without one (it comes out black). `dim` fades any theme's text.
MUTED = "dim"
ACCENT = "$text-primary"  # not `$text-accent`: in textual-dark the accent is the warning amber
PENDING = f"italic {ACCENT}"  # provisioning: a team with no key yet
GOOD = "$text-success"
SOON = "$text-warning"
NOTICE = "bold $text-warning"  # STALE, read-only, PARTIAL: worth a look, nothing refused yet
URGENT = "bold $text-error"

ALERT_STYLE: dict[Alert, str] = {
    Alert.NONE: MUTED,
    Alert.OK: GOOD,
    Alert.WARNING: SOON,
    Alert.CRITICAL: NOTICE,
    Alert.EXCEEDED: URGENT,  # red only where LiteLLM refuses requests
}
